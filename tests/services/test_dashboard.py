"""The manager dashboard against hand-computed figures for a small organisation, and its scope."""
import datetime as dt

import pytest

from lms.config import load_settings
from lms.models import Activity, Completion, Module, Track, User
from lms.services import clock, placement
from lms.services.dashboard import Dashboard

from ..factories import add_kpi_days, make_site, make_team, make_user

SETTINGS = load_settings(None, environ={"LMS_CONFIG": ""})


def _complete(user, activities, day):
    for activity in activities:
        Completion.create(user=user, activity=activity, completed_at=dt.datetime.combine(day, dt.time(2)))


@pytest.fixture
def org(app, conn):
    """Today is Tuesday 24 Nov 2026; the recent KPI weeks start on Monday 2 Nov, the earlier ones on 5 Oct."""
    clock.freeze(dt.datetime(2026, 11, 24, 2))
    track = Track.create(slug="nc", title="新人", tier="newcomer", weeks=4)
    lessons = []
    for week in range(1, 5):
        module = Module.create(track=track, slug=f"nc-{week}", title=f"第{week}周", position=week, week=week)
        lessons.append([Activity.create(module=module, slug=f"nc-{week}-{i}", kind="lesson", title="课",
                                        position=i) for i in (1, 2)])
    shanghai, beijing = make_site("上海"), make_site("北京")
    online, phone, north = make_team("在线一组", shanghai), make_team("电话一组", shanghai), make_team("北京一组", beijing)
    a1 = make_user(("agent",), online, "A1", tier="newcomer", hire_date=dt.date(2026, 11, 2))
    a2 = make_user(("agent",), online, "A2", tier="advanced", hire_date=dt.date(2025, 1, 6))
    a3 = make_user(("agent",), phone, "A3", tier="newcomer", hire_date=dt.date(2026, 10, 26))
    a5 = make_user(("agent",), phone, "A5", tier="newcomer", hire_date=dt.date(2026, 1, 5))
    a4 = make_user(("agent",), north, "A4", tier="advanced", hire_date=dt.date(2025, 1, 6))
    gone = make_user(("agent",), online, "GONE", tier="newcomer")
    User.update(active=False).where(User.id == gone.id).execute()
    make_user(("trainer",), online, "T1")  # a member of the team but not an agent
    _complete(a1, lessons[0], dt.date(2026, 11, 5))
    _complete(a3, [a for week in lessons for a in week], dt.date(2026, 11, 20))
    _complete(a5, [a for week in lessons for a in week], dt.date(2026, 11, 23))
    add_kpi_days(a1, (dt.date(2026, 11, 16), 50, 25, 20000, 10, 7))
    add_kpi_days(a2, (dt.date(2026, 10, 12), 100, 90, 30000, 20, 19), (dt.date(2026, 11, 17), 100, 80, 30000, 20, 19))
    add_kpi_days(a3, (dt.date(2026, 11, 23), 40, 36, 12000, 10, 10))
    add_kpi_days(a4, (dt.date(2026, 11, 23), 60, 30, 60000, 10, 2))
    return {"sites": (shanghai, beijing), "teams": (online, phone, north),
            "agents": {"A1": a1, "A2": a2, "A3": a3, "A4": a4, "A5": a5},
            "manager": make_user(("manager",), None, "M1", scopes=[shanghai]),
            "north_manager": make_user(("manager",), None, "M2", scopes=[beijing])}


def _board(org, teams):
    return Dashboard(SETTINGS, {t.id for t in teams}, clock.today())


def test_team_figures_match_a_hand_count(org):
    online, phone, _ = org["teams"]
    board = _board(org, [online, phone])
    assert [a.employee_no for a in board.agents] == ["A1", "A2", "A3", "A5"]  # 在线一组 sorts before 电话一组
    groups = {g.name: g for g in board.groups("team")}
    first = groups["在线一组"]
    assert (first.agents, dict(first.tiers), first.progress, first.newcomers, first.behind, first.at_risk) == \
        (2, {"newcomer": 1, "advanced": 1}, [0, 1, 0, 0, 0], 1, 1, 2)
    # Σresolved / Σcontacts = (25 + 80) / 150 = 0.70; a mean of the agents' rates would say 0.65.
    assert first.kpis["fcr"][0] == pytest.approx(0.70) and first.kpis["fcr"][1] == "below"
    assert first.kpis["aht"][0] == pytest.approx(50000 / 150)
    assert first.kpis["csat"][0] == pytest.approx(26 / 30)
    assert first.kpis["repeat"][0] is None
    second = groups["电话一组"]
    assert (second.agents, second.progress, second.newcomers, second.behind, second.at_risk) == \
        (2, [0, 0, 0, 0, 2], 2, 0, 0)
    assert second.kpis["fcr"] == (pytest.approx(0.9), "exceeded", False)
    everyone = board.groups("all")[0]
    assert (everyone.agents, everyone.at_risk) == (4, 2) and everyone.kpis["fcr"][0] == pytest.approx(141 / 190)


