"""KPI read-outs for pages: the registry (direction, unit, bands, minimum denominator) and an
agent's weekly series, each week a ratio of sums."""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from ..models import KpiDaily, User
from .kpi_summary import ratio

BANDS = ("far_below", "below", "met", "exceeded")


@dataclass(frozen=True)
class KpiSpec:
    key: str
    higher_is_better: bool
    unit: str  # "%" for fractions shown as percent, "s" for seconds
    denominator: str  # contacts | responses


REGISTRY = {"fcr": KpiSpec("fcr", True, "%", "contacts"), "aht": KpiSpec("aht", False, "s", "contacts"),
            "csat": KpiSpec("csat", True, "%", "responses")}


def bands(settings: dict, key: str) -> list[float]:
    return settings[f"kpi.{key}.bands"]


def min_denominator(settings: dict, key: str) -> int:
    return settings[f"kpi.{key}.min_responses" if key == "csat" else f"kpi.{key}.min_contacts"]


def band(settings: dict, key: str, value: float | None) -> str | None:
    """Which band a value falls in; thresholds rise (higher is better) or fall (lower is better)."""
    if value is None:
        return None
    thresholds = bands(settings, key)
    spec = REGISTRY[key]
    passed = sum(1 for t in thresholds if (value >= t if spec.higher_is_better else value <= t))
    return BANDS[passed]


@dataclass
class Week:
    start: dt.date
    contacts: int
    responses: int
    values: dict  # kpi -> value or None
    too_few: dict  # kpi -> bool


def weekly(user: User, settings: dict, weeks: int = 12, today: dt.date | None = None) -> list[Week]:
    """The last `weeks` ISO weeks (Monday to Sunday) up to today, oldest first."""
    today = today or dt.date.today()
    first = today - dt.timedelta(days=today.weekday()) - dt.timedelta(weeks=weeks - 1)
    sums = defaultdict(lambda: defaultdict(int))
    for row in KpiDaily.select().where((KpiDaily.user == user) & (KpiDaily.day >= first) & (KpiDaily.day <= today)):
        week = row.day - dt.timedelta(days=row.day.weekday())
        for name in ("contacts", "resolved_first_contact", "handle_seconds", "csat_responses", "csat_positive"):
            sums[week][name] += getattr(row, name)
    result = []
    for i in range(weeks):
        start = first + dt.timedelta(weeks=i)
        s = sums.get(start, defaultdict(int))
        values = {"fcr": ratio(s["resolved_first_contact"], s["contacts"]),
                  "aht": ratio(s["handle_seconds"], s["contacts"]),
                  "csat": ratio(s["csat_positive"], s["csat_responses"])}
        too_few = {k: values[k] is not None and (s["csat_responses"] if k == "csat" else s["contacts"])
                   < min_denominator(settings, k) for k in REGISTRY}
        result.append(Week(start, s["contacts"], s["csat_responses"], values, too_few))
    return result
