"""`lms demo`: builds the demo org once, prints logins that really sign in, needs a current schema."""
import datetime as dt
import json

from lms import create_app, db
from lms.commands import cli
from lms.models import User
from lms.services import clock
from lms.services.demo import DEMO_PASSWORD

from .conftest import PG_URL
from .factories import login


def test_demo_json_and_every_role_signs_in(app, runner, conn):
    clock.freeze(dt.datetime(2026, 3, 18, 2, 0))
    result = runner.invoke(cli, ["demo", "--json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["created"] is True and out["password"] == DEMO_PASSWORD
    assert set(out["logins"]) == {"admin", "manager", "trainer", "mentor", "agent"}
    assert out["counts"]["sites"] == 2 and out["counts"]["teams"] == 6
    assert 55 <= out["counts"]["agents"] <= 65
    agents = [User.get(User.employee_no == no) for no in out["logins"]["agent"]]
    assert {a.tier for a in agents} == {"newcomer", "advanced", "elite"}
    for role, numbers in out["logins"].items():
        assert numbers, role
        client = app.test_client()
        response = login(client, User.get(User.employee_no == numbers[0]), out["password"])
        assert response.status_code == 302 and not response.headers["Location"].endswith("/password"), role
        assert client.get("/").status_code == 200, role
    # Each team's mentor coaches its newcomers: a session logged and a reply waiting for their grade.
    from lms.models import CoachingSession, DrillReply, MentorPairing
    pairs = list(MentorPairing.select())
    assert pairs and CoachingSession.select().count() == len(pairs)
    assert all(p.mentor.tier == "elite" and p.mentee.tier == "newcomer" for p in pairs)
    mentor = next(u for u in (User.get(User.employee_no == n) for n in out["logins"]["mentor"])
                  if MentorPairing.select().where(MentorPairing.mentor == u).exists())
    client = app.test_client()
    login(client, mentor, out["password"])
    waiting = DrillReply.get(DrillReply.user == MentorPairing.get(MentorPairing.mentor == mentor).mentee)
    assert f"/grading/{waiting.id}" in client.get("/grading/").get_data(as_text=True)


def test_demo_again_is_a_no_op(runner, conn):
    first = json.loads(runner.invoke(cli, ["demo", "--json", "--seed", "5"]).stdout)
    users = User.select().count()
    second = runner.invoke(cli, ["demo", "--json", "--seed", "5"])
    assert second.exit_code == 0
    again = json.loads(second.stdout)
    assert again["created"] is False
    assert again["counts"] == first["counts"] and again["logins"] == first["logins"]
    assert User.select().count() == users


def test_demo_text_output_lists_a_login_per_role(runner, conn):
    result = runner.invoke(cli, ["demo"])
    assert result.exit_code == 0, result.output
    assert DEMO_PASSWORD in result.output and "created" in result.output
    for line in ("admin    ADM01", "manager  M3001", "trainer  T2001", "mentor   A1", "agent    A1"):
        assert line in result.output
    assert "already present" in runner.invoke(cli, ["demo"]).output


def test_demo_clashing_with_existing_people_is_rejected(runner, conn):
    runner.invoke(cli, ["user", "create", "--employee-no", "A1001", "--name", "张伟"])
    result = runner.invoke(cli, ["demo", "--json"])
    assert result.exit_code == 1 and "A1001" in result.stderr and result.stdout == ""


def test_demo_needs_a_migrated_database(tmp_path):
    if PG_URL:
        return  # the PostgreSQL test schema is always migrated
    app = create_app(database_url=f"sqlite:///{tmp_path}/fresh.db", TESTING=True)
    result = app.test_cli_runner().invoke(cli, ["demo", "--json"])
    assert result.exit_code == 1
    assert "run `lms db upgrade` first" in result.stderr and result.stdout == ""
    with db.database.connection_context():
        assert db.database.get_tables() == []  # nothing created behind the user's back


def test_demo_is_refused_in_production(app, runner, conn):
    app.config["LMS_ENV"] = "production"
    result = runner.invoke(cli, ["demo"])
    assert result.exit_code == 1 and "production" in result.output
    assert User.select().count() == 0


def test_demo_loads_the_curriculum_with_a_fitting_learning_history(app, runner, conn):
    from lms.models import Completion, Track
    from lms.services.progress import newcomer_plan, passed_track, progress

    clock.freeze(dt.datetime(2026, 11, 24, 2, 0))
    assert runner.invoke(cli, ["demo"]).exit_code == 0
    assert Track.select().count() == 3 and Completion.select().count() > 0
    newcomer_track = Track.get(Track.tier == "newcomer")
    for agent in User.select().where(User.tier == "advanced"):
        assert passed_track(agent, newcomer_track), agent.employee_no
    for agent in User.select().where(User.tier == "newcomer"):
        state = progress(agent, newcomer_track)
        plan = newcomer_plan(agent, state)
        assert plan.current_week <= plan.expected_week  # nobody is ahead of the calendar
        assert all(c.completed_at.date() <= dt.date(2026, 11, 24) for c in agent.completions)
    before = Completion.select().count()
    runner.invoke(cli, ["demo"])
    assert Completion.select().count() == before


def test_demo_kpi_history_follows_the_tiers(app, runner, conn):
    from lms.models import KpiDaily
    from lms.services.kpi_summary import summary

    clock.freeze(dt.datetime(2026, 11, 24, 2, 0))
    runner.invoke(cli, ["demo"])
    assert KpiDaily.select().count() > 1000
    start, end = dt.date(2026, 9, 29), dt.date(2026, 11, 23)
    by_tier = {tier: summary(list(User.select().where(User.tier == tier)), start, end) for tier in
               ("newcomer", "advanced", "elite")}
    assert by_tier["newcomer"]["fcr"] < by_tier["advanced"]["fcr"] < by_tier["elite"]["fcr"]
    assert by_tier["newcomer"]["aht_seconds"] > by_tier["elite"]["aht_seconds"]
    # Contact centres work weekends in shifts: the demo has weekend rows too.
    assert KpiDaily.select().where(KpiDaily.day.in_([dt.date(2026, 11, 21), dt.date(2026, 11, 22)])).exists()
    before = KpiDaily.select().count()
    runner.invoke(cli, ["demo"])
    assert KpiDaily.select().count() == before


def test_demo_has_two_weeks_of_micro_tasks_and_todays_open(runner, app):
    from lms.db import database
    from lms.models import MicroTask

    clock.freeze(dt.datetime(2026, 11, 24, 2, 0))  # a Tuesday
    with database.connection_context():
        runner.invoke(cli, ["demo"])
        today = list(MicroTask.select().where(MicroTask.day == dt.date(2026, 11, 24)))
        past = list(MicroTask.select().where(MicroTask.day < dt.date(2026, 11, 24)))
    assert today and all(t.status == "open" for t in today)
    assert {t.status for t in past} == {"done", "missed"} and not any(t.late for t in past)
