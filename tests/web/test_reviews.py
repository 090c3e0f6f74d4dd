"""Weekly case reviews through HTTP: a trainer builds a set of cases for a tier and team, it is
assigned once per agent (by hand or by the job), an agent answers the three dimensions."""
import datetime as dt
from pathlib import Path

import pytest

from lms.models import ReviewAssignment, ReviewSet, ReviewSubmission
from lms.services import cases, clock, reviews

from ..factories import client_for, csrf_token, make_site, make_team, make_user

MONDAY = dt.date(2026, 11, 2)


@pytest.fixture
def org(app, conn):
    clock.freeze(dt.datetime(2026, 11, 2, 1))
    site = make_site("上海")
    online, phone = make_team("在线一组", site), make_team("电话一组", site)
    trainer = make_user(("trainer",), None, "T1", scopes=[online])
    made = [cases.build(title=f"案例{i}", kind="failure", author=trainer, settings=app.extensions["lms"].settings,
                        team=online, summary=f"第{i}个案例", emotion=[0, -2, 1]) for i in range(4)]
    return {"online": online, "trainer": trainer, "cases": made,
            "agents": [make_user(("agent",), online, f"A{i}", tier="advanced") for i in range(2)],
            "newcomer": make_user(("agent",), online, "N1", tier="newcomer"),
            "elsewhere": make_user(("agent",), phone, "P1", tier="advanced")}


def _new_set(client, org, **extra):
    form = {"csrf_token": csrf_token(client, "/reviews/sets/new"), "title": "第45周复盘", "week": "2026-11-04",
            "due_on": "2026-11-06", "cases": [str(c.id) for c in org["cases"][:3]], "tiers": ["advanced"],
            "teams": [str(org["online"].id)], **extra}
    return client.post("/reviews/sets/new", data=form)


def test_build_assign_and_submit(app, org):
    trainer = client_for(app, org["trainer"])
    too_few = _new_set(trainer, org, cases=[str(org["cases"][0].id)])
    assert too_few.status_code == 400 and "3 to 5 cases" in too_few.get_data(as_text=True)
    assert _new_set(trainer, org).status_code == 302
    review_set = ReviewSet.get()
    assert review_set.week == MONDAY  # any day of the week stands for its Monday
    assert {a.user_id for a in ReviewAssignment.select()} == {a.id for a in org["agents"]}  # tier and team
    assert reviews.assign_due(MONDAY) == {"date": "2026-11-02", "sets": 1, "assigned": 0}  # nobody twice

    agent = client_for(app, org["agents"][0])
    item = ReviewAssignment.get(ReviewAssignment.user == org["agents"][0])
    page = agent.get(f"/reviews/{item.id}").get_data(as_text=True)
    assert page.count("<svg") == 3 and "Business process" in page
    token = csrf_token(agent, f"/reviews/{item.id}")
    answers = {f"c{c.id}_{d}": "客户等了三天，没人主动说明原因和补救办法" for c in org["cases"][:3]
               for d in ("process", "experience", "growth")}
    short = agent.post(f"/reviews/{item.id}", data={"csrf_token": token, **answers, "technique": "短"})
    assert short.status_code == 400 and "technique others can reuse" in short.get_data(as_text=True)
    assert "客户等了三天" in short.get_data(as_text=True)  # what was typed is kept
    done = agent.post(f"/reviews/{item.id}", data={"csrf_token": token, **answers,
                                                    "technique": "高峰期先告知预计等待时间，并承诺优先处理"})
    assert done.status_code == 302
    submission = ReviewSubmission.get()
    assert submission.version == 1 and not submission.late
    again = agent.post(f"/reviews/{item.id}", data={"csrf_token": token, **answers, "technique": "再提交一次看看"})
    assert again.status_code == 400 and ReviewSubmission.select().count() == 1
    overview = trainer.get("/reviews/").get_data(as_text=True)
    assert "1 / 2" in overview


def test_late_submissions_are_flagged_and_others_cannot_open_an_assignment(app, org):
    _new_set(client_for(app, org["trainer"]), org)
    item = ReviewAssignment.get(ReviewAssignment.user == org["agents"][0])
    answers = {c.id: {d: "一句完整的复盘回答内容" for d in ("process", "experience", "growth")}
               for c in reviews.cases_of(item.review_set)}
    late = reviews.submit(item, answers, "一个可以复用的好办法", today=dt.date(2026, 11, 7))
    assert late.late
    assert client_for(app, org["agents"][1]).get(f"/reviews/{item.id}").status_code == 404
    assert client_for(app, org["elsewhere"]).get("/reviews/").status_code == 200
    assert "第45周复盘" not in client_for(app, org["elsewhere"]).get("/reviews/").get_data(as_text=True)


