"""Training impact statistics on synthetic contact-center data (no database, no fixtures).

The simulated FCR of an agent on a day = its baseline + a common calendar trend (flat, then
rising: a naive before/after would take it for a training effect) + a weekday effect + a tenure
learning curve (+ whatever the test injects); daily contacts ~ 30-50 on weekdays, fewer at
weekends, some days off; resolved contacts ~ Binomial(contacts, FCR).
"""
from __future__ import annotations

import dataclasses
import math
import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache

from lms.services.impact_stats import (AgentSeries, ImpactSettings, _bootstrap, _Design, estimate,
                                       months_before, ratio_of_sums, tenure_band)

DAY0 = date(2025, 1, 6)  # a Monday; simulated days are offsets from it
SIM_DAYS = 240
FAST = ImpactSettings(bootstrap=400)  # enough resamples for the CI checks, quick


@dataclass(frozen=True)
class Agent:
    hire: int  # day offset
    trained: int | None  # day offset of completion
    baseline: float


def calendar_trend(day: int) -> float:
    """Flat for 100 days, then +0.002 FCR a day: about +0.06 between a before and after window."""
    return 0.002 * max(0, day - 100)


def weekday_effect(day: int) -> float:
    return {0: -0.04, 4: 0.02}.get((DAY0 + timedelta(days=day)).weekday(), 0.0)


def learning_curve(tenure_days: int, depth: float = 0.15, pace: float = 60) -> float:
    """Newcomers start `depth` below their baseline and close the gap with tenure."""
    return -depth * math.exp(-tenure_days / pace)


def daily_contacts(rng: random.Random, day: int) -> int:
    if rng.random() < 0.05:
        return 0  # day off
    weekend = (DAY0 + timedelta(days=day)).weekday() >= 5
    return rng.randint(5, 12) if weekend else rng.randint(30, 50)


def simulate_fcr(agents: list[Agent], fcr: Callable[[Agent, int], float], seed: int) -> list[AgentSeries]:
    """(resolved, contacts) per day from the agent's hire day on."""
    rng = random.Random(seed)
    series = []
    for agent_id, agent in enumerate(agents, start=1):
        days = {}
        for day in range(max(0, agent.hire), SIM_DAYS):
            contacts = daily_contacts(rng, day)
            if contacts:
                p = min(0.99, max(0.01, fcr(agent, day)))
                days[DAY0 + timedelta(days=day)] = (float(sum(rng.random() < p for _ in range(contacts))),
                                                    float(contacts))
        series.append(_series(agent_id, agent, days))
    return series


def _series(agent_id: int, agent: Agent, days: dict) -> AgentSeries:
    trained_on = None if agent.trained is None else DAY0 + timedelta(days=agent.trained)
    return AgentSeries(agent_id, DAY0 + timedelta(days=agent.hire), trained_on, days)


def veteran_workforce(seed: int, n_trained: int = 100, n_untrained: int = 100,
                      completions: tuple[int, int] = (150, 200)) -> list[Agent]:
    """Tenure 3-12 months or over a year; completions spread over `completions`; a quarter of the others
    complete the unit after the simulated period: controls that are only not trained yet."""
    rng = random.Random(seed)
    agents = []
    for k in range(n_trained + n_untrained):
        if k < n_trained:
            trained = rng.randint(*completions)
        else:
            trained = rng.randint(SIM_DAYS + 10, SIM_DAYS + 40) if k % 4 == 0 else None
        agents.append(Agent(rng.randint(-700, -100), trained, rng.gauss(0.5, 0.04)))
    return agents


def fcr_with(effect: float = 0.0, pre_drift_per_day: float = 0.0) -> Callable[[Agent, int], float]:
    """The common components, + `effect` after completion, + for trained agents a catch-up of
    `pre_drift_per_day` during the 150 days before completion (a pre-existing trend)."""
    def fcr(agent: Agent, day: int) -> float:
        value = agent.baseline + calendar_trend(day) + weekday_effect(day) + learning_curve(day - agent.hire)
        if agent.trained is not None and agent.trained <= 200:  # the treated group
            value += effect if day > agent.trained else 0.0
            value -= pre_drift_per_day * min(150, max(0, agent.trained - day))
        return value
    return fcr


@cache
def study(effect: float = 0.0, pre_drift_per_day: float = 0.0, seed: int = 11) -> tuple[AgentSeries, ...]:
    return tuple(simulate_fcr(veteran_workforce(seed), fcr_with(effect, pre_drift_per_day), seed))


def covers(result, value: float) -> bool:
    return result.ci_low <= value <= result.ci_high


