"""Demo learning history: completions that fit each demo agent's tier and tenure.

Newcomers have read the lessons of the weeks behind them (some a little behind plan);
advanced agents finished the newcomer track in their first month and part of their own;
elite agents finished both earlier tracks and part of theirs. Safe to run twice.
"""
from __future__ import annotations

import datetime as dt
import random

from ..db import database
from ..models import TIERS, Activity, Completion, Module, Track, User
from . import clock
from .demo import EMAIL_DOMAIN


def _lessons(track: Track) -> list[Activity]:
    return list(Activity.select(Activity, Module).join(Module)
                .where((Module.track == track) & Activity.published & Module.published)
                .order_by(Module.position, Activity.position))


def record_demo_progress(seed: int = 2026, today: dt.date | None = None) -> int:
    """Completions for the demo agents; returns how many were written."""
    today = today or clock.today()
    rng = random.Random(seed)
    tracks = {t.tier: t for t in Track.select()}
    lessons = {tier: _lessons(track) for tier, track in tracks.items()}
    rows = []
    agents = (User.select().where(User.email.endswith(f"@{EMAIL_DOMAIN}") & User.tier.is_null(False))
              .order_by(User.employee_no))
    for agent in agents:
        rank = TIERS.index(agent.tier)
        for tier in TIERS[:rank]:  # earlier tiers: all done, in the first weeks after hire
            for i, lesson in enumerate(lessons.get(tier, [])):
                rows.append((agent, lesson, agent.hire_date + dt.timedelta(days=3 + i * 3)))
        own = lessons.get(agent.tier, [])
        if agent.tier == "newcomer":
            weeks_in = max((today - agent.hire_date).days // 7, 0)
            due = [a for a in own if (a.module.week or 1) <= weeks_in]
            done = due[:max(len(due) - rng.randint(0, 2), 0)]  # some are a little behind plan
        else:
            done = own[:rng.randint(0, len(own))]
        for i, lesson in enumerate(done):
            when = min(agent.hire_date + dt.timedelta(days=2 + i * 2), today) if agent.tier == "newcomer" \
                else today - dt.timedelta(days=rng.randint(1, 60))
            rows.append((agent, lesson, when))
    with database.atomic():
        written = 0
        for agent, lesson, day in rows:
            at = dt.datetime.combine(min(day, today), dt.time(2, 0))
            written += (Completion.insert(user=agent, activity=lesson, completed_at=at, passed=True)
                        .on_conflict_ignore().execute() and 1) or 0
    return written
