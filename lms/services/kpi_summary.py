"""KPI read-out: every aggregate is a ratio of sums over the raw daily components, never a
mean of daily ratios (a 2-contact day must not weigh as much as a 60-contact day)."""
from __future__ import annotations

import datetime as dt

from peewee import fn

from ..models import KpiDaily, User


def ratio(numerator: float, denominator: float) -> float | None:
    """None only where the denominator is 0 (a small denominator is a display flag, not a null)."""
    return numerator / denominator if denominator else None


def rates(sums: dict) -> dict:
    """Each KPI from summed components: fcr, aht (seconds), csat, repeat (None: no repeat counts)."""
    repeat = sums.get("repeat_contacts_7d")
    return {"fcr": ratio(sums["resolved_first_contact"], sums["contacts"]),
            "aht": ratio(sums["handle_seconds"], sums["contacts"]),
            "csat": ratio(sums["csat_positive"], sums["csat_responses"]),
            "repeat": None if repeat is None else ratio(repeat, sums.get("repeat_base", 0))}


def summary(users: list[User] | User, start: dt.date, end: dt.date) -> dict:
    """Contacts, FCR, AHT (seconds) and CSAT over the days from start to end, inclusive."""
    ids = [u.id for u in users] if isinstance(users, list) else [users.id]
    row = (KpiDaily.select(fn.COALESCE(fn.SUM(KpiDaily.contacts), 0).alias("contacts"),
                           fn.COALESCE(fn.SUM(KpiDaily.resolved_first_contact), 0).alias("resolved"),
                           fn.COALESCE(fn.SUM(KpiDaily.handle_seconds), 0).alias("handle"),
                           fn.COALESCE(fn.SUM(KpiDaily.csat_responses), 0).alias("responses"),
                           fn.COALESCE(fn.SUM(KpiDaily.csat_positive), 0).alias("positive"))
           .where(KpiDaily.user.in_(ids) & (KpiDaily.day >= start) & (KpiDaily.day <= end)).dicts().get())
    contacts = int(row["contacts"])
    return {"contacts": contacts, "fcr": ratio(int(row["resolved"]), contacts),
            "aht_seconds": ratio(int(row["handle"]), contacts),
            "csat": ratio(int(row["positive"]), int(row["responses"])), "csat_responses": int(row["responses"])}
