"""The training impact report from the database: who completed a unit (a track or a module)
and when, the agents' daily KPI components, the estimate (lms/services/impact_stats.py), and a
cache so the bootstrap runs once per state of the data, never per page view.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass

from peewee import fn

from ..models import (Activity, Completion, ImpactCache, KpiDaily, KpiImport, Membership, MicroTask, MicroTemplate,
                      Module, Skill, Track, User, UserRole)
from . import clock
from .impact_stats import AgentSeries, ImpactResult, ImpactSettings, estimate

# KPI -> (numerator, denominator) daily components
COMPONENTS = {"fcr": ("resolved_first_contact", "contacts"), "aht": ("handle_seconds", "contacts"),
              "csat": ("csat_positive", "csat_responses")}


class UnknownUnit(LookupError):
    """No module or track has this slug."""


SKILL_TASKS = 4  # micro-tasks of a skill done: "trained" in that skill from the day of the 4th


@dataclass(frozen=True)
class Unit:
    kind: str  # module | track | skill (trained by daily micro-tasks)
    slug: str
    title: str
    activity_ids: tuple[int, ...] = ()  # the required activities whose completion completes the unit


def find_unit(slug: str) -> Unit:
    """A module, a track or a micro-task skill by slug (in that order)."""
    module = Module.get_or_none(Module.slug == slug)
    if module is not None:
        return Unit("module", slug, module.title, _required(Activity.module == module))
    track = Track.get_or_none(Track.slug == slug)
    if track is not None:
        modules = Module.select(Module.id).where((Module.track == track) & (Module.published == True))  # noqa: E712
        return Unit("track", slug, track.title, _required(Activity.module.in_(modules)))
    skill = Skill.get_or_none(Skill.slug == slug)
    if skill is not None and MicroTemplate.select().where(MicroTemplate.skill == slug).exists():
        return Unit("skill", slug, skill.name)
    raise UnknownUnit(slug)


def units() -> list[Unit]:
    """Every track and module, for the report's choice list (tracks first, in order)."""
    found = [find_unit(t.slug) for t in Track.select().where(Track.published == True).order_by(Track.id)]  # noqa: E712
    found += [find_unit(m.slug) for m in Module.select().join(Track)
              .where(Module.published == True).order_by(Track.id, Module.position)]  # noqa: E712
    trained = {t.skill for t in MicroTemplate.select(MicroTemplate.skill).distinct()}
    found += [Unit("skill", s.slug, s.name) for s in Skill.select().order_by(Skill.slug) if s.slug in trained]
    return found


def _required(condition) -> tuple[int, ...]:
    return tuple(a.id for a in Activity.select(Activity.id).where(
        condition & Activity.required & (Activity.published == True)))  # noqa: E712


def settings_of(settings: dict) -> ImpactSettings:
    return ImpactSettings(window_days=settings["impact.window_days"], pre_periods=settings["impact.pre_periods"],
                          min_denominator=settings["impact.min_contacts"], min_n=settings["impact.min_n"],
                          bootstrap=settings["impact.bootstrap"])


def _agents(team_ids: set[int] | None):
    members = Membership.select(Membership.user).where(Membership.ended_on.is_null())
    if team_ids is not None:
        members = members.where(Membership.team.in_(list(team_ids) or [0]))
    return (User.select(User.id, User.hire_date)
            .where(User.id.in_(members) & User.hire_date.is_null(False)
                   & User.id.in_(UserRole.select(UserRole.user).where(UserRole.role == "agent"))))


def completion_dates(unit: Unit, agents) -> dict[int, dt.date]:
    """The day each agent passed the last required activity of the unit (all of them passed);
    for a skill, the day they did their SKILL_TASKS-th micro-task of it."""
    if unit.kind == "skill":
        return _skill_dates(unit.slug, agents)
    if not unit.activity_ids:
        return {}
    rows = (Completion.select(Completion.user, fn.MAX(Completion.completed_at))
            .where(Completion.activity.in_(list(unit.activity_ids)) & Completion.passed
                   & Completion.user.in_(agents.select(User.id)))
            .group_by(Completion.user)
            .having(fn.COUNT(fn.DISTINCT(Completion.activity)) == len(unit.activity_ids)).tuples())
    result = {}
    for user_id, moment in rows:
        if isinstance(moment, str):  # SQLite hands back an aggregate's datetime as text
            moment = dt.datetime.fromisoformat(moment)
        result[user_id] = clock.local(moment).date()
    return result


