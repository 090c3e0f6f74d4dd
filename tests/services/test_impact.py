"""The impact report from the database: completion dates, the estimate on an injected effect,
the cache (a page view never recomputes; new data does), the CLI and the page."""
import datetime as dt
import json
import random

import pytest

from lms.commands import cli
from lms.models import Activity, Completion, ImpactCache, KpiDaily, Module, Track
from lms.services import clock, impact, kpi_rollup

from ..factories import add_kpi_days, csrf_token, login, make_site, make_team, make_user

TODAY = dt.date(2026, 11, 24)
EFFECT = 0.10


@pytest.fixture
def study(app, conn):
    """40 agents; 20 finish the module on staggered days and resolve 10 points more afterwards."""
    clock.freeze(dt.datetime(2026, 11, 24, 2))
    app.extensions["lms"].settings["impact.bootstrap"] = 200
    track = Track.create(slug="adv", title="进阶", tier="advanced")
    module = Module.create(track=track, slug="diagnosis", title="问题诊断", position=1)
    lesson = Activity.create(module=module, slug="diagnosis-1", kind="lesson", title="课", position=1)
    Module.create(track=track, slug="empty", title="空模块", position=2)
    team = make_team("在线一组", make_site("上海"))
    rng = random.Random(7)
    rows = []
    agents = []
    for i in range(40):
        agent = make_user(("agent",), team, f"K{i:02d}", hire_date=dt.date(2025, 6, 2))
        agents.append(agent)
        finished = TODAY - dt.timedelta(days=40 + 2 * i) if i < 20 else None
        if finished:
            Completion.create(user=agent, activity=lesson, completed_at=dt.datetime.combine(finished, dt.time(3)))
        base = rng.uniform(0.6, 0.75)
        for back in range(1, 240):
            day = TODAY - dt.timedelta(days=back)
            rate = base + 0.0003 * (240 - back) + (EFFECT if finished and day > finished else 0)
            contacts = 40
            resolved = sum(rng.random() < rate for _ in range(contacts))
            rows.append({"user": agent.id, "day": day, "week": kpi_rollup.monday(day), "contacts": contacts,
                         "resolved_first_contact": resolved, "handle_seconds": contacts * 300,
                         "csat_responses": 10, "csat_positive": 8})
    for start in range(0, len(rows), 1000):
        KpiDaily.insert_many(rows[start:start + 1000]).execute()
    return {"module": module, "agents": agents, "team": team}


def test_completion_dates_need_every_required_activity(study):
    unit = impact.find_unit("diagnosis")
    dates = impact.completion_dates(unit, impact._agents(None))
    assert len(dates) == 20 and dates[study["agents"][0].id] == TODAY - dt.timedelta(days=40)
    assert impact.completion_dates(impact.find_unit("adv"), impact._agents(None)).keys() == dates.keys()
    with pytest.raises(impact.UnknownUnit):
        impact.find_unit("nope")


def test_the_injected_effect_is_recovered_and_cached(app, study):
    settings = app.extensions["lms"].settings
    first = impact.report(impact.find_unit("diagnosis"), "fcr", None, settings)
    result = first.result
    assert result.enough_data and not first.cached
    assert abs(result.effect - EFFECT) < 0.03 and result.ci_low < EFFECT < result.ci_high and result.ci_low > 0
    assert (result.n_treated, result.n_control) == (20, 20) or result.n_control >= 10
    again = impact.report(impact.find_unit("diagnosis"), "fcr", None, settings)
    assert again.cached and again.result == result and ImpactCache.select().count() == 1
    add_kpi_days(study["agents"][0], (TODAY, 40, 20, 12000, 10, 8))  # new data: the next view recomputes
    assert not impact.report(impact.find_unit("diagnosis"), "fcr", None, settings).cached


def test_a_unit_nobody_finished_has_not_enough_data(app, study):
    found = impact.report(impact.find_unit("empty"), "csat", None, app.extensions["lms"].settings)
    assert not found.result.enough_data and found.result.n_treated == 0


def test_cli_prints_the_contract_fields(runner, study):
    out = runner.invoke(cli, ["impact", "report", "--unit", "diagnosis", "--kpi", "fcr", "--json"])
    assert out.exit_code == 0, out.output
    document = json.loads(out.stdout)
    assert {"effect", "ci_low", "ci_high", "n_treated", "n_control", "pre_trend_ok"} <= document.keys()
    assert abs(document["effect"] - EFFECT) < 0.03
    text = runner.invoke(cli, ["impact", "report", "--unit", "diagnosis", "--kpi", "fcr"])
    assert "effect +" in text.output and "95% CI" in text.output
    missing = runner.invoke(cli, ["impact", "report", "--unit", "nope", "--kpi", "fcr"])
    assert missing.exit_code == 1 and "no module, track or micro-task skill 'nope'" in missing.output
    assert runner.invoke(cli, ["impact", "report", "--unit", "diagnosis", "--kpi", "nps"]).exit_code == 2


def test_the_page_explains_the_estimate_for_the_managers_teams(app, study):
    manager = make_user(("manager",), None, "M1", scopes=[study["team"]])
    client = app.test_client()
    login(client, manager)
    client.post("/locale/en", data={"csrf_token": csrf_token(client, "/")})
    page = client.get("/impact/?unit=diagnosis&kpi=fcr").get_data(as_text=True)
    assert "Estimated effect" in page and "an estimate, not proof" in page and "tenure band" in page
    assert client.get("/impact/?unit=nope&kpi=fcr").status_code == 404
    assert client.get("/impact/?unit=diagnosis&kpi=nps").status_code == 400
    other = make_user(("manager",), None, "M2", scopes=[make_team("北京一组", make_site("北京"))])
    elsewhere = app.test_client()
    login(elsewhere, other)
    elsewhere.post("/locale/en", data={"csrf_token": csrf_token(elsewhere, "/")})
    assert "Not enough data" in elsewhere.get("/impact/?unit=diagnosis&kpi=fcr").get_data(as_text=True)


def test_a_micro_task_skill_is_a_unit_trained_by_its_fourth_task(study):
    from lms.models import MicroTask, MicroTemplate, Skill

    Skill.create(slug="listening", name="倾听与确认")
    template = MicroTemplate.create(slug="t", tier="newcomer", skill="listening", kpi="fcr", kind="reflection",
                                    title="t", spec="{}")
    agent = study["agents"][0]
    for n in range(5):
        MicroTask.create(user=agent, day=TODAY - dt.timedelta(days=60 - n), template=template,
                         status="done" if n != 1 else "missed", completed_at=dt.datetime(2026, 9, 1))
    unit = impact.find_unit("listening")
    assert unit.kind == "skill" and unit in impact.units()
    assert impact.completion_dates(unit, impact._agents(None)) == {agent.id: TODAY - dt.timedelta(days=56)}