def test_a_set_for_a_later_week_waits_for_the_job(app, org):
    trainer = client_for(app, org["trainer"])
    assert _new_set(trainer, org, week="2026-11-09", due_on="2026-11-13").status_code == 302
    assert ReviewAssignment.select().count() == 0
    assert reviews.assign_due(dt.date(2026, 11, 9))["assigned"] == 2


@pytest.fixture
def submitted(app, org):
    from pathlib import Path

    from lms.services.assessment_pack import read_assessments
    from lms.services.assessment_store import load_assessments
    from lms.services.content_store import LoadReport

    load_assessments(read_assessments(Path(__file__).resolve().parents[2] / "assessments"), LoadReport())
    _new_set(client_for(app, org["trainer"]), org)
    item = ReviewAssignment.get(ReviewAssignment.user == org["agents"][0])
    answers = {c.id: {d: "一句完整的复盘回答内容" for d in ("process", "experience", "growth")}
               for c in reviews.cases_of(item.review_set)}
    reviews.submit(item, answers, "高峰期先告知预计等待时间")
    return item


def test_grade_dispute_resolve_and_resubmit(app, org, submitted):
    from lms.models import Dispute, ReviewGrade

    trainer = client_for(app, org["trainer"])
    queue = trainer.get("/reviews/grading").get_data(as_text=True)
    submission = ReviewSubmission.get()
    assert f"/reviews/submissions/{submission.id}/grade" in queue
    page = f"/reviews/submissions/{submission.id}/grade"
    token = csrf_token(trainer, page)
    missing = trainer.post(page, data={"csrf_token": token, "level_process": "2"})
    assert missing.status_code == 400 and ReviewGrade.select().count() == 0
    levels = {"level_process": "2", "level_experience": "1", "level_growth": "3"}
    assert trainer.post(page, data={"csrf_token": token, **levels, "comment": "情绪拐点没有对上原话"}).status_code == 302
    grade = ReviewGrade.get()
    assert grade.score == pytest.approx(round(100 * (35 * 2 / 3 + 35 * 1 / 3 + 30) / 100, 1))

    agent = client_for(app, org["agents"][0])
    mine = agent.get(f"/reviews/{submitted.id}").get_data(as_text=True)
    assert "情绪拐点没有对上原话" in mine and "Resubmit after the feedback" in mine
    token = csrf_token(agent, f"/reviews/{submitted.id}")
    agent.post(f"/reviews/grades/{grade.id}/dispute", data={"csrf_token": token, "criterion": "experience",
                                                            "comment": "我对应了第二轮的原话和做法"})
    dispute = Dispute.get()
    assert dispute.old_level == 1 and dispute.outcome is None
    other = client_for(app, org["agents"][1])
    assert other.post(f"/reviews/grades/{grade.id}/dispute", data={"csrf_token": csrf_token(other, "/"),
                                                                   "criterion": "growth", "comment": "不公平"}).status_code == 404
    board = trainer.get("/reviews/disputes").get_data(as_text=True)
    assert "Open: 1." in board and "我对应了第二轮的原话和做法" in board
    trainer.post("/reviews/disputes", data={"csrf_token": csrf_token(trainer, "/reviews/disputes"),
                                            "dispute": dispute.id, "outcome": "partly", "new_level": "2",
                                            "resolution": "第二轮对上了，第三轮没有"})
    assert Dispute.get().outcome == "partly" and ReviewGrade.get().score > grade.score
    assert "Accepted 0, partly accepted 1, rejected 0." in trainer.get("/reviews/disputes").get_data(as_text=True)

    answers = {f"c{c.id}_{d}": "修改后的完整复盘回答内容" for c in reviews.cases_of(submitted.review_set)
               for d in ("process", "experience", "growth")}
    again = agent.post(f"/reviews/{submitted.id}", data={"csrf_token": token, **answers, "technique": "排队时先说预计等待时间再登记诉求"})
    assert again.status_code == 302 and ReviewSubmission.select().where(ReviewSubmission.version == 2).count() == 1
    third = agent.post(f"/reviews/{submitted.id}", data={"csrf_token": token, **answers, "technique": "再改一次看看"})
    assert third.status_code == 400  # one resubmission only


def test_disputes_close_after_the_window_and_only_their_graders_grade(app, org, submitted):
    from lms.services import review_grading

    outsider = make_user(("trainer",), None, "T9", scopes=[make_team("电话一组", make_site("上海"))])
    submission = ReviewSubmission.get()
    assert client_for(app, outsider).get(f"/reviews/submissions/{submission.id}/grade").status_code == 404
    grade = review_grading.grade(submission, org["trainer"], {"process": 3, "experience": 3, "growth": 3}, "好")
    with pytest.raises(review_grading.GradingError, match="already graded"):
        review_grading.grade(submission, org["trainer"], {"process": 3, "experience": 3, "growth": 3}, "好")
    with pytest.raises(review_grading.GradingError, match="time to contest"):
        review_grading.open_dispute(grade, org["agents"][0], "growth", "理由很充分", 7, today=dt.date(2026, 11, 20))


