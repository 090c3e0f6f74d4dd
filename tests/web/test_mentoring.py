"""Mentorship: a manager pairs elite mentors with newcomers of their teams (a limit per mentor,
history kept); the mentor sees their mentees at a glance."""
import datetime as dt

import pytest

from lms.models import MentorPairing, MicroTask, MicroTemplate
from lms.services import clock, mentoring

from ..factories import add_kpi_days, client_for, csrf_token, make_site, make_team, make_user


@pytest.fixture
def org(app, conn):
    clock.freeze(dt.datetime(2026, 11, 24, 2))
    site = make_site("上海")
    team, other = make_team("在线一组", site), make_team("北京一组", make_site("北京"))
    return {"manager": make_user(("manager",), None, "MG", scopes=[site]),
            "mentor": make_user(("agent", "mentor"), team, "M1", tier="elite", name="马导师"),
            "second_mentor": make_user(("agent", "mentor"), team, "M2", tier="elite", name="牛导师"),
            "newcomers": [make_user(("agent",), team, f"N{i}", tier="newcomer", name=f"新人{i}") for i in range(4)],
            "advanced": make_user(("agent",), team, "A1", tier="advanced"),
            "far": make_user(("agent",), other, "F1", tier="newcomer")}


def _pair(client, mentor, mentee):
    return client.post("/mentoring/pair", data={"csrf_token": csrf_token(client, "/mentoring/"),
                                                "mentor": mentor.id, "mentee": mentee.id}, follow_redirects=True)


def test_pairing_limits_and_history(app, org):
    manager = client_for(app, org["manager"])
    for newcomer in org["newcomers"][:3]:
        assert "now coaches" in _pair(manager, org["mentor"], newcomer).get_data(as_text=True)
    full = _pair(manager, org["mentor"], org["newcomers"][3]).get_data(as_text=True)
    assert "the most mentees allowed" in full
    assert "a mentee is an active newcomer" in _pair(manager, org["mentor"], org["advanced"]).get_data(as_text=True)
    assert _pair(manager, org["mentor"], org["far"]).status_code == 404  # another site: not the manager's
    _pair(manager, org["second_mentor"], org["newcomers"][0])  # a new mentor ends the earlier pairing
    history = list(MentorPairing.select().where(MentorPairing.mentee == org["newcomers"][0]).order_by(MentorPairing.id))
    assert [(p.mentor_id, p.ended_on) for p in history] == [(org["mentor"].id, dt.date(2026, 11, 24)),
                                                             (org["second_mentor"].id, None)]
    assert mentoring.current_mentor(org["newcomers"][0]) == org["second_mentor"]
    page = manager.get("/mentoring/").get_data(as_text=True)
    assert page.count("马导师") >= 3 and "牛导师" in page


def test_the_mentor_sees_each_mentee_at_a_glance(app, org):
    mentee = org["newcomers"][0]
    mentoring.pair(org["mentor"], mentee, org["manager"], app.extensions["lms"].settings)
    template = MicroTemplate.create(slug="t", tier="newcomer", skill="empathy", kpi="csat", kind="reflection",
                                    title="t", spec="{}")
    MicroTask.create(user=mentee, day=dt.date(2026, 11, 24), template=template, status="done")
    add_kpi_days(mentee, (dt.date(2026, 11, 23), 40, 30, 12000, 10, 9))
    cards = mentoring.cards(org["mentor"], app.extensions["lms"].settings)
    assert [(c.mentee.id, c.today_task, c.fcr, c.awaiting) for c in cards] == [(mentee.id, "done", 0.75, 0)]
    page = client_for(app, org["mentor"]).get("/mentoring/").get_data(as_text=True)
    assert "新人0" in page and "75%" in page and "新人1" not in page
    home = client_for(app, org["mentor"]).get("/").get_data(as_text=True).split('id="my-mentees"')[1]
    assert "新人0" in home and "75%" in home  # the mentor's home lists them too
    assert client_for(app, org["newcomers"][1]).get("/mentoring/").status_code == 403


