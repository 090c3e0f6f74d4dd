"""Skills vs KPIs: across agents, how each skill's evidence (quiz items, rubric criteria, checker
findings) goes with each KPI — Spearman's rank correlation with n and a 95% confidence interval
(Fisher's z with the Bonett-Wright standard error for Spearman's rho). Rubric criteria are also
taken one by one, to show which of them predict no KPI at all.

An agent's skill score is the mean of their evidence for it over the last `days` days; their
KPI the ratio of sums over the weekly rollups of the same period, used only with enough
contacts (responses, for CSAT). A correlation is an association across agents, not an effect.
"""
from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from dataclasses import dataclass
from statistics import NormalDist

from peewee import fn

from ..models import Evidence, KpiWeekly, Membership, UserRole
from . import clock
from .kpi_report import REGISTRY, min_denominator
from .kpi_rollup import monday
from .kpi_summary import rates

KPIS = ("fcr", "aht", "csat")
MIN_N = 10


@dataclass(frozen=True)
class Link:
    measure: str  # a skill slug, or a rubric criterion id
    kind: str  # skill | criterion
    kpi: str
    n: int
    r: float | None  # None below MIN_N agents
    ci_low: float | None
    ci_high: float | None

    @property
    def clear(self) -> bool:
        """The interval leaves out zero: a link in one direction."""
        return self.r is not None and (self.ci_low > 0 or self.ci_high < 0)


def ranks(values: list[float]) -> list[float]:
    """1-based ranks, ties sharing their mean rank."""
    order = sorted(range(len(values)), key=values.__getitem__)
    result = [0.0] * len(values)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and values[order[j + 1]] == values[order[i]]:
            j += 1
        for k in range(i, j + 1):
            result[order[k]] = (i + j) / 2 + 1
        i = j + 1
    return result


def pearson(xs: list[float], ys: list[float]) -> float | None:
    n = len(xs)
    mx, my = sum(xs) / n, sum(ys) / n
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys))
    sxx, syy = sum((x - mx) ** 2 for x in xs), sum((y - my) ** 2 for y in ys)
    return sxy / math.sqrt(sxx * syy) if sxx and syy else None


def spearman(xs: list[float], ys: list[float], confidence: float = 0.95) -> tuple[float | None, float | None, float | None]:
    """(rho, low, high); all None below MIN_N pairs or without variation."""
    n = len(xs)
    if n < MIN_N:
        return None, None, None
    rho = pearson(ranks(xs), ranks(ys))
    if rho is None:
        return None, None, None
    low, high = interval(rho, n, confidence)
    return rho, low, high


def interval(rho: float, n: int, confidence: float = 0.95) -> tuple[float, float]:
    """Fisher's z interval for Spearman's rho, with the Bonett-Wright standard error."""
    z = math.atanh(max(min(rho, 0.999999), -0.999999))
    error = math.sqrt((1 + rho * rho / 2) / (n - 3))
    quantile = NormalDist().inv_cdf(0.5 + confidence / 2)
    return math.tanh(z - quantile * error), math.tanh(z + quantile * error)


def _agents(team_ids):
    members = Membership.select(Membership.user).where(Membership.ended_on.is_null())
    if team_ids is not None:
        members = members.where(Membership.team.in_(list(team_ids) or [0]))
    return members.where(Membership.user.in_(UserRole.select(UserRole.user).where(UserRole.role == "agent")))


def agent_kpis(team_ids, settings: dict, since: dt.date, today: dt.date) -> dict[str, dict[int, float]]:
    """KPI -> {agent: value} over the weeks from `since`, for agents with enough contacts."""
    names = ("contacts", "resolved_first_contact", "handle_seconds", "csat_responses", "csat_positive")
    result = {kpi: {} for kpi in KPIS}
    for row in (KpiWeekly.select(KpiWeekly.user, *[fn.SUM(getattr(KpiWeekly, n)).alias(n) for n in names])
                .where(KpiWeekly.user.in_(_agents(team_ids)) & (KpiWeekly.week >= monday(since))
                       & (KpiWeekly.week <= today))
                .group_by(KpiWeekly.user).dicts()):
        sums = {n: int(row[n] or 0) for n in names}
        values = rates(sums)
        for kpi in KPIS:
            if values[kpi] is not None and sums[REGISTRY[kpi].denominator] >= min_denominator(settings, kpi):
                result[kpi][row["user"]] = values[kpi]
    return result


def agent_evidence(team_ids, since: dt.date) -> tuple[dict, dict]:
    """({skill: {agent: mean score}}, {rubric criterion: {agent: mean score}}) since that day."""
    start = dt.datetime.combine(since, dt.time())
    skills = defaultdict(dict)
    for user_id, skill, mean in (Evidence.select(Evidence.user, Evidence.skill, fn.AVG(Evidence.score))
                                 .where(Evidence.user.in_(_agents(team_ids)) & (Evidence.at >= start))
                                 .group_by(Evidence.user, Evidence.skill).tuples()):
        skills[skill][user_id] = float(mean)
    totals = defaultdict(lambda: defaultdict(lambda: [0.0, 0]))
    for user_id, source, score in (Evidence.select(Evidence.user, Evidence.source, Evidence.score)
                                   .where(Evidence.user.in_(_agents(team_ids)) & (Evidence.at >= start)
                                          & Evidence.source.startswith("rubric:")).tuples()):
        criterion = source.rsplit("/", 1)[-1]  # rubric:<drill>/<criterion>
        total = totals[criterion][user_id]
        total[0] += score
        total[1] += 1
    criteria = {c: {u: s / k for u, (s, k) in agents.items()} for c, agents in totals.items()}
    return dict(skills), criteria


def links(team_ids, settings: dict, days: int = 90, today: dt.date | None = None) -> list[Link]:
    """Every skill and rubric criterion against every KPI, over the agents of these teams."""
    today = today or clock.today()
    since = today - dt.timedelta(days=days)
    kpis = agent_kpis(team_ids, settings, since, today)
    skills, criteria = agent_evidence(team_ids, since)
    found = []
    for kind, measures in (("skill", skills), ("criterion", criteria)):
        for measure in sorted(measures):
            scores = measures[measure]
            for kpi in KPIS:
                common = sorted(scores.keys() & kpis[kpi].keys())
                r, low, high = spearman([scores[u] for u in common], [kpis[kpi][u] for u in common])
                found.append(Link(measure, kind, kpi, len(common), r, low, high))
    return found