def test_each_at_risk_agent_has_its_reasons(org):
    online, phone, _ = org["teams"]
    board = _board(org, [online, phone])
    reasons = {a.employee_no: [r.message % r.args for r in a.risks] for a in board.at_risk()}
    assert reasons == {
        "A1": ["FCR far below target", "CSAT far below target", "behind plan: in week 2, should be in week 4",
               "no learning progress since 2026-11-05"],
        "A2": ["FCR fell from 90% to 80%"],
    }


def test_promotion_candidates_are_the_ready_proposals(org):
    online, phone, _ = org["teams"]
    board = _board(org, [online, phone])
    ready = board.candidates(placement.Reviewer(SETTINGS, today=clock.today()))
    assert [(p.agent.employee_no, p.proposed) for p in ready] == [("A5", "advanced")]


def test_a_site_manager_sees_nothing_of_the_other_site(org):
    from lms import authz

    board = Dashboard(SETTINGS, authz.scoped_team_ids(org["north_manager"]), clock.today())
    assert [a.employee_no for a in board.agents] == ["A4"]
    assert [g.name for g in board.groups("site")] == ["北京"]


def test_the_queries_do_not_grow_with_the_number_of_agents(org):
    """Set-based: the same number of statements for 4 agents as for 40."""
    from lms.db import database

    online, phone, _ = org["teams"]

    def statements():
        count = 0
        original = database.obj.execute_sql

        def counting(sql, params=None, *args, **kwargs):
            nonlocal count
            count += 1
            return original(sql, params, *args, **kwargs)

        database.obj.execute_sql = counting
        try:
            board = _board(org, [online, phone])
            board.groups("team")
            board.candidates(placement.Reviewer(SETTINGS, today=clock.today()))
        finally:
            del database.obj.execute_sql
        return count

    few = statements()
    for i in range(36):
        agent = make_user(("agent",), phone, f"X{i}", tier="newcomer", hire_date=dt.date(2026, 1, 5))
        add_kpi_days(agent, (dt.date(2026, 11, 23), 40, 36, 12000, 10, 10))
    assert User.select().count() > 40 and statements() == few


def test_micro_task_completion_and_missed_tasks(org):
    from lms.models import MicroTask, MicroTemplate

    online, phone, _ = org["teams"]
    template = MicroTemplate.create(slug="t", tier="newcomer", skill="listening", kpi="fcr", kind="reflection",
                                    title="t", spec="{}")
    a1, a3 = org["agents"]["A1"], org["agents"]["A3"]
    for day, status in ((dt.date(2026, 11, 18), "missed"), (dt.date(2026, 11, 19), "missed"),
                        (dt.date(2026, 11, 20), "missed"), (dt.date(2026, 11, 23), "done"),
                        (dt.date(2026, 11, 24), "open")):  # today's open task is not due yet
        MicroTask.create(user=a1, day=day, template=template, status=status)
    MicroTask.create(user=a3, day=dt.date(2026, 11, 24), template=template, status="done")
    board = _board(org, [online, phone])
    groups = {g.name: g for g in board.groups("team")}
    assert (groups["在线一组"].tasks_due, groups["在线一组"].tasks_done) == (4, 1)
    assert (groups["电话一组"].tasks_due, groups["电话一组"].tasks_done) == (1, 1)  # done today counts
    reasons = {a.employee_no: [r.message % r.args for r in a.risks] for a in board.at_risk()}
    assert "missed 3 of 4 micro-tasks" in reasons["A1"] and "A3" not in reasons


def test_case_review_on_time_rate(org):
    import json

    from lms.models import ReviewAssignment, ReviewSet, ReviewSubmission

    online, phone, _ = org["teams"]
    past = ReviewSet.create(title="w46", week=dt.date(2026, 11, 9), due_on=dt.date(2026, 11, 13), tiers="[]")
    upcoming = ReviewSet.create(title="w48", week=dt.date(2026, 11, 23), due_on=dt.date(2026, 11, 27), tiers="[]")
    a1, a2, a3 = (org["agents"][n] for n in ("A1", "A2", "A3"))
    on_time = ReviewAssignment.create(review_set=past, user=a1)
    late = ReviewAssignment.create(review_set=past, user=a2)
    ReviewAssignment.create(review_set=past, user=a3)  # never submitted
    early = ReviewAssignment.create(review_set=upcoming, user=a3)  # not due yet, but in on time
    ReviewAssignment.create(review_set=upcoming, user=a1)  # not due yet: does not count
    for assignment, is_late in ((on_time, False), (late, True), (early, False)):
        ReviewSubmission.create(assignment=assignment, version=1, answers=json.dumps({}), technique="t", late=is_late)
    groups = {g.name: g for g in _board(org, [online, phone]).groups("team")}
    assert (groups["在线一组"].reviews_due, groups["在线一组"].reviews_on_time) == (2, 1)
    assert (groups["电话一组"].reviews_due, groups["电话一组"].reviews_on_time) == (2, 1)
