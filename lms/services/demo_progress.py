"""Demo learning history: completions that fit each demo agent's tier and tenure.

Newcomers have read the lessons of the weeks behind them (some a little behind plan);
advanced agents finished the newcomer track in their first month and part of their own;
elite agents finished both earlier tracks and part of theirs. Work on their own track is
staggered: each agent starts on their own day in the last SPREAD_DAYS (never before reaching
their tier) and works through the lessons in order, weeks apart between modules, so the KPI
history can show when each of them finished a module. Safe to run twice.
"""
from __future__ import annotations

import datetime as dt
import random

from ..db import database
from ..models import TIERS, Activity, Completion, Module, TierChange, Track, User
from . import clock
from .demo import EMAIL_DOMAIN

SPREAD_DAYS = 170  # own-track work starts within this many days before today (the KPI history is 180)


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
    agents = list(User.select().where(User.email.endswith(f"@{EMAIL_DOMAIN}") & User.tier.is_null(False))
                  .order_by(User.employee_no))
    reached = {c.user_id: c.effective_on for c in TierChange.select()  # the day each reached their tier
               .where(TierChange.user.in_([a.id for a in agents])).order_by(TierChange.effective_on)}
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
            for i, lesson in enumerate(done):
                rows.append((agent, lesson, min(agent.hire_date + dt.timedelta(days=2 + i * 2), today)))
            continue
        done = own[:rng.randint(0, len(own))]
        # Own track: from a day of their own after reaching the tier, in order, a few days apart
        # within a module and 5-10 weeks between modules (so the KPI windows around one module's
        # completion do not straddle the next); what would fall after today is not done yet.
        earliest = max(reached.get(agent.id, agent.hire_date) + dt.timedelta(days=1),
                       today - dt.timedelta(days=SPREAD_DAYS))
        when = earliest + dt.timedelta(days=rng.randint(0, max((today - earliest).days, 0)))
        for i, lesson in enumerate(done):
            if i:
                same_module = lesson.module_id == done[i - 1].module_id
                when += dt.timedelta(days=rng.randint(1, 3) if same_module else rng.randint(35, 70))
            if when > today:
                break
            rows.append((agent, lesson, when))
    with database.atomic():
        written = 0
        for agent, lesson, day in rows:
            at = dt.datetime.combine(min(day, today), dt.time(2, 0))
            written += (Completion.insert(user=agent, activity=lesson, completed_at=at, passed=True)
                        .on_conflict_ignore().execute() and 1) or 0
    return written


def record_demo_microtasks(settings: dict, seed: int = 2026, days: int = 14, today: dt.date | None = None) -> int:
    """Two weeks of micro-tasks: most of the past ones done, some missed, today's open."""
    from ..models import MicroTask
    from . import microtasks

    today = today or clock.today()
    rng = random.Random(seed)
    for back in range(days, 0, -1):
        day = today - dt.timedelta(days=back)
        microtasks.issue(settings, day, today=day, announce=False)
    past = list(MicroTask.select(MicroTask.id, MicroTask.day).where(
        (MicroTask.day >= today - dt.timedelta(days=days)) & (MicroTask.day < today) & (MicroTask.status == "open")))
    with database.atomic():
        for task in past:
            done = rng.random() < 0.8
            (MicroTask.update(status="done" if done else "missed", score=rng.randint(60, 100) if done else None,
                              completed_at=dt.datetime.combine(task.day, dt.time(3)) if done else None)
             .where(MicroTask.id == task.id).execute())
    return microtasks.issue(settings, today)["total"] + len(past)
