"""Weekly case reviews through HTTP: a trainer builds a set of cases for a tier and team, it is
assigned once per agent (by hand or by the job), an agent answers the three dimensions."""
import datetime as dt

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
