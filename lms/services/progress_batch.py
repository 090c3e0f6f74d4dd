"""Track progress of many agents at once, in a fixed number of queries whatever their number:
the dashboard and the placement review use it instead of progress() per agent.

Same rules as lms/services/progress.py: a module is complete when every published required
activity of it was passed; the track's pass rule is "all" (every module complete) or a list
of activity slugs; a newcomer's plan week is the week of the first module not yet complete.
"""
from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from dataclasses import dataclass

from peewee import fn

from ..models import Activity, Completion, Module, Track
from . import clock


@dataclass(frozen=True)
class ModuleOutline:
    id: int
    week: int | None
    required: int  # published required activities


@dataclass(frozen=True)
class TrackOutline:
    track: Track
    modules: list[ModuleOutline]  # published, in order
    pass_ids: frozenset[int] | None  # the listed activities of a list rule; None: "all"

    @property
    def required(self) -> int:
        return sum(m.required for m in self.modules)


@dataclass(frozen=True)
class AgentProgress:
    percent: int  # of the required activities of the track
    passed: bool  # the track's pass rule holds
    current_week: int | None  # the plan week of the first incomplete module (None: all complete)
    last_completion: dt.date | None


def outlines() -> dict[str, TrackOutline]:
    """Each published track by tier, with its modules' required-activity counts."""
    tracks = {t.id: t for t in Track.select().where(Track.published == True)}  # noqa: E712
    modules = defaultdict(list)
    counts = dict(Activity.select(Activity.module, fn.COUNT(Activity.id))
                  .where(Activity.required & (Activity.published == True)).group_by(Activity.module).tuples())  # noqa: E712
    for module in (Module.select().where(Module.track.in_(list(tracks) or [0]) & (Module.published == True))  # noqa: E712
                   .order_by(Module.track, Module.position)):
        modules[module.track_id].append(ModuleOutline(module.id, module.week, counts.get(module.id, 0)))
    result = {}
    for track_id, track in tracks.items():
        rule = json.loads(track.pass_required)
        pass_ids = None
        if rule != "all":
            pass_ids = frozenset(a.id for a in Activity.select(Activity.id).join(Module)
                                 .where((Module.track == track_id) & Activity.slug.in_(rule)))
        result[track.tier] = TrackOutline(track, modules[track_id], pass_ids)
    return result


def agent_progress(users, tracks: dict[str, TrackOutline], tier_of: dict[int, str | None]) -> dict[int, AgentProgress]:
    """Progress of the users in `tier_of`, each in the track of `tier_of[user]` (e.g. their own
    tier's); users whose tier has no published track are left out. `users` selects the same
    users for the queries: their ids, or a subquery (no long IN list for thousands)."""
    if not tier_of:
        return {}
    user_ids = users
    done = defaultdict(dict)  # user -> module -> passed required activities
    for user_id, module_id, count in (Completion.select(Completion.user, Activity.module, fn.COUNT(Completion.id))
                                      .join(Activity)
                                      .where(Completion.user.in_(user_ids) & Completion.passed & Activity.required
                                             & (Activity.published == True))  # noqa: E712
                                      .group_by(Completion.user, Activity.module).tuples()):
        done[user_id][module_id] = count
    listed = {a for outline in tracks.values() if outline.pass_ids for a in outline.pass_ids}
    listed_done = defaultdict(set)
    if listed:
        for user_id, activity_id in (Completion.select(Completion.user, Completion.activity)
                                     .where(Completion.user.in_(user_ids) & Completion.passed
                                            & Completion.activity.in_(list(listed))).tuples()):
            listed_done[user_id].add(activity_id)
    last = dict(Completion.select(Completion.user, fn.MAX(Completion.completed_at))
                .where(Completion.user.in_(user_ids)).group_by(Completion.user).tuples())
    result = {}
    for user_id, tier in tier_of.items():
        outline = tracks.get(tier)
        when = last.get(user_id)
        if isinstance(when, str):  # SQLite hands back an aggregate's datetime as text
            when = dt.datetime.fromisoformat(when)
        last_day = clock.local(when).date() if when else None
        if outline is None:
            continue  # no track for this tier (not loaded): nothing to measure against
        mine = done[user_id]
        finished = sum(min(mine.get(m.id, 0), m.required) for m in outline.modules)
        incomplete = [m for m in outline.modules if mine.get(m.id, 0) < m.required]
        passed = (not incomplete) if outline.pass_ids is None else outline.pass_ids <= listed_done[user_id]
        percent = 100 if not outline.required else round(100 * finished / outline.required)
        current = (incomplete[0].week or outline.track.weeks) if incomplete else None
        result[user_id] = AgentProgress(percent, passed, current, last_day)
    return result


def expected_week(hire_date: dt.date | None, weeks: int | None, today: dt.date) -> int | None:
    """Where the calendar says a newcomer should be in a plan of `weeks` weeks."""
    if not weeks or hire_date is None:
        return None
    return min(max((today - hire_date).days // 7 + 1, 1), weeks)
