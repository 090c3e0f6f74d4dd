"""Capability profile on constructed evidence: exact decayed scores, the minimum of evidence,
team medians over current members, and a query count that does not grow with the team."""
import datetime as dt
from contextlib import contextmanager

import pytest

from lms.db import database
from lms.models import Evidence, Membership, Skill
from lms.services import accounts, capability, clock

from ..factories import make_site, make_team, make_user

NOW = dt.datetime(2026, 3, 31, 6)  # UTC
TODAY = NOW.date()


def _at(days_ago: int, hour: int = 3) -> dt.datetime:
    return dt.datetime.combine(TODAY - dt.timedelta(days=days_ago), dt.time(hour))


def _evidence(user, skill, *rows):
    for days_ago, score in rows:
        Evidence.create(user=user, skill=skill, score=score, source="quiz:bank/q", at=_at(days_ago))


@pytest.fixture
def settings(app, conn):
    clock.freeze(NOW)
    Skill.create(slug="empathy", name="共情表达")
    Skill.create(slug="compliance", name="合规")
    return dict(app.extensions["lms"].settings)


@contextmanager
def counted_queries():
    real = database.obj.execute_sql
    calls = []

    def spy(sql, *args, **kwargs):
        calls.append(sql)
        return real(sql, *args, **kwargs)

    database.obj.execute_sql = spy
    try:
        yield calls
    finally:
        del database.obj.execute_sql


def test_weights_halve_every_half_life(settings):
    assert settings["profile.half_life_days"] == 30 and settings["profile.min_evidence"] == 3
    assert capability.weight(0, 30) == 1.0
    assert capability.weight(30, 30) == 0.5
    assert capability.weight(60, 30) == 0.25
    assert capability.weight(-2, 30) == 1.0  # a clock skew never weighs more than today


def test_exact_decayed_score_from_constructed_evidence(settings):
    agent = make_user(("agent",), None, "A1")
    _evidence(agent, "empathy", (0, 0.9), (30, 0.6), (60, 0.3))
    found = capability.scores_for([agent], settings)[agent.id]["empathy"]
    # (1 * 0.9 + 0.5 * 0.6 + 0.25 * 0.3) / (1 + 0.5 + 0.25) = 1.275 / 1.75
    assert found.score == pytest.approx(1.275 / 1.75, abs=1e-12)
    assert found.count == 3 and found.weight == pytest.approx(1.75) and found.last_day == TODAY


def test_rows_of_one_day_each_count_and_the_half_life_is_configurable(settings):
    agent = make_user(("agent",), None, "A1")
    _evidence(agent, "empathy", (10, 1.0), (10, 0.0), (0, 0.4))
    settings["profile.half_life_days"] = 10
    found = capability.scores_for([agent], settings)[agent.id]["empathy"]
    # two rows of 10 days ago weigh 0.5 each, today's 1: (0.5 + 0 + 0.4) / 2
    assert found.score == pytest.approx(0.45, abs=1e-12)
    assert found.count == 3


def test_below_the_minimum_of_evidence_there_is_no_score(settings):
    agent = make_user(("agent",), None, "A1")
    _evidence(agent, "empathy", (1, 1.0), (2, 1.0))
    _evidence(agent, "compliance", (1, 0.5), (2, 0.5), (3, 0.5))
    scores = capability.scores_for([agent], settings)[agent.id]
    assert scores["empathy"].score is None and scores["empathy"].count == 2
    assert scores["compliance"].score == pytest.approx(0.5)
    settings["profile.min_evidence"] = 2
    assert capability.scores_for([agent], settings)[agent.id]["empathy"].score == pytest.approx(1.0)


def test_team_median_over_current_active_members_with_a_score(settings):
    team = make_team("在线一组", make_site())
    members = [make_user(("agent",), team, f"A{i}") for i in range(4)]
    for member, score in zip(members, (0.2, 0.5, 0.9, 0.7)):
        _evidence(member, "empathy", (1, score), (2, score), (3, score))
    _evidence(members[0], "compliance", (1, 0.4), (2, 0.4), (3, 0.4))
    thin = make_user(("agent",), team, "A8")
    _evidence(thin, "empathy", (1, 0.0))  # not enough evidence: not in the median
    gone = make_user(("agent",), team, "A9")
    _evidence(gone, "empathy", (1, 0.0), (2, 0.0), (3, 0.0))
    accounts.set_team(gone, make_team("电话一组"), on=TODAY)  # left the team: not in the median
    left = make_user(("agent",), team, "A10")
    _evidence(left, "empathy", (1, 0.0), (2, 0.0), (3, 0.0))
    accounts.deactivate(left)
    median, n, _ = capability.team_medians(team, settings)
    assert median["empathy"] == pytest.approx(0.6) and n["empathy"] == 4  # (0.5 + 0.7) / 2
    assert median["compliance"] == pytest.approx(0.4) and n["compliance"] == 1
    found = capability.profile(members[1], settings)
    assert found.team.id == team.id
    assert found.scores["empathy"].score == pytest.approx(0.5)
    assert found.median["empathy"] == pytest.approx(0.6) and found.median_n["empathy"] == 4
    assert [s.slug for s in found.skills] == ["empathy", "compliance"]


def test_an_agent_without_a_team_has_scores_and_no_median(settings):
    agent = make_user(("agent",), None, "A1")
    _evidence(agent, "listening", (0, 0.8), (0, 0.6), (0, 0.7))  # a slug not in the framework is still shown
    found = capability.profile(agent, settings)
    assert found.team is None and found.median == {}
    assert found.scores["listening"].score == pytest.approx(0.7)
    assert [s.slug for s in found.skills] == ["empathy", "compliance", "listening"]


def test_the_team_median_costs_the_same_queries_for_3_or_30_members(settings):
    def build(name, size):
        team = make_team(name, make_site())
        for i in range(size):
            member = make_user(("agent",), team, f"{name}-{i}", password=None)
            _evidence(member, "empathy", (1, 0.5), (5, 0.6), (9, 0.7))
            _evidence(member, "compliance", (2, 0.5), (3, 0.6), (4, 0.7))
        return team, member

    small, small_agent = build("S", 3)
    large, large_agent = build("L", 30)
    counts = []
    for team, agent in ((small, small_agent), (large, large_agent)):
        team = type(team).get_by_id(team.id)
        agent = type(agent).get_by_id(agent.id)
        with counted_queries() as calls:
            capability.team_medians(team, settings)
        with counted_queries() as profile_calls:
            capability.profile(agent, settings)
        counts.append((len(calls), len(profile_calls)))
    assert counts[0] == counts[1]
    assert counts[0][0] == 1
    assert Membership.select().count() == 33