def test_the_mentor_logs_a_session_and_the_mentee_acknowledges_it(app, org):
    from lms.models import CoachingSession

    mentee, stranger = org["newcomers"][0], org["newcomers"][1]
    mentoring.pair(org["mentor"], mentee, org["manager"], app.extensions["lms"].settings)
    mentor = client_for(app, org["mentor"])
    token = csrf_token(mentor, "/mentoring/sessions")
    form = {"csrf_token": token, "mentee": str(mentee.id), "held_on": "2026-11-23", "topic": "投诉开场先共情",
            "notes": "回听了两通电话", "action": "每通投诉先说一句共情的话", "follow_up_on": "2026-11-30"}
    future = mentor.post("/mentoring/sessions", data={**form, "held_on": "2026-12-01", "follow_up_on": ""})
    assert future.status_code == 400 and "cannot be in the future" in future.get_data(as_text=True)
    other = mentor.post("/mentoring/sessions", data={**form, "mentee": str(stranger.id)})
    assert other.status_code == 400 and CoachingSession.select().count() == 0  # not a mentee: not a choice
    assert mentor.post("/mentoring/sessions", data=form).status_code == 302
    session = CoachingSession.get()
    learner = client_for(app, mentee)
    page = learner.get("/mentoring/sessions").get_data(as_text=True)
    assert "投诉开场先共情" in page and "每通投诉先说一句共情的话" in page
    outsider = client_for(app, stranger)
    assert outsider.post("/mentoring/sessions", data={"csrf_token": csrf_token(outsider, "/"),
                                                      "acknowledge": session.id}).status_code == 404
    learner.post("/mentoring/sessions", data={"csrf_token": csrf_token(learner, "/mentoring/sessions"),
                                              "acknowledge": session.id})
    assert CoachingSession.get().acknowledged_at is not None
    assert "acknowledged" in mentor.get("/mentoring/sessions").get_data(as_text=True)


def test_pair_grade_coach_acknowledge_then_growth_speed_with_n(app, org):
    """The issue's journey through HTTP: a manager pairs, the mentor grades the mentee's reply and
    logs a session, the mentee acknowledges, and the growth-speed figure appears with its n."""
    from pathlib import Path

    from lms.models import Activity, CoachingSession, Completion, DrillReply, Module, Track
    from lms.services.assessment_pack import read_assessments
    from lms.services.assessment_store import load_assessments
    from lms.services.content_store import LoadReport

    load_assessments(read_assessments(Path(__file__).resolve().parents[2] / "assessments"), LoadReport())
    mentee, teammate = org["newcomers"][0], org["newcomers"][1]
    manager = client_for(app, org["manager"])
    assert "now coaches" in _pair(manager, org["mentor"], mentee).get_data(as_text=True)

    learner = client_for(app, mentee)
    drill = "/drills/drill-angry-complaint"
    learner.post(drill, data={"csrf_token": csrf_token(learner, drill), "reply": "非常抱歉让您生气了，我马上帮您查。"})
    peer = client_for(app, teammate)
    peer.post(drill, data={"csrf_token": csrf_token(peer, drill), "reply": "您好，请问订单号？"})
    reply = DrillReply.get(DrillReply.user == mentee)
    other = DrillReply.get(DrillReply.user == teammate)

    mentor = client_for(app, org["mentor"])
    queue = mentor.get("/grading/").get_data(as_text=True)
    assert f"/grading/{reply.id}" in queue and f"/grading/{other.id}" not in queue  # mentees only
    assert mentor.get(f"/grading/{other.id}").status_code == 404
    levels = {f"level_{c}": "2" for c in ("empathy", "frame", "phrasing", "options", "commitment", "red-line")}
    graded = mentor.post(f"/grading/{reply.id}", data={"csrf_token": csrf_token(mentor, f"/grading/{reply.id}"),
                                                       "comment": "先共情做得好，补上具体时限", **levels})
    assert graded.status_code == 303 and DrillReply.get_by_id(reply.id).graded_by_id == org["mentor"].id
    assert "补上具体时限" in learner.get(drill).get_data(as_text=True)

    logged = mentor.post("/mentoring/sessions", data={
        "csrf_token": csrf_token(mentor, "/mentoring/sessions"), "mentee": str(mentee.id), "held_on": "2026-11-24",
        "topic": "投诉回复的时限承诺", "action": "每条回复写明几点前回电"})
    assert logged.status_code == 302
    session = CoachingSession.get()
    learner.post("/mentoring/sessions", data={"csrf_token": csrf_token(learner, "/mentoring/sessions"),
                                              "acknowledge": session.id})
    assert CoachingSession.get().acknowledged_at is not None

    # The mentee passes the newcomer track 20 days after starting: the growth figure appears with n=1.
    track = Track.create(slug="newcomer", title="新人训", tier="newcomer")
    step = Activity.create(module=Module.create(track=track, slug="nm", title="流程", position=1),
                           slug="na", kind="lesson", title="流程", position=1)
    Completion.create(user=mentee, activity=step, completed_at=dt.datetime(2026, 11, 21, 4))
    for who in (mentee, teammate):
        who.hire_date = dt.date(2026, 11, 1)
        who.save()
    page = mentor.get("/mentoring/").get_data(as_text=True)
    growth = page.split('id="growth"')[1]
    assert "<strong>20.0</strong>" in growth and "n=1" in growth and "Site average" in growth
    overview = manager.get("/mentoring/").get_data(as_text=True).split('id="growth"')[1]
    assert "Mentees of 马导师" in overview and "<strong>20.0</strong>" in overview
