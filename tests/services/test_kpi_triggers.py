"""KPI rules: K working days off target in a row → the rule's lesson, once per cooldown."""
import datetime as dt
import json

import pytest

from lms.config import load_settings
from lms.models import Activity, Completion, Module, Track, TriggeredAssignment
from lms.services import clock, kpi_triggers

from ..factories import add_kpi_days, make_team, make_user

DAY = dt.date(2026, 11, 6)  # a Friday
RULE = {"name": "low-fcr", "kpi": "fcr", "threshold": 0.6, "days": 3, "activity": "diag", "cooldown_days": 14,
        "due_days": 3, "min_contacts": 10}


@pytest.fixture
def world(app, conn):
    clock.freeze(dt.datetime(2026, 11, 6, 10))
    track = Track.create(slug="nc", title="新人", tier="newcomer")
    module = Module.create(track=track, slug="m", title="模块", position=1)
    lesson = Activity.create(module=module, slug="diag", kind="lesson", title="问题诊断", position=1)
    team = make_team()
    low, fine, gap = (make_user(("agent",), team, no, tier="newcomer") for no in ("LOW", "FINE", "GAP"))
    # LOW: three working days under 60%, with a rest day in between (rest days do not break a run).
    add_kpi_days(low, (dt.date(2026, 11, 3), 40, 20, 1, 1, 1), (dt.date(2026, 11, 5), 40, 22, 1, 1, 1),
                 (DAY, 40, 18, 1, 1, 1), (dt.date(2026, 11, 4), 5, 5, 1, 1, 1))  # 4 Nov: too few contacts
    add_kpi_days(fine, (dt.date(2026, 11, 4), 40, 20, 1, 1, 1), (dt.date(2026, 11, 5), 40, 30, 1, 1, 1),
                 (DAY, 40, 18, 1, 1, 1))
    add_kpi_days(gap, (dt.date(2026, 11, 5), 40, 20, 1, 1, 1), (DAY, 40, 18, 1, 1, 1))  # only two days
    return {"lesson": lesson, "low": low}


def _settings(rules):
    settings = load_settings(None, environ={"LMS_CONFIG": ""})
    settings["microtasks.kpi_rules"] = rules
    return settings


def test_three_days_off_target_assign_the_lesson_once(world):
    result = kpi_triggers.run_rules(_settings([RULE]), DAY)
    assert result["assigned"] == 1
    assignment = TriggeredAssignment.get()
    assert (assignment.user_id, assignment.due_on) == (world["low"].id, dt.date(2026, 11, 9))
    assert json.loads(assignment.reason)["values"] == [0.45, 0.55, 0.5]
    assert kpi_triggers.run_rules(_settings([RULE]), DAY)["assigned"] == 0  # the same day again
    assert kpi_triggers.run_rules(_settings([RULE]), DAY + dt.timedelta(days=1))["assigned"] == 0  # cooling down
    assert [a.activity.title for a in kpi_triggers.open_assignments(world["low"])] == ["问题诊断"]
    Completion.create(user=world["low"], activity=world["lesson"])
    assert kpi_triggers.open_assignments(world["low"]) == []
    assert kpi_triggers.mark_completed(DAY) == 1


def test_lower_is_better_kpis_trigger_above_the_threshold(world):
    rule = {**RULE, "name": "slow", "kpi": "aht", "threshold": 0.01}  # every agent's AHT here is 1/40 s
    assert kpi_triggers.run_rules(_settings([rule]), DAY)["assigned"] == 2  # LOW and FINE have three days


def test_an_unknown_activity_is_reported_not_a_crash(world):
    result = kpi_triggers.run_rules(_settings([{**RULE, "activity": "nope"}]), DAY)
    assert result["assigned"] == 0 and "no activity 'nope'" in result["skipped"][0]


def test_the_agent_sees_the_assignment_and_why_on_the_home_page(app, world):
    from ..factories import csrf_token, login

    kpi_triggers.run_rules(_settings([RULE]), DAY)
    client = app.test_client()
    login(client, world["low"])
    client.post("/locale/en", data={"csrf_token": csrf_token(client, "/")})
    home = client.get("/").get_data(as_text=True)
    assert "Assigned to you: 问题诊断, by 2026-11-09" in home and "last 3 working days" in home
    assert "/learn/activities/diag" in home


def test_assigned_lessons_get_due_soon_and_overdue_notices(world):
    from lms.models import Notification

    kpi_triggers.run_rules(_settings([RULE]), DAY)  # due 9 Nov
    assert kpi_triggers.remind(dt.date(2026, 11, 8)) == {"due_soon": 1, "overdue": 0}
    assert kpi_triggers.remind(dt.date(2026, 11, 10)) == {"due_soon": 0, "overdue": 1}
    assert kpi_triggers.remind(dt.date(2026, 11, 10)) == {"due_soon": 0, "overdue": 0}
    assert {n.kind for n in Notification.select()} == {"due_soon", "overdue"}
