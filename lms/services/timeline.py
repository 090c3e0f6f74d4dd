"""An agent's timeline: weekly KPIs, assessment results and tier/module events on one time axis,
so the agent, their mentor and manager see training and results side by side."""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from peewee import fn

from ..models import Activity, Bank, Completion, Drill, DrillReply, Module, QuizAttempt, TierChange, User
from . import clock
from .kpi_report import Week, weekly


@dataclass(frozen=True)
class Event:
    day: dt.date
    kind: str  # tier | module | quiz | drill
    label: str  # a tier, module title, bank or drill title
    score: float | None = None  # 0-1 for quiz and drill results


@dataclass
class Timeline:
    start: dt.date
    end: dt.date
    weeks: list[Week]
    events: list[Event]


def _day(moment) -> dt.date:
    if isinstance(moment, str):  # an aggregate read back from SQLite
        moment = dt.datetime.fromisoformat(moment)
    return clock.local(moment).date()


def timeline(user: User, settings: dict, weeks: int = 26, today: dt.date | None = None) -> Timeline:
    today = today or clock.today()
    series = weekly(user, settings, weeks, today)
    start = series[0].start
    since = dt.datetime.combine(start, dt.time()) - dt.timedelta(days=1)
    events = [Event(c.effective_on, "tier", c.tier) for c in
              TierChange.select().where((TierChange.user == user) & (TierChange.effective_on >= start))]
    events += _module_completions(user, since, start)
    events += [Event(_day(a.submitted_at), "quiz", a.bank.title, a.score / 100) for a in
               QuizAttempt.select(QuizAttempt, Bank).join(Bank)
               .where((QuizAttempt.user == user) & (QuizAttempt.submitted_at >= since) & QuizAttempt.score.is_null(False))]
    events += [Event(_day(r.graded_at), "drill", r.drill.title, r.score / 100) for r in
               DrillReply.select(DrillReply, Drill).join(Drill)
               .where((DrillReply.user == user) & (DrillReply.graded_at >= since) & DrillReply.score.is_null(False))]
    events = sorted((e for e in events if start <= e.day <= today), key=lambda e: (e.day, e.kind, e.label))
    return Timeline(start, today, series, events)


def _module_completions(user: User, since: dt.datetime, start: dt.date) -> list[Event]:
    """A module counts as done on the day its last required activity was passed."""
    required = dict(Activity.select(Activity.module, fn.COUNT(Activity.id))
                    .where(Activity.required & Activity.published).group_by(Activity.module).tuples())
    done = defaultdict(list)
    for module_id, completed_at in (Completion.select(Activity.module, Completion.completed_at).join(Activity)
                                    .where((Completion.user == user) & Completion.passed & Activity.required
                                           & Activity.published).tuples()):
        done[module_id].append(completed_at)
    finished = {module_id: max(times) for module_id, times in done.items()
                if len(times) >= required.get(module_id, 0) and max(times) >= since}
    titles = dict(Module.select(Module.id, Module.title).where(Module.id.in_(list(finished) or [0])).tuples())
    return [Event(_day(when), "module", titles[module_id]) for module_id, when in finished.items()
            if _day(when) >= start]
