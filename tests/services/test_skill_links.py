"""Skills vs KPIs: Spearman's rho, its interval, and the links found across agents."""
import datetime as dt
import random

import pytest

from lms.config import load_settings
from lms.models import Evidence
from lms.services import clock, skill_links

from ..factories import add_kpi_days, csrf_token, login, make_site, make_team, make_user

SETTINGS = load_settings(None, environ={"LMS_CONFIG": ""})


def test_ranks_share_ties():
    assert skill_links.ranks([10, 20, 20, 5]) == [2, 3.5, 3.5, 1]


def test_spearman_and_its_interval():
    xs = list(range(12))
    assert skill_links.spearman(xs, [x * x for x in xs])[0] == pytest.approx(1.0)
    assert skill_links.spearman(xs, [-x for x in xs])[0] == pytest.approx(-1.0)
    assert skill_links.spearman(xs[:9], xs[:9]) == (None, None, None)  # fewer than MIN_N agents
    assert skill_links.spearman(xs, [1] * 12) == (None, None, None)  # no variation
    low, high = skill_links.interval(0.5, 30)  # by hand: tanh(0.5493 ± 1.96 × sqrt(1.125 / 27))
    assert (low, high) == (pytest.approx(0.148, abs=1e-3), pytest.approx(0.740, abs=1e-3))


@pytest.fixture
def agents(app, conn):
    clock.freeze(dt.datetime(2026, 11, 24, 2))
    team = make_team("在线一组", make_site("上海"))
    rng = random.Random(3)
    made = []
    for i in range(24):
        agent = make_user(("agent",), team, f"S{i:02d}")
        empathy = i / 23
        positive = round(10 + 8 * empathy + rng.uniform(-1, 1))  # of 20 responses: follows empathy
        add_kpi_days(agent, (dt.date(2026, 11, 10), 40, 20 + rng.randint(-5, 5), 12000, 20, positive))
        at = dt.datetime(2026, 11, 1, 3)
        Evidence.create(user=agent, skill="empathy", score=empathy, source="quiz:b/q1", at=at)
        Evidence.create(user=agent, skill="greeting", score=rng.random(), source="rubric:d1/greeting", at=at)
        Evidence.create(user=agent, skill="empathy", score=0.0, source="quiz:b/q1", at=dt.datetime(2026, 1, 1))  # too old
        made.append(agent)
    return {"team": team, "agents": made}


def test_links_find_the_skill_that_goes_with_csat_and_the_silent_criterion(agents):
    found = {(l.kind, l.measure, l.kpi): l for l in skill_links.links(None, SETTINGS, 90, clock.today())}
    empathy = found[("skill", "empathy", "csat")]
    assert empathy.n == 24 and empathy.r > 0.8 and empathy.clear
    greeting = found[("criterion", "greeting", "csat")]
    assert greeting.n == 24 and not greeting.clear


def test_the_page_lists_links_and_silent_criteria(app, agents):
    manager = make_user(("manager",), None, "M1", scopes=[agents["team"]])
    client = app.test_client()
    login(client, manager)
    client.post("/locale/en", data={"csrf_token": csrf_token(client, "/")})
    page = client.get("/impact/skills").get_data(as_text=True)
    assert "Rubric criteria that predict no KPI" in page and "<code>greeting</code>" in page and "n=24" in page
    agent_client = app.test_client()
    login(agent_client, agents["agents"][0])
    assert agent_client.get("/impact/skills").status_code == 403
