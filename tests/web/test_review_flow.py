"""The whole weekly case review through HTTP: records imported into cases, a set assigned, an
agent submits, two peers review, the team's trainer grades, the agent sees the levels and the
feedback, contests one, and a trainer resolves it."""
import datetime as dt
import io
from pathlib import Path

from lms.models import Case, Dispute, PeerReview, ReviewAssignment, ReviewSubmission
from lms.services import clock
from lms.services.assessment_pack import read_assessments
from lms.services.assessment_store import load_assessments
from lms.services.content_store import LoadReport

from ..factories import client_for, csrf_token, make_site, make_team, make_user

RECORDS = ("日期,客户姓名,联系方式,渠道,问题类型,问题描述,解决方案,处理结果\n" + "".join(
    f"2026-10-2{n},王建国,1391234567{n},电话,物流延误,奶粉超时{n}天未到,补发,已解决\n" for n in range(3)))
DIMENSIONS = ("process", "experience", "growth")


def test_the_whole_weekly_review(app, conn):
    clock.freeze(dt.datetime(2026, 11, 2, 1))
    load_assessments(read_assessments(Path(__file__).resolve().parents[2] / "assessments"), LoadReport())
    team = make_team("在线一组", make_site("上海"))
    trainer = make_user(("trainer",), None, "T1", scopes=[team])
    author, peer_a, peer_b = (make_user(("agent",), team, f"A{n}", tier="advanced", name=f"坐席{n}") for n in range(3))

    staff = client_for(app, trainer)
    staff.post("/cases/import", data={"csrf_token": csrf_token(staff, "/cases/import"), "kind": "failure",
                                      "team": str(team.id), "file": (io.BytesIO(RECORDS.encode("gbk")), "records.csv")},
               content_type="multipart/form-data")
    assert Case.select().count() == 3 and "王建国" not in "".join(c.record + c.summary for c in Case.select())
    staff.post("/reviews/sets/new", data={"csrf_token": csrf_token(staff, "/reviews/sets/new"), "title": "第45周",
                                          "week": "2026-11-02", "due_on": "2026-11-06", "tiers": ["advanced"],
                                          "cases": [str(c.id) for c in Case.select()], "teams": [str(team.id)]})
    assert ReviewAssignment.select().count() == 3

    for agent in (author, peer_a, peer_b):
        client = client_for(app, agent)
        item = ReviewAssignment.get(ReviewAssignment.user == agent)
        client.post(f"/reviews/{item.id}", data={
            "csrf_token": csrf_token(client, f"/reviews/{item.id}"), "technique": f"先报预计等待时间再登记 {agent.employee_no}",
            **{f"c{c.id}_{d}": f"对第{c.id}个案例{d}维度的完整分析" for c in Case.select() for d in DIMENSIONS}})
    assert ReviewSubmission.select().count() == 3
    mine = ReviewSubmission.get(ReviewSubmission.technique.endswith(author.employee_no))

    for peer in (peer_a, peer_b):  # each takes the oldest submission needing a peer that is not theirs
        client = client_for(app, peer)
        page = client.get("/reviews/peer").get_data(as_text=True)
        lease = PeerReview.get((PeerReview.reviewer == peer) & PeerReview.completed_at.is_null())
        assert author.name not in page  # the author stays anonymous to the peer
        client.post("/reviews/peer", data={"csrf_token": csrf_token(client, "/reviews/peer"), "peer": lease.id,
                                           "level_process": "2", "level_experience": "2", "level_growth": "1",
                                           "comment": "技巧可以写出原话"})
    assert PeerReview.select().where(PeerReview.submission == mine, PeerReview.completed_at.is_null(False)).count() == 2

    coach = client_for(app, trainer)
    grade_page = f"/reviews/submissions/{mine.id}/grade"
    assert grade_page in coach.get("/reviews/grading").get_data(as_text=True)
    coach.post(grade_page, data={"csrf_token": csrf_token(coach, grade_page), "level_process": "3",
                                 "level_experience": "1", "level_growth": "2", "comment": "情绪拐点要对上原话"})

    me = client_for(app, author)
    item = ReviewAssignment.get(ReviewAssignment.user == author)
    seen = me.get(f"/reviews/{item.id}").get_data(as_text=True)
    assert "情绪拐点要对上原话" in seen and "Peer reviews:" in seen and "技巧可以写出原话" in seen
    assert "坐席1" not in seen and "坐席2" not in seen  # the peers stay anonymous
    grade_id = mine.grades.get().id
    me.post(f"/reviews/grades/{grade_id}/dispute", data={"csrf_token": csrf_token(me, f"/reviews/{item.id}"),
                                                         "criterion": "experience", "comment": "第二轮我对上了原话"})
    dispute = Dispute.get()
    staff.post("/reviews/disputes", data={"csrf_token": csrf_token(staff, "/reviews/disputes"), "dispute": dispute.id,
                                          "outcome": "accepted", "new_level": "2", "resolution": "第二轮确实对上了"})
    assert Dispute.get().outcome == "accepted"
    assert "accepted" in me.get(f"/reviews/{item.id}").get_data(as_text=True)
