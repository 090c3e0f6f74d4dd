"""KPI read-outs for pages: the registry (direction, unit, bands, minimum denominator, window)
and an agent's weekly series from the weekly rollups, each week a ratio of sums."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ..models import KpiWeekly, User
from .kpi_rollup import monday
from .kpi_summary import rates

BANDS = ("far_below", "below", "met", "exceeded")


@dataclass(frozen=True)
class KpiSpec:
    key: str
    higher_is_better: bool
    unit: str  # "%" for fractions shown as percent, "s" for seconds
    denominator: str  # the component sum a value is divided by
    window_days: int = 0  # counted over a window after the day (repeat contacts: 7): recent days provisional


REGISTRY = {"fcr": KpiSpec("fcr", True, "%", "contacts"), "aht": KpiSpec("aht", False, "s", "contacts"),
            "csat": KpiSpec("csat", True, "%", "csat_responses"),
            "repeat": KpiSpec("repeat", False, "%", "repeat_base", window_days=7)}


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


def provisional_since(settings: dict, today: dt.date) -> dt.date:
    """Window-based values of this day and later are not final yet."""
    return today - dt.timedelta(days=settings["kpi.provisional_days"] - 1)


@dataclass
class Week:
    start: dt.date
    contacts: int
    responses: int
    values: dict  # kpi -> value or None
    too_few: dict  # kpi -> bool
    provisional: dict  # kpi -> bool: a window-based value whose window has not closed


def weekly(user: User, settings: dict, weeks: int = 12, today: dt.date | None = None) -> list[Week]:
    """The last `weeks` weeks (Monday to Sunday) up to today, oldest first, from the rollups."""
    today = today or dt.date.today()
    first = monday(today) - dt.timedelta(weeks=weeks - 1)
    stored = {row.week: row for row in KpiWeekly.select().where((KpiWeekly.user == user) & (KpiWeekly.week >= first)
                                                                & (KpiWeekly.week <= today))}
    open_from = provisional_since(settings, today)
    result = []
    for i in range(weeks):
        start = first + dt.timedelta(weeks=i)
        row = stored.get(start)
        sums = {name: getattr(row, name) or 0 for name in SUMMED} if row else dict.fromkeys(SUMMED, 0)
        if row is None or row.repeat_contacts_7d is None:
            sums["repeat_contacts_7d"] = None
        values = rates(sums)
        too_few = {k: values[k] is not None and sums[REGISTRY[k].denominator] < min_denominator(settings, k)
                   for k in REGISTRY}
        last_day = min(start + dt.timedelta(days=6), today)
        provisional = {k: bool(REGISTRY[k].window_days) and values[k] is not None and last_day >= open_from
                       for k in REGISTRY}
        result.append(Week(start, sums["contacts"], sums["csat_responses"], values, too_few, provisional))
    return result


SUMMED = ("contacts", "resolved_first_contact", "handle_seconds", "csat_responses", "csat_positive",
          "repeat_contacts_7d", "repeat_base")