def _skill_dates(skill: str, agents) -> dict[int, dt.date]:
    done = defaultdict(list)
    for user_id, day in (MicroTask.select(MicroTask.user, MicroTask.day).join(MicroTemplate)
                         .where((MicroTemplate.skill == skill) & (MicroTask.status == "done")
                                & MicroTask.user.in_(agents.select(User.id)))
                         .order_by(MicroTask.user, MicroTask.day).tuples()):
        done[user_id].append(day)
    return {user_id: days[SKILL_TASKS - 1] for user_id, days in done.items() if len(days) >= SKILL_TASKS}


def series(unit: Unit, kpi: str, team_ids: set[int] | None, today: dt.date,
           options: ImpactSettings) -> list[AgentSeries]:
    """Every agent in scope with their daily (numerator, denominator) of the KPI. An agent who
    finished too recently for a whole window after it is left out: neither trained (yet) for
    the estimate nor a fair comparison."""
    agents = _agents(team_ids)
    trained = completion_dates(unit, agents)
    window = options.window_days
    recent = {user_id for user_id, day in trained.items() if day > today - dt.timedelta(days=window + 1)}
    # The real windows and the placebo periods before them: N + pre_periods x (N + 1) + N days.
    history = 2 * window + options.pre_periods * (window + 1) + 7
    numerator, denominator = (getattr(KpiDaily, name) for name in COMPONENTS[kpi])
    days = defaultdict(dict)
    for user_id, day, top, bottom in (KpiDaily.select(KpiDaily.user, KpiDaily.day, numerator, denominator)
                                      .where(KpiDaily.user.in_(agents.select(User.id))
                                             & (KpiDaily.day > today - dt.timedelta(days=history)))
                                      .tuples()):
        days[user_id][day] = (top, bottom)
    return [AgentSeries(agent.id, agent.hire_date, trained.get(agent.id), days.get(agent.id, {}))
            for agent in agents if agent.id not in recent]


def _stamp(unit: Unit) -> str:
    """What the result depends on: new KPI rows or imports, new completions, a changed unit."""
    latest_import = KpiImport.select(fn.MAX(KpiImport.id)).scalar() or 0
    daily = KpiDaily.select(fn.MAX(KpiDaily.id), fn.COUNT(KpiDaily.id)).tuples().get()
    completions = Completion.select(fn.MAX(Completion.id), fn.COUNT(Completion.id)).tuples().get()
    if unit.kind == "skill":  # trained by micro-tasks: their completions are what changes
        completions = MicroTask.select(fn.MAX(MicroTask.completed_at), fn.COUNT(MicroTask.completed_at)).tuples().get()
    units = hashlib.sha1(",".join(map(str, unit.activity_ids)).encode()).hexdigest()[:12]
    return f"i{latest_import}-d{daily[0] or 0}.{daily[1]}-c{completions[0] or 0}.{completions[1]}-u{units}"


def _key(unit: Unit, kpi: str, team_ids: set[int] | None, settings: ImpactSettings) -> str:
    scope = "all" if team_ids is None else ",".join(map(str, sorted(team_ids)))
    text = f"{unit.kind}:{unit.slug}:{kpi}:{scope}:{dataclasses.astuple(settings)}"
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass
class Report:
    unit: Unit
    kpi: str
    result: ImpactResult
    computed_at: dt.datetime
    cached: bool


def report(unit: Unit, kpi: str, team_ids: set[int] | None, settings: dict, today: dt.date | None = None,
           refresh: bool = False) -> Report:
    """The estimate for the agents of these teams (None: all), from the cache when the data has
    not changed since it was computed."""
    options = settings_of(settings)
    key, stamp = _key(unit, kpi, team_ids, options), _stamp(unit)
    cached = ImpactCache.get_or_none(ImpactCache.key == key)
    if cached is not None and cached.stamp == stamp and not refresh:
        return Report(unit, kpi, ImpactResult(**json.loads(cached.result)), cached.computed_at, True)
    result = estimate(series(unit, kpi, team_ids, today or clock.today(), options), options)
    document, now = json.dumps(dataclasses.asdict(result)), clock.utcnow()
    (ImpactCache.insert(key=key, stamp=stamp, computed_at=now, result=document)
     .on_conflict(conflict_target=[ImpactCache.key],
                  update={ImpactCache.stamp: stamp, ImpactCache.computed_at: now, ImpactCache.result: document})
     .execute())
    return Report(unit, kpi, result, now, False)