def test_injected_effect_is_recovered_where_a_naive_before_after_is_not():
    result = estimate(list(study(effect=0.08)), FAST)

    assert result.enough_data and result.reason is None
    assert abs(result.effect - 0.08) < 0.02
    assert covers(result, 0.08)
    assert not covers(result, 0.0)
    naive = result.treated_after - result.treated_before  # the calendar trend is in it
    assert naive - 0.08 > 0.04
    assert abs((result.control_after - result.control_before) - (naive - result.effect)) < 0.01
    assert result.n_treated == 100
    assert result.n_control > 100  # agents trained later are controls of those trained earlier
    assert result.method.startswith("difference-in-differences within tenure bands (<3, 3-12, >=12 months)")


def test_no_effect_ci_covers_zero_and_the_pre_trend_check_passes():
    result = estimate(list(study(effect=0.0)))

    assert covers(result, 0.0)
    assert abs(result.effect) < 0.02
    assert result.pre_trend_ok is True
    assert [p["period"] for p in result.placebo] == [1, 2, 3, 4]
    assert all(p["effect"] is not None and p["ci_low"] <= 0 <= p["ci_high"] for p in result.placebo)
    assert all(p["n_treated"] == result.n_treated for p in result.placebo)  # the same agents, earlier


def test_trained_agents_already_improving_fails_the_pre_trend_check():
    result = estimate(list(study(effect=0.0, pre_drift_per_day=0.001)), FAST)

    assert result.enough_data
    assert result.pre_trend_ok is False
    assert any(p["ci_low"] > 0 for p in result.placebo)
    assert all(p["effect"] > 0.015 for p in result.placebo)  # about +0.029 per period of 29 days


def test_too_few_treated_or_control_agents_is_not_enough_data():
    few_treated = simulate_fcr(veteran_workforce(3, n_trained=5, n_untrained=60), fcr_with(), seed=3)
    result = estimate(few_treated, FAST)
    assert not result.enough_data
    assert result.effect is None and result.ci_low is None and result.ci_high is None
    assert result.n_treated == 5
    assert "treated" in result.reason and "5" in result.reason and "control" not in result.reason

    # completions too close together for a treated agent to be another's not-yet-trained control
    agents = veteran_workforce(4, n_trained=40, n_untrained=6, completions=(150, 160))
    few_controls = simulate_fcr(agents, fcr_with(), seed=4)
    result = estimate(few_controls, FAST)
    assert not result.enough_data
    assert "control" in result.reason and str(result.n_control) in result.reason

    assert not estimate([], FAST).enough_data


def test_kpi_of_a_window_is_a_ratio_of_sums():
    assert ratio_of_sums([(2, 2), (49, 98)]) == 0.51  # not (100% + 50%) / 2
    assert ratio_of_sums([]) is None

    # Every treated agent's after window: a 2-contact day at 100% and a 98-contact day at 50%,
    # i.e. 51% like its before window and like the controls: no change at all, not +24 points.
    settings = ImpactSettings(window_days=7, bootstrap=50)
    completed = DAY0 + timedelta(days=30)
    flat = {completed + timedelta(days=d): (51.0, 100.0) for d in range(-7, 8) if d}
    lumpy = {**flat, completed + timedelta(days=1): (2.0, 2.0), completed + timedelta(days=2): (49.0, 98.0),
             **{completed + timedelta(days=d): (0.0, 0.0) for d in range(3, 8)}}
    hired = DAY0 - timedelta(days=400)
    series = ([AgentSeries(i, hired, completed, lumpy) for i in range(10)]
              + [AgentSeries(i, hired, None, flat) for i in range(10, 20)])
    result = estimate(series, settings)
    assert result.treated_after == 0.51
    assert result.effect == 0.0


def test_controls_come_from_the_treated_agents_tenure_band():
    # Only newcomers complete the unit; newcomers improve fast by themselves, veterans do not.
    rng = random.Random(6)
    newcomers = [Agent(rng.randint(100, 130), rng.randint(170, 185) if k < 50 else None, rng.gauss(0.6, 0.04))
                 for k in range(100)]
    veterans = [Agent(rng.randint(-700, -200), None, rng.gauss(0.6, 0.04)) for _ in range(100)]

    def fcr(agent: Agent, day: int) -> float:
        value = agent.baseline + weekday_effect(day) + learning_curve(day - agent.hire, depth=0.3, pace=40)
        return value + (0.05 if agent.trained is not None and day > agent.trained else 0.0)

    series = simulate_fcr(newcomers + veterans, fcr, seed=6)
    banded = estimate(series, FAST)
    unbanded = estimate(series, dataclasses.replace(FAST, tenure_bands_months=()))

    assert banded.n_control <= 50  # the untrained newcomers only
    assert abs(banded.effect - 0.05) < 0.015 and covers(banded, 0.05)
    assert unbanded.n_control > 100  # veterans too: their flat curve understates the counterfactual
    assert unbanded.effect - 0.05 > 0.025 and not covers(unbanded, 0.05)
    assert unbanded.method.startswith("difference-in-differences (no tenure bands)")


