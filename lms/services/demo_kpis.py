"""Demo KPI history: a plausible working day for every demo agent over the last weeks.

Better tiers resolve more on first contact, handle faster and please more customers; newcomers
improve week by week; every day has its own noise. Deterministic for a seed; safe to run twice.
"""
from __future__ import annotations

import datetime as dt
import random

from ..db import database
from ..models import KpiDaily, User
from . import clock, kpi_rollup
from .kpi_rollup import monday
from .demo import EMAIL_DOMAIN

# tier: (first-contact resolution, handle seconds, share of positive CSAT)
PROFILE = {"newcomer": (0.62, 520, 0.78), "advanced": (0.76, 430, 0.86), "elite": (0.86, 360, 0.93)}


def record_demo_kpis(seed: int = 2026, days: int = 56, today: dt.date | None = None) -> int:
    today = today or clock.today()
    rng = random.Random(seed)
    rows = []
    agents = (User.select().where(User.email.endswith(f"@{EMAIL_DOMAIN}") & User.tier.is_null(False))
              .order_by(User.employee_no))
    for agent in agents:
        fcr, aht, csat = PROFILE[agent.tier]
        skill = rng.uniform(-0.05, 0.05)  # some agents are simply better than others
        for offset in range(days, 0, -1):
            day = today - dt.timedelta(days=offset)
            if day.weekday() >= 5 or day < agent.hire_date:
                continue
            learning = 0.0
            if agent.tier == "newcomer":  # a newcomer gets better every week on the floor
                learning = min((day - agent.hire_date).days / 7, 8) * 0.012
            contacts = rng.randint(25, 55)
            rate = min(max(fcr + skill + learning + rng.gauss(0, 0.05), 0.2), 0.98)
            handle = max(aht * (1 - skill - learning) + rng.gauss(0, 40), 150)
            responses = rng.randint(3, 12)
            happy = min(max(csat + skill + learning + rng.gauss(0, 0.06), 0.3), 1.0)
            rows.append({"user": agent.id, "day": day, "week": monday(day), "contacts": contacts,
                         "resolved_first_contact": round(contacts * rate),
                         "handle_seconds": round(contacts * handle), "csat_responses": responses,
                         "csat_positive": round(responses * happy)})
    with database.atomic():
        for start in range(0, len(rows), 500):
            KpiDaily.insert_many(rows[start:start + 500]).on_conflict_ignore().execute()
        kpi_rollup.rebuild_users([agent.id for agent in agents])
    return len(rows)
