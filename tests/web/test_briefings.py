"""Briefings: a trainer publishes to a tier and team, agents acknowledge (with the check),
staff see who has not; nobody else sees it."""
import datetime as dt

import pytest

from lms.models import Briefing, BriefingAck
from lms.services import clock

from ..factories import client_for, csrf_token, make_site, make_team, make_user


@pytest.fixture
def org(app, conn):
    clock.freeze(dt.datetime(2026, 11, 2, 1))
    site = make_site("上海")
    online, phone = make_team("在线一组", site), make_team("电话一组", site)
    return {"online": online, "phone": phone,
            "newcomer": make_user(("agent",), online, "N1", tier="newcomer"),
            "advanced": make_user(("agent",), online, "A1", tier="advanced"),
            "other_team": make_user(("agent",), phone, "N2", tier="newcomer"),
            "trainer": make_user(("trainer",), None, "T1", scopes=[online]),
            "manager": make_user(("manager",), None, "M1", scopes=[site])}


def _publish(client, org, **extra):
    form = {"csrf_token": csrf_token(client, "/briefings/new"), "title": "退货新规", "body": "**7天**无理由退货……",
            "tiers": ["newcomer"], "teams": [str(org["online"].id)], "deadline": "2026-11-06",
            "q1_prompt": "新规从哪天生效？", "q1_choices": "11月1日\n12月1日", "q1_answer": "1", **extra}
    return client.post("/briefings/new", data=form)


def test_publish_acknowledge_and_who_has_not(app, org):
    trainer = client_for(app, org["trainer"])
    assert _publish(trainer, org).status_code == 302
    briefing = Briefing.get()
    newcomer = client_for(app, org["newcomer"])
    assert "退货新规" in newcomer.get("/briefings/").get_data(as_text=True)
    page = newcomer.get(f"/briefings/{briefing.id}").get_data(as_text=True)
    assert "<strong>7天</strong>" in page and "新规从哪天生效" in page
    token = csrf_token(newcomer, f"/briefings/{briefing.id}")
    unanswered = newcomer.post(f"/briefings/{briefing.id}", data={"csrf_token": token})
    assert unanswered.status_code == 400 and "answer every check question" in unanswered.get_data(as_text=True)
    assert newcomer.post(f"/briefings/{briefing.id}", data={"csrf_token": token, "q0": "0"}).status_code == 302
    assert BriefingAck.get().correct == 1
    assert "Check: 1 of 1 right." in newcomer.get(f"/briefings/{briefing.id}").get_data(as_text=True)
    staff_view = client_for(app, org["manager"]).get(f"/briefings/{briefing.id}").get_data(as_text=True)
    assert "Not acknowledged yet (0)" in staff_view and "Acknowledged (1)" in staff_view


def test_only_its_audience_sees_it(app, org):
    _publish(client_for(app, org["trainer"]), org)
    briefing = Briefing.get()
    for who in ("advanced", "other_team"):  # another tier; another team
        client = client_for(app, org[who])
        assert "退货新规" not in client.get("/briefings/").get_data(as_text=True)
        assert client.get(f"/briefings/{briefing.id}").status_code == 404


def test_bad_briefings_are_refused_with_the_reason(app, org):
    trainer = client_for(app, org["trainer"])
    past = _publish(trainer, org, deadline="2026-10-01")
    assert past.status_code == 400 and "the deadline is in the past" in past.get_data(as_text=True)
    one_choice = _publish(trainer, org, q1_choices="只有一个")
    assert one_choice.status_code == 400 and "two or more choices" in one_choice.get_data(as_text=True)
    outside = _publish(trainer, org, teams=[str(org["phone"].id)])
    assert outside.status_code == 400  # not a team the trainer looks after: not a valid choice
    assert Briefing.select().count() == 0
    assert client_for(app, org["newcomer"]).get("/briefings/new").status_code == 403


def test_the_audience_is_notified_and_reminded_once(app, org):
    from lms.models import Notification
    from lms.services import briefings

    _publish(client_for(app, org["trainer"]), org)
    briefing = Briefing.get()
    assert [n.user_id for n in Notification.select().where(Notification.kind == "briefing")] == [org["newcomer"].id]
    assert briefings.remind(dt.date(2026, 11, 5)) == {"due_soon": 1, "overdue": 0}
    assert briefings.remind(dt.date(2026, 11, 5)) == {"due_soon": 0, "overdue": 0}
    BriefingAck.create(briefing=briefing, user=org["newcomer"])
    assert briefings.remind(dt.date(2026, 11, 7)) == {"due_soon": 0, "overdue": 0}  # acknowledged: no nagging
    page = client_for(app, org["newcomer"]).get("/notifications/").get_data(as_text=True)
    assert "A new briefing to read" in page and f"/briefings/{briefing.id}" in page


def test_with_smtp_and_a_webhook_the_briefing_goes_out_once_each(app, org):
    from lms.models import OutboxMessage, User

    settings = app.extensions["lms"].settings
    settings["notifications.smtp.host"] = "smtp.example.com"
    settings["notifications.webhook.url"] = "https://chat.example.com/hook"
    User.update(email="n1@example.com").where(User.id == org["newcomer"].id).execute()
    try:
        _publish(client_for(app, org["trainer"]), org)
    finally:
        settings["notifications.smtp.host"] = settings["notifications.webhook.url"] = ""
    sent = sorted((m.channel, m.recipient, m.subject) for m in OutboxMessage.select())
    assert sent == [("email", "n1@example.com", "退货新规"),
                    ("webhook", "webhook", "New briefing: 退货新规 (acknowledge by 2026-11-06)")]