def test_tenure_is_in_whole_calendar_months():
    assert months_before(date(2025, 3, 31), 1) == date(2025, 2, 28)
    assert tenure_band(date(2025, 1, 31), date(2025, 4, 30), (3, 12)) == 0  # 2 whole months
    assert tenure_band(date(2025, 1, 30), date(2025, 4, 30), (3, 12)) == 1
    assert tenure_band(date(2024, 4, 30), date(2025, 4, 30), (3, 12)) == 2


def test_same_input_and_seed_give_the_same_result():
    series = list(study(effect=0.08))
    first, second = estimate(series, FAST), estimate(list(reversed(series)), FAST)
    assert first == second
    assert estimate(series, dataclasses.replace(FAST, seed=1)).ci_low != first.ci_low


def test_an_after_window_below_min_denominator_excludes_the_agent():
    series = list(study(effect=0.08))
    baseline = estimate(series, FAST)
    treated = next(a for a in series if a.trained_on and a.trained_on <= DAY0 + timedelta(days=200))
    # keep 19 contacts after completion: one short of min_denominator
    after = [d for d in sorted(treated.days) if d > treated.trained_on]
    days = {d: v for d, v in treated.days.items() if d not in after[1:]}
    days[after[0]] = (10.0, 19.0)
    series[series.index(treated)] = dataclasses.replace(treated, days=days)

    assert estimate(series, FAST).n_treated == baseline.n_treated - 1


def test_aht_lower_is_better_is_just_a_signed_effect_in_seconds():
    agents = veteran_workforce(9)

    def aht(agent: Agent, day: int) -> float:
        seconds = 300 + 600 * (agent.baseline - 0.5) - 0.5 * max(0, day - 100)  # calls get shorter
        seconds += 15 if (DAY0 + timedelta(days=day)).weekday() == 0 else 0
        seconds -= 200 * learning_curve(day - agent.hire)  # newcomers are slower
        trained = agent.trained is not None and agent.trained <= 200
        return seconds - (30 if trained and day > agent.trained else 0)

    rng = random.Random(9)
    series = []
    for agent_id, agent in enumerate(agents, start=1):
        days = {}
        for day in range(max(0, agent.hire), SIM_DAYS):
            contacts = daily_contacts(rng, day)
            if contacts:
                handle = contacts * aht(agent, day) + rng.gauss(0, 150 * math.sqrt(contacts))
                days[DAY0 + timedelta(days=day)] = (handle, float(contacts))
        series.append(_series(agent_id, agent, days))

    result = estimate(series, FAST)
    assert abs(result.effect - (-30)) < 5
    assert covers(result, -30)
    assert result.treated_after - result.treated_before < -40  # naive: trend + effect


def test_the_packed_bootstrap_equals_a_plain_loop_over_the_same_draws():
    # AHT-like changes (seconds, both signs); few controls, so some cohorts go undrawn
    rng = random.Random(3)
    cohorts = [[(j, rng.gauss(-20, 40)) for j in sorted(rng.sample(range(10), 3))] for _ in range(4)]
    design = _Design(treated=list(range(12)), treated_changes=[rng.gauss(-30, 50) for _ in range(12)],
                     treated_cohort=[k % 4 for k in range(12)], cohort_events=[0, 0, 1, 1],
                     cohort_bands=[0, 1, 0, 1], cohorts=cohorts, controls=list(range(10)))

    draws, plain = random.Random(8), []
    for _ in range(300):
        treated = draws.choices(range(12), k=12)
        drawn = Counter(draws.choices(range(10), k=10))
        differences = []
        for i in treated:
            cohort = cohorts[design.treated_cohort[i]]
            weight = sum(drawn[j] for j, _ in cohort)
            if weight:
                counterfactual = sum(drawn[j] * change for j, change in cohort) / weight
                differences.append(design.treated_changes[i] - counterfactual)
        if differences:
            plain.append(sum(differences) / len(differences))

    packed = _bootstrap(design, 300, random.Random(8))
    assert len(packed) == len(plain)
    assert max(abs(a - b) for a, b in zip(packed, plain)) < 1e-9
