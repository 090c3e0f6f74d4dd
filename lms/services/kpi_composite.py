"""The composite KPI score used for the elite tier: each agent's FCR, CSAT and AHT over the
last weeks, as a percentile rank among the agents compared (AHT: lower ranks higher), weighted.

Ranks keep the score free of units and targets; an agent below the minimum of contacts (or of
CSAT responses) has no score ("no KPI data"), never a guessed one.
"""
from __future__ import annotations

import datetime as dt

from peewee import fn

from ..models import KpiWeekly, User
from .kpi_rollup import monday


def _percentile_ranks(values: dict[int, float], higher_is_better: bool) -> dict[int, float]:
    """0 for the worst, 1 for the best; ties share the mean of their ranks."""
    if len(values) == 1:
        return {agent: 1.0 for agent in values}
    ordered = sorted(values.items(), key=lambda item: item[1], reverse=not higher_is_better)
    ranks: dict[int, float] = {}
    i = 0
    while i < len(ordered):
        j = i
        while j + 1 < len(ordered) and ordered[j + 1][1] == ordered[i][1]:
            j += 1
        for k in range(i, j + 1):
            ranks[ordered[k][0]] = ((i + j) / 2) / (len(ordered) - 1)
        i = j + 1
    return ranks


def composite_scores(agents: list[User], day: dt.date, weeks: int, weights: dict[str, float],
                     min_contacts: int) -> dict[int, float | None]:
    # The last `weeks` weekly rollups, the week of `day` included (read from the rollups, so a
    # review of thousands of agents reads one row per agent-week).
    first = monday(day) - dt.timedelta(weeks=weeks - 1)
    rows = (KpiWeekly.select(KpiWeekly.user, fn.SUM(KpiWeekly.contacts).alias("contacts"),
                             fn.SUM(KpiWeekly.resolved_first_contact).alias("resolved"),
                             fn.SUM(KpiWeekly.handle_seconds).alias("handle"),
                             fn.SUM(KpiWeekly.csat_responses).alias("responses"),
                             fn.SUM(KpiWeekly.csat_positive).alias("positive"))
            .where(KpiWeekly.user.in_([a.id for a in agents] or [0]) & (KpiWeekly.week >= first)
                   & (KpiWeekly.week <= day))
            .group_by(KpiWeekly.user).dicts())
    fcr, aht, csat = {}, {}, {}
    for row in rows:
        contacts, responses = int(row["contacts"] or 0), int(row["responses"] or 0)
        if contacts < min_contacts or not responses:
            continue  # too few contacts to say anything
        fcr[row["user"]] = int(row["resolved"]) / contacts
        aht[row["user"]] = int(row["handle"]) / contacts
        csat[row["user"]] = int(row["positive"]) / responses
    ranks = {"fcr": _percentile_ranks(fcr, True), "csat": _percentile_ranks(csat, True),
             "aht": _percentile_ranks(aht, False)}
    total = sum(weights.values()) or 1.0
    return {agent.id: (sum(weights[k] * ranks[k][agent.id] for k in ranks) / total if agent.id in fcr else None)
            for agent in agents}