FULL = {"process": 2, "experience": 2, "growth": 2}


def test_two_peers_review_each_submission_anonymously_and_leases_expire(app, org, submitted):
    from lms.services import peer_review, review_grading

    settings = app.extensions["lms"].settings
    author, first_peer = org["agents"]
    third = make_user(("agent",), org["online"], "A9", tier="advanced", name="周评审")
    reviews.assign(submitted.review_set)  # A9 joined the team: the set reaches them too
    now = clock.utcnow()
    lease = peer_review.next_for(first_peer, settings, now)
    assert lease.submission.assignment.user_id == author.id
    assert peer_review.next_for(first_peer, settings, now).id == lease.id  # held, not a second one
    assert peer_review.next_for(author, settings, now) is None  # never one's own
    other = peer_review.next_for(third, settings, now)
    assert other.submission_id == lease.submission_id  # the second slot
    fourth = make_user(("agent",), org["online"], "A8", tier="advanced", name="吴评审")
    reviews.assign(submitted.review_set)
    assert peer_review.next_for(fourth, settings, now) is None  # both slots held
    later = now + dt.timedelta(minutes=31)  # A9's lease lapsed unfinished: the slot is free again
    peer_review.complete(lease, first_peer, FULL, "维度二的情绪分析可以更具体", now + dt.timedelta(minutes=5))
    taken = peer_review.next_for(fourth, settings, later)
    assert taken is not None and taken.submission_id == lease.submission_id
    with pytest.raises(review_grading.GradingError, match="ran out"):
        peer_review.complete(other, third, FULL, "", later)
    peer_review.complete(taken, fourth, {"process": 3, "experience": 3, "growth": 3}, "", later)
    page = client_for(app, author).get(f"/reviews/{submitted.id}").get_data(as_text=True)
    assert "Peer reviews: 67, 100 (2 peers, average 83)" in page and "维度二的情绪分析可以更具体" in page
    assert "吴评审" not in page and "A8" not in page  # the peer stays anonymous to the author
    peer_page = client_for(app, third).get("/reviews/peer").get_data(as_text=True)
    assert "吴评审" not in peer_page


def test_peer_fallback_when_only_one_peer_exists(app, org, submitted):
    from lms.services import peer_review

    settings = app.extensions["lms"].settings
    lease = peer_review.next_for(org["agents"][1], settings)
    peer_review.complete(lease, org["agents"][1], FULL, "")
    submission = lease.submission
    assert peer_review.waiting_for_peers(submission, settings, dt.date(2026, 11, 6))
    assert not peer_review.waiting_for_peers(submission, settings, dt.date(2026, 11, 10))  # due 6th + 3 days
    trainer = client_for(app, org["trainer"])
    page = trainer.get(f"/reviews/submissions/{submission.id}/grade").get_data(as_text=True)
    assert "Peer review: 67 (1 peer, average 67)." in page  # the grader grades with what there is


