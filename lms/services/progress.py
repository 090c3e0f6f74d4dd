"""Progress through a track: completions, module locks from prerequisites, percentages,
the next step, passing, and where a newcomer stands against the four-week plan."""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field

from .. import authz
from ..models import Activity, Completion, Module, ModulePrerequisite, Track, User
from . import clock
from .messages import N_


class ProgressError(ValueError):
    """An activity that cannot be completed now; the message says why."""


@dataclass
class ModuleState:
    module: Module
    activities: list[Activity]
    done: set[int]
    locked_by: list[Module] = field(default_factory=list)  # unfinished prerequisites

    @property
    def locked(self) -> bool:
        return bool(self.locked_by)

    @property
    def required(self) -> list[Activity]:
        return [a for a in self.activities if a.required]

    @property
    def complete(self) -> bool:
        return all(a.id in self.done for a in self.required)

    @property
    def percent(self) -> int:
        required = self.required
        return 100 if not required else round(100 * sum(a.id in self.done for a in required) / len(required))


@dataclass
class TrackProgress:
    track: Track
    modules: list[ModuleState]

    @property
    def percent(self) -> int:
        required = [a for m in self.modules for a in m.required]
        done = sum(a.id in m.done for m in self.modules for a in m.required)
        return 100 if not required else round(100 * done / len(required))

    @property
    def next_activity(self) -> Activity | None:
        for state in self.modules:
            if state.locked:
                continue
            for activity in state.activities:
                if activity.id not in state.done:
                    return activity
        return None

    def state_of(self, module_id: int) -> ModuleState | None:
        return next((s for s in self.modules if s.module.id == module_id), None)


def track_of_tier(tier: str | None) -> Track | None:
    if tier is None:
        return None
    return Track.get_or_none((Track.tier == tier) & (Track.published == True))  # noqa: E712


def progress(user: User, track: Track) -> TrackProgress:
    """Every published module and activity of the track with this user's completions, in 4 queries."""
    modules = list(track.modules.where(Module.published == True).order_by(Module.position))  # noqa: E712
    ids = [m.id for m in modules] or [0]
    activities: dict[int, list[Activity]] = {m.id: [] for m in modules}
    for activity in (Activity.select().where(Activity.module.in_(ids) & (Activity.published == True))  # noqa: E712
                     .order_by(Activity.position)):
        activities[activity.module_id].append(activity)
    done = {c.activity_id for c in Completion.select(Completion.activity)
            .join(Activity).where((Completion.user == user) & Activity.module.in_(ids) & Completion.passed)}
    states = {m.id: ModuleState(m, activities[m.id], {a.id for a in activities[m.id] if a.id in done})
              for m in modules}
    for link in ModulePrerequisite.select().where(ModulePrerequisite.module.in_(ids)):
        required = states.get(link.requires_id)
        if required is not None and not required.complete:
            states[link.module_id].locked_by.append(required.module)
    return TrackProgress(track, [states[m.id] for m in modules])


def complete_lesson(user: User, activity: Activity) -> bool:
    """Record that the user read a lesson, now; False if it was already recorded."""
    if activity.kind != "lesson":
        raise ProgressError(N_("only lessons are completed by reading; quizzes and drills by passing them"))
    if not activity.published or not activity.module.published:
        raise ProgressError(N_("this lesson is not published"))
    track = activity.module.track
    if not authz.can(user, "open_content", track) or not user.has_role("agent"):
        raise ProgressError(N_("this lesson is not part of your curriculum"))
    state = progress(user, track).state_of(activity.module_id)
    if state is None or state.locked:
        raise ProgressError(N_("finish the earlier modules first"))
    already = Completion.select().where((Completion.user == user) & (Completion.activity == activity)).exists()
    if not already:
        # The unique (user, activity) key keeps a double click or a race to one row.
        (Completion.insert(user=user, activity=activity, completed_at=clock.utcnow(), passed=True)
         .on_conflict_ignore().execute())
    return not already


def passed_track(user: User, track: Track) -> bool:
    """The track's pass rule holds: every required activity (or the listed ones) passed."""
    required = json.loads(track.pass_required)
    state = progress(user, track)
    if required == "all":
        return all(m.complete for m in state.modules)
    done = {a.slug for m in state.modules for a in m.activities if a.id in m.done}
    return set(required) <= done


def certified_on(user: User, track: Track) -> dt.date | None:
    """The day the user passed the track (its last required completion), or None."""
    if not passed_track(user, track):
        return None
    last = (Completion.select(Completion.completed_at).join(Activity).join(Module)
            .where((Completion.user == user) & (Module.track == track) & Completion.passed)
            .order_by(Completion.completed_at.desc()).first())
    return clock.local(last.completed_at).date() if last else None


@dataclass(frozen=True)
class PlanPosition:
    expected_week: int  # where the calendar says the newcomer should be
    current_week: int  # the week of the first module not yet finished
    weeks: int

    @property
    def behind(self) -> bool:
        return self.current_week < self.expected_week


def newcomer_plan(user: User, track_progress: TrackProgress, today: dt.date | None = None) -> PlanPosition | None:
    """Where a newcomer is in the week-by-week plan against where they should be."""
    track = track_progress.track
    if not track.weeks or user.hire_date is None:
        return None
    today = today or clock.today()
    expected = min(max((today - user.hire_date).days // 7 + 1, 1), track.weeks)
    current = track.weeks
    for state in track_progress.modules:
        if not state.complete:
            current = state.module.week or current
            break
    return PlanPosition(expected, current, track.weeks)


def my_track(user: User) -> Track | None:
    """The track of the user's current tier."""
    return track_of_tier(user.tier)
