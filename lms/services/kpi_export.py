"""KPI rows out as a CSV that Excel opens (UTF-8 with BOM): the raw components of each
agent-day, with the day's rates beside them for reading."""
from __future__ import annotations

import datetime as dt

from ..models import KpiDaily, User
from .kpi_summary import ratio
from .tabular import excel_csv

HEADERS = ["employee_no", "name", "date", "contacts", "resolved_first_contact", "handle_seconds", "csat_responses",
           "csat_positive", "fcr", "aht_seconds", "csat"]


def _rate(value: float | None, digits: int = 4) -> str:
    return "" if value is None else f"{value:.{digits}f}"


def export_csv(users, start: dt.date, end: dt.date) -> bytes:
    """Every agent-day of these users from start to end, inclusive, ordered by agent and day."""
    rows = (KpiDaily.select(KpiDaily, User.employee_no, User.name).join(User)
            .where(KpiDaily.user.in_(users) & (KpiDaily.day >= start) & (KpiDaily.day <= end))
            .order_by(User.employee_no, KpiDaily.day))
    return excel_csv(HEADERS, ([r.user.employee_no, r.user.name, r.day.isoformat(), r.contacts,
                                r.resolved_first_contact, r.handle_seconds, r.csat_responses, r.csat_positive,
                                _rate(ratio(r.resolved_first_contact, r.contacts)),
                                _rate(ratio(r.handle_seconds, r.contacts), 1),
                                _rate(ratio(r.csat_positive, r.csat_responses))] for r in rows))
