"""Per-agent weekly KPI sums (KpiWeekly), rebuilt from the daily rows for exactly the agent-weeks
a write touched, so reports over thousands of agents read one row per agent-week.

Callers pass the touched (user_id, week) pairs as a query; the rebuild is two set-based
statements (delete those weeks, re-sum them from the days) inside the caller's transaction.
"""
from __future__ import annotations

import datetime as dt

import peewee as pw
from peewee import Case, fn

from ..models import KpiDaily, KpiWeekly

SUMMED = ("contacts", "resolved_first_contact", "handle_seconds", "csat_responses", "csat_positive",
          "repeat_contacts_7d", "transfers", "complaints")


def monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def rebuild(pairs: pw.SelectQuery) -> None:
    """Re-sum the weeks named by `pairs`, a query selecting (user_id, week)."""
    KpiWeekly.delete().where(pw.Tuple(KpiWeekly.user, KpiWeekly.week).in_(pairs)).execute()
    sums = (KpiDaily.select(KpiDaily.user, KpiDaily.week, fn.COUNT(KpiDaily.id),
                            *[fn.SUM(getattr(KpiDaily, name)) for name in SUMMED],
                            fn.SUM(Case(None, [(KpiDaily.repeat_contacts_7d.is_null(False), KpiDaily.contacts)], 0)))
            .where(pw.Tuple(KpiDaily.user, KpiDaily.week).in_(pairs))
            .group_by(KpiDaily.user, KpiDaily.week))
    fields = [KpiWeekly.user, KpiWeekly.week, KpiWeekly.days, *[getattr(KpiWeekly, n) for n in SUMMED],
              KpiWeekly.repeat_base]
    KpiWeekly.insert_from(sums, fields).as_rowcount().execute()  # no RETURNING of every id


def rebuild_users(user_ids) -> None:
    """Re-sum every week of these agents (after a bulk write that bypassed the importer)."""
    rebuild(KpiDaily.select(KpiDaily.user, KpiDaily.week).where(KpiDaily.user.in_(user_ids)).distinct())
