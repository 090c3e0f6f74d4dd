"""Placement rules at their edges: tenure, percentile boundary, ties, missing data; applying moves."""
import datetime as dt
import json

import pytest

from lms.commands import cli
from lms.config import load_settings
from lms.models import Activity, Completion, Module, TierChange, Track, User
from lms.services import accounts, clock, placement
from lms.services.content_pack import read_pack
from lms.services.content_store import load_pack

from ..factories import add_kpi_days, make_user
from ..test_cli_content import ROOT

SETTINGS = load_settings(None, environ={"LMS_CONFIG": ""})


@pytest.fixture
def content(conn):
    load_pack(read_pack(ROOT / "courses"))


def _pass_track(agent, tier):
    track = Track.get(Track.tier == tier)
    for activity in Activity.select().join(Module).where((Module.track == track) & Activity.required):
        Completion.create(user=agent, activity=activity)


def test_add_months_clamps_to_the_month_end():
    assert placement.add_months(dt.date(2026, 8, 31), 6) == dt.date(2027, 2, 28)
    assert placement.add_months(dt.date(2026, 5, 15), 6) == dt.date(2026, 11, 15)


def test_tenure_the_day_before_and_the_day_of_six_months(content):
    agent = make_user(hire_date=dt.date(2026, 5, 15))
    _pass_track(agent, "newcomer")
    before = placement.Reviewer(SETTINGS, today=dt.date(2026, 11, 14)).review([agent])[0]
    on_the_day = placement.Reviewer(SETTINGS, today=dt.date(2026, 11, 15)).review([agent])[0]
    assert [c.met for c in before.checks] == [True, False] and not before.ready
    assert on_the_day.ready and on_the_day.proposed == "advanced"


def test_newcomer_track_must_be_passed(content):
    agent = make_user(hire_date=dt.date(2025, 1, 6))
    proposal = placement.Reviewer(SETTINGS, today=dt.date(2026, 11, 24)).review([agent])[0]
    assert [c.met for c in proposal.checks] == [False, True]


@pytest.mark.parametrize("scores, agent, percent, met", [
    ({1: .9, 2: .8, 3: .7, 4: .6, 5: .5, 6: .4, 7: .3, 8: .2, 9: .1, 10: .0}, 1, 10, True),   # 0 of 10 higher
    ({1: .9, 2: .8, 3: .7, 4: .6, 5: .5, 6: .4, 7: .3, 8: .2, 9: .1, 10: .0}, 2, 10, False),  # 1 of 10 = 10%
    ({1: .9, 2: .8, 3: .7, 4: .6, 5: .5, 6: .4, 7: .3, 8: .2, 9: .1, 10: .0}, 2, 11, True),   # 10% < 11%
    ({1: .9, 2: .9, 3: .7, 4: .6, 5: .5, 6: .4, 7: .3, 8: .2, 9: .1, 10: .0}, 2, 10, True),   # tied at the top
    ({1: .9, 2: None, 3: .7}, 2, 10, False),                                                  # no data
    ({1: .9, 2: .8}, 3, 10, False),                                                           # not in the pool
])
def test_percentile_boundary_ties_and_missing_data(scores, agent, percent, met):
    check = placement.top_percent_check(scores, agent, percent)
    assert check.met is met
    if scores.get(agent) is None:
        assert check.detail == "no KPI data"


def test_elite_rules_unmet_without_kpi_data_or_gate(content):
    agent = make_user(tier="advanced")
    _pass_track(agent, "advanced")
    proposal = placement.Reviewer(SETTINGS).review([agent])[0]
    rules = {c.rule % c.values: c for c in proposal.checks}
    assert rules["进阶训：复杂问题与案例工作坊 passed"].met
    assert not rules["gate assessment passed"].met and rules["gate assessment passed"].values["slug"] == "elite-gate"
    assert not rules["top 10% by composite KPI"].met and not proposal.ready


def test_elite_ready_with_gate_and_kpi_source(content):
    gate = Activity.get(Activity.slug == "elite-gate")
    settings = SETTINGS
    agents = [make_user(tier="advanced") for _ in range(3)]
    for agent in agents:
        _pass_track(agent, "advanced")
    Completion.create(user=agents[0], activity=gate)
    source = lambda pool, day, weeks: {a.id: score for a, score in zip(pool, (.9, .5, .4))}  # noqa: E731
    proposals = {p.agent.id: p for p in placement.Reviewer(settings, composite=source).review(agents)}
    assert proposals[agents[0].id].ready and not proposals[agents[1].id].ready