def test_a_calibration_round_with_three_graders_and_its_deviation_report(app, org, submitted):
    from lms.models import CalibrationRound

    reference = org["trainer"]
    mentor_a = make_user(("agent", "mentor"), org["online"], "MA", tier="elite", name="马导师")
    mentor_b = make_user(("agent", "mentor"), org["online"], "MB", tier="elite", name="牛导师")
    trainer = client_for(app, reference)
    token = csrf_token(trainer, "/reviews/calibration")
    submission = ReviewSubmission.get()
    started = trainer.post("/reviews/calibration", data={"csrf_token": token, "submission": submission.id,
                                                          "reference": reference.id,
                                                          "graders": [mentor_a.id, mentor_b.id]})
    assert started.status_code == 302
    round_ = CalibrationRound.get()
    page = f"/reviews/calibration/{round_.id}"

    def score(user, **levels):
        client = client_for(app, user)
        return client, client.post(page, data={"csrf_token": csrf_token(client, page),
                                               **{f"level_{k}": str(v) for k, v in levels.items()}})

    score(reference, process=2, experience=2, growth=2)
    a, _ = score(mentor_a, process=2, experience=2, growth=2)
    b = client_for(app, mentor_b)
    blind = b.get(page).get_data(as_text=True)
    assert "马导师" not in blind and "Save my score" in blind  # blind until scored
    score(mentor_b, process=3, experience=1, growth=2)
    report = b.get(page).get_data(as_text=True)
    # process +1 level of 3 at weight 35 = +11.7, experience -1 = -11.7: total 0 but flagged per criterion
    assert "+11.7" in report and "-11.7" in report and "beyond 5.0 points" in report
    assert "Save my score" not in report
    overview = trainer.get("/reviews/calibration").get_data(as_text=True)
    assert "Agreement over time" in overview and "牛导师" in overview
    outsider = client_for(app, make_user(("agent", "mentor"), org["online"], "MC", tier="elite"))
    assert outsider.get(page).status_code == 404


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def test_attachments_are_checked_and_shown_only_to_those_given_the_case(app, org, submitted):
    import io

    from lms.models import CaseAttachment
    from lms.services import attachments

    case = reviews.cases_of(submitted.review_set)[0]
    trainer = client_for(app, org["trainer"])
    page = f"/cases/{case.id}"

    def attach(data, name):
        return trainer.post(f"{page}/attachments", data={"csrf_token": csrf_token(trainer, page),
                                                          "file": (io.BytesIO(data), name)},
                            content_type="multipart/form-data", follow_redirects=True)

    assert "content does not match" in attach(b"MZ not a picture", "chat.png").get_data(as_text=True)
    assert "only recordings" in attach(PNG, "tool.exe").get_data(as_text=True)
    assert "Attached." in attach(PNG, "聊天截图.png").get_data(as_text=True)
    stored = CaseAttachment.get()
    assert stored.filename == "聊天截图.png" and stored.stored_name != stored.filename
    url = f"/cases/{case.id}/attachments/{stored.id}"
    agent = client_for(app, org["agents"][0])  # given the set: may see it
    response = agent.get(url)
    assert response.status_code == 200 and response.data == PNG and response.mimetype == "image/png"
    assert url in agent.get(f"/reviews/{submitted.id}").get_data(as_text=True)
    assert client_for(app, org["elsewhere"]).get(url).status_code == 404  # another team, not given the case
    assert client_for(app, org["newcomer"]).get(url).status_code == 404  # same team, not given the set
    with pytest.raises(attachments.AttachmentError, match="larger than"):
        attachments.save(case, PNG, "big.png", org["trainer"], Path(app.config["LMS_PATHS_UPLOADS"]), max_bytes=10)


def test_a_trainer_keeps_a_graded_technique_for_the_library(app, org, submitted):
    from lms.models import Technique
    from lms.services import review_grading

    submission = ReviewSubmission.get()
    trainer = client_for(app, org["trainer"])
    page = f"/reviews/submissions/{submission.id}/grade"
    flag = f"/reviews/submissions/{submission.id}/technique"
    trainer.post(flag, data={"csrf_token": csrf_token(trainer, page)})
    assert Technique.select().count() == 0  # not graded yet
    review_grading.grade(submission, org["trainer"], {"process": 3, "experience": 3, "growth": 3}, "")
    trainer.post(flag, data={"csrf_token": csrf_token(trainer, page)})
    trainer.post(flag, data={"csrf_token": csrf_token(trainer, page)})
    assert Technique.select().count() == 1
    listing = client_for(app, org["agents"][1]).get("/reviews/techniques").get_data(as_text=True)
    assert "高峰期先告知预计等待时间" in listing


def test_a_mentor_grades_the_case_reviews_of_their_mentees_only(app, org):
    from lms.services import mentoring
    from lms.services.assessment_pack import read_assessments
    from lms.services.assessment_store import load_assessments
    from lms.services.content_store import LoadReport

    load_assessments(read_assessments(Path(__file__).resolve().parents[2] / "assessments"), LoadReport())

    mentor = make_user(("agent", "mentor"), org["online"], "M1", tier="elite")
    other_newcomer = make_user(("agent",), org["online"], "N2", tier="newcomer")
    trainer = client_for(app, org["trainer"])
    _new_set(trainer, org, tiers=["newcomer"])
    submitted = {}
    for agent in (org["newcomer"], other_newcomer):
        item = ReviewAssignment.get(ReviewAssignment.user == agent)
        answers = {c.id: {d: "一句完整的复盘回答内容" for d in ("process", "experience", "growth")}
                   for c in reviews.cases_of(item.review_set)}
        submitted[agent.id] = reviews.submit(item, answers, "投诉开场先共情再给两个方案")
    mentoring.pair(mentor, org["newcomer"], org["trainer"], app.extensions["lms"].settings)
    coach = client_for(app, mentor)
    queue = coach.get("/reviews/grading").get_data(as_text=True)
    mine, theirs = (f"/reviews/submissions/{submitted[a.id].id}/grade" for a in (org["newcomer"], other_newcomer))
    assert mine in queue and theirs not in queue
    assert coach.get(theirs).status_code == 404
    done = coach.post(mine, data={"csrf_token": csrf_token(coach, mine), "level_process": "2", "level_experience": "2",
                                  "level_growth": "2", "comment": "对话拐点找得准"})
    assert done.status_code == 302 and submitted[org["newcomer"].id].grades.get().grader_id == mentor.id