def test_apply_records_who_when_why_and_no_silent_demotion(content):
    agent = make_user(hire_date=dt.date(2025, 1, 6))
    manager = make_user(("manager",))
    _pass_track(agent, "newcomer")
    proposal = placement.Reviewer(SETTINGS, today=dt.date(2026, 11, 24)).review([agent])[0]
    assert placement.apply(proposal, actor=manager)
    change = TierChange.select().where(TierChange.user == agent).order_by(TierChange.id.desc()).first()
    assert change.tier == "advanced" and change.changed_by_id == manager.id and "新人训：四周上岗 passed" in change.reason
    with pytest.raises(accounts.AccountError):
        placement.move_down(User.get_by_id(agent.id), "newcomer", manager, "  ")
    with pytest.raises(accounts.AccountError):
        placement.move_down(User.get_by_id(agent.id), "elite", manager, "not down")
    assert placement.move_down(User.get_by_id(agent.id), "newcomer", manager, "repeated compliance breaches")
    assert User.get_by_id(agent.id).tier == "newcomer"


def test_cli_review_and_apply(runner, content):
    ready = make_user(employee_no="A1", hire_date=dt.date(2025, 1, 6))
    make_user(employee_no="A2", hire_date=dt.date(2025, 1, 6))
    _pass_track(ready, "newcomer")
    out = json.loads(runner.invoke(cli, ["placement", "review", "--json"]).stdout)
    rows = {p["employee_no"]: p for p in out["proposals"]}
    assert rows["A1"]["ready"] and not rows["A2"]["ready"] and out["applied"] == []
    assert User.get(User.employee_no == "A1").tier == "newcomer"
    applied = json.loads(runner.invoke(cli, ["placement", "review", "--apply", "--json"]).stdout)
    assert applied["applied"] == ["A1"] and User.get(User.employee_no == "A1").tier == "advanced"


def test_nightly_job_applies_only_with_auto_apply(app, runner, content):
    ready = make_user(employee_no="A1", hire_date=dt.date(2025, 1, 6))
    _pass_track(ready, "newcomer")
    out = json.loads(runner.invoke(cli, ["jobs", "run", "placement-review", "--date", "2026-11-24", "--json"]).stdout)
    assert out["ready"] == 1 and out["applied"] == [] and User.get_by_id(ready.id).tier == "newcomer"
    app.extensions["lms"].settings["placement.auto_apply"] = True
    out = json.loads(runner.invoke(cli, ["jobs", "run", "placement-review", "--date", "2026-11-24", "--json"]).stdout)
    assert out["applied"] == ["A1"] and User.get_by_id(ready.id).tier == "advanced"


def test_composite_from_imported_kpis(content):
    from lms.models import KpiDaily
    from lms.services.kpi_composite import composite_scores

    agents = [make_user(tier="advanced") for _ in range(4)]
    day = dt.date(2026, 11, 20)
    # fcr, aht, csat per agent; agent 3 has too few contacts.
    for agent, (resolved, handle, positive, contacts) in zip(agents, [(90, 200, 95, 100), (60, 400, 70, 100),
                                                                        (90, 200, 95, 100), (10, 10, 10, 10)]):
        add_kpi_days(agent, (day, contacts, resolved, handle * contacts, contacts, positive))
    scores = composite_scores(agents, day, 8, {"fcr": .4, "csat": .4, "aht": .2}, 100)
    assert scores[agents[0].id] == scores[agents[2].id] == pytest.approx(0.75)  # tied best: ranks 0.5 and 1
    assert scores[agents[1].id] == 0.0 and scores[agents[3].id] is None
    check = placement.top_percent_check(scores, agents[0].id, 10)
    assert check.met  # nobody scores higher
    add_kpi_days(agents[1], (day - dt.timedelta(weeks=9), 500, 500, 500, 500, 500))  # outside the window
    assert composite_scores(agents, day, 8, {"fcr": 1, "csat": 1, "aht": 1}, 100)[agents[1].id] == 0.0
    assert KpiDaily.select().where(KpiDaily.user == agents[1]).count() == 2


def test_reviewer_uses_the_kpi_composite_by_default(content):
    agent = make_user(tier="advanced")
    _pass_track(agent, "advanced")
    add_kpi_days(agent, (clock.today() - dt.timedelta(days=1), 200, 150, 60000, 100, 90))
    proposal = placement.Reviewer(SETTINGS).review([agent])[0]
    kpi = next(c for c in proposal.checks if "composite" in c.rule)
    assert kpi.met and kpi.values["n"] == 1
