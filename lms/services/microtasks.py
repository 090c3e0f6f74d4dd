"""Daily micro-tasks: issuing one to every working agent for a day, doing it, and what the
day's KPIs then say about it.

Issuing is set-based — a few queries and bulk inserts whatever the number of agents — and
idempotent: the unique (agent, day) key keeps one task per agent per day however often it runs.
The template of the day follows the tier's weekday skill focus (config `microtasks.focus.TIER`,
Monday first), the one this agent was given longest ago first. A quiz task's questions are
chosen when the agent first opens it: recently missed first, then least seen, one from the
agent's weakest skill when the evidence shows one.
"""
from __future__ import annotations

import datetime as dt
import json
import random
import zlib
from collections import Counter, defaultdict
from dataclasses import dataclass

from peewee import fn

from ..db import database
from ..models import (TIERS, Bank, Evidence, KpiDaily, MicroTask, MicroTemplate, Question, QuizAttempt, QuizResponse,
                      User)
from . import clock, failpoints
from .kpi_summary import rates
from .messages import N_
from .notify import notify_many
from .question_types import QUESTION_TYPES
from .quizzes import shown_from
from .work_calendar import working_agents

HISTORY_DAYS = 60  # how far back "given longest ago" looks
BASELINE_DAYS = 20  # working days behind the same-day read-out
CHUNK = 1000


class MicroTaskError(ValueError):
    """The task cannot be done now; the message (a catalog string) says why."""


def focus(settings: dict, tier: str, day: dt.date) -> str:
    return settings[f"microtasks.focus.{tier}"][day.weekday()]


def issue(settings: dict, day: dt.date, today: dt.date | None = None, announce: bool = True) -> dict:
    """Give every agent working on `day` their micro-task; {"date", "issued", "total"}."""
    today = today or clock.today()
    agents = list(working_agents(settings, day).select(User.id, User.tier).tuples())
    templates = defaultdict(lambda: defaultdict(list))  # tier -> skill -> templates
    for template in MicroTemplate.select().where(MicroTemplate.published).order_by(MicroTemplate.slug):
        templates[template.tier][template.skill].append(template.id)
    have = {user_id for (user_id,) in MicroTask.select(MicroTask.user).where(MicroTask.day == day).tuples()}
    last_given = {(u, t): d for u, t, d in (MicroTask.select(MicroTask.user, MicroTask.template, fn.MAX(MicroTask.day))
                                            .where((MicroTask.day >= day - dt.timedelta(days=HISTORY_DAYS))
                                                   & (MicroTask.day < day))
                                            .group_by(MicroTask.user, MicroTask.template).tuples())}
    rows, now = [], clock.utcnow()
    for user_id, tier in agents:
        if user_id in have:
            continue
        tier = tier if tier in TIERS else TIERS[0]
        by_skill = templates.get(tier, {})
        candidates = by_skill.get(focus(settings, tier, day)) or [t for ts in by_skill.values() for t in ts]
        if not candidates:
            continue  # no templates loaded for this tier
        spread = zlib.crc32(f"{user_id}:{day}".encode())  # equals rotate differently per agent and day
        chosen = min(candidates, key=lambda t: (_as_date(last_given.get((user_id, t))) or dt.date.min,
                                                (t + spread) % 1_000_003))
        rows.append({"user": user_id, "day": day, "template": chosen, "issued_at": now, "late": today > day})
    issued = 0
    with database.atomic():
        for start in range(0, len(rows), CHUNK):
            issued += MicroTask.insert_many(rows[start:start + CHUNK]).on_conflict_ignore().as_rowcount().execute()
        failpoints.reached("issue-microtasks:inserted")  # inserted, not committed: a crash test's point
        if announce and day >= today:  # a catch-up for a past day does not announce it
            _announce(day)
    total = MicroTask.select().where(MicroTask.day == day).count()
    return {"date": day.isoformat(), "issued": issued, "total": total}


def _announce(day: dt.date) -> None:
    """One in-app notification per task of the day (the dedup key keeps it to one)."""
    rows = [(user_id, f"task:{task_id}", title, f"/tasks/{task_id}") for task_id, user_id, title in
            MicroTask.select(MicroTask.id, MicroTask.user, MicroTemplate.title).join(MicroTemplate)
            .where(MicroTask.day == day).tuples()]
    notify_many("task", N_("Today's micro-task is ready"), rows)


def _as_date(value):
    return dt.date.fromisoformat(value) if isinstance(value, str) else value


def mark_missed(day: dt.date) -> dict:
    """Tasks of days before `day` still open are missed (they stay doable, late)."""
    missed = MicroTask.update(status="missed").where((MicroTask.day < day) & (MicroTask.status == "open")).execute()
    return {"date": day.isoformat(), "missed": missed}


def today_task(user: User, today: dt.date | None = None) -> MicroTask | None:
    return MicroTask.get_or_none((MicroTask.user == user) & (MicroTask.day == (today or clock.today())))


def streak(user: User, today: dt.date | None = None) -> int:
    """Tasks done in a row, counting back from the latest; today's still-open task breaks nothing."""
    count = 0
    for task in (MicroTask.select(MicroTask.status, MicroTask.day).where(MicroTask.user == user)
                 .order_by(MicroTask.day.desc()).limit(400)):
        if task.status == "done":
            count += 1
        elif task.status == "open" and task.day == (today or clock.today()):
            continue
        else:
            break
    return count


# --- doing a task ------------------------------------------------------------------------------

def spec_of(task: MicroTask) -> dict:
    return json.loads(task.template.spec)


def choose_items(task: MicroTask, seed: int | None = None) -> list[dict]:
    """The quiz task's questions, chosen once and kept: missed lately, then least seen; one from
    the agent's weakest skill when that is another skill."""
    if task.items:
        return json.loads(task.items)
    template, user = task.template, task.user
    count = spec_of(task).get("items", 3)
    tiers = TIERS[:TIERS.index(user.tier) + 1] if user.tier in TIERS else TIERS[:1]
    pool = list(Question.select().join(Bank).where(Question.published & Bank.published & Bank.tier.in_(tiers)))
    seen = Counter(r.question_id for r in QuizResponse.select(QuizResponse.question).join(QuizAttempt)
                   .where(QuizAttempt.user == user))
    for other in MicroTask.select(MicroTask.items).where((MicroTask.user == user) & MicroTask.items.is_null(False)):
        seen.update(entry["id"] for entry in json.loads(other.items))
    since = clock.utcnow() - dt.timedelta(days=30)
    missed = {r.question_id for r in QuizResponse.select(QuizResponse.question).join(QuizAttempt)
              .where((QuizAttempt.user == user) & ~QuizResponse.correct & (QuizAttempt.submitted_at >= since))}
    rng = random.Random(seed if seed is not None else task.id)

    def ranked(questions):
        return sorted(questions, key=lambda q: (q.id not in missed, seen[q.id], rng.random()))

    main = ranked([q for q in pool if q.skill == template.skill]) or ranked(pool)
    chosen = main[:count]
    weakest = weakest_skill(user)
    if weakest and weakest != template.skill and count > 1:
        extra = ranked([q for q in pool if q.skill == weakest and q not in chosen])
        if extra:
            chosen = chosen[:count - 1] + extra[:1]
    entries = [{"id": q.id, **QUESTION_TYPES[q.type].present(json.loads(q.spec), rng)} for q in chosen]
    MicroTask.update(items=json.dumps(entries)).where((MicroTask.id == task.id) & MicroTask.items.is_null()).execute()
    return json.loads(MicroTask.get_by_id(task.id).items)


def weakest_skill(user: User, days: int = 60, minimum: int = 3) -> str | None:
    """The skill with the lowest mean evidence lately, among those with enough of it."""
    since = clock.utcnow() - dt.timedelta(days=days)
    rows = (Evidence.select(Evidence.skill, fn.AVG(Evidence.score), fn.COUNT(Evidence.id))
            .where((Evidence.user == user) & (Evidence.at >= since)).group_by(Evidence.skill).tuples())
    scored = [(mean, skill) for skill, mean, n in rows if n >= minimum]
    return min(scored)[1] if scored else None


def shown_items(task: MicroTask):
    return shown_from(choose_items(task))


def complete(task: MicroTask, *, rules_path=None, answer: str = "", answers: dict | None = None) -> MicroTask:
    """Record the agent's work once: a reply through the script checker, quiz answers graded,
    a reflection kept. Evidence rows follow, as for any assessment."""
    from ..resources import content_dir
    from .script_check import check_reply

    rules_path = rules_path or content_dir("assessments", "")  # the shipped rules unless told otherwise
    template, spec = task.template, spec_of(task)
    answer = (answer or "").strip()
    if template.kind in ("reply", "reflection") and len(answer) < 5:
        raise MicroTaskError(N_("write a few words first"))
    result, score, evidence = {}, None, []
    if template.kind == "reply":
        checked = check_reply(answer[:2000], spec["scenario"], rules_path)
        result, score = checked.as_dict(), float(checked.score)
        evidence.append((template.skill, checked.score / 100, f"microtask:{template.slug}"))
    elif template.kind == "quiz":
        marks = {}
        for item in shown_items(task):
            given = (answers or {}).get(item.question.id)
            mark = QUESTION_TYPES[item.question.type].grade(item.spec, given) if given is not None else 0.0
            marks[str(item.question.id)] = mark
            evidence.append((item.question.skill, mark, f"microtask:{template.slug}/{item.question.slug}"))
        score = round(100 * sum(marks.values()) / len(marks), 1) if marks else 0.0
        result = {"marks": marks}
    with database.atomic():
        won = (MicroTask.update(status="done", answer=answer[:4000], result=json.dumps(result, ensure_ascii=False),
                                score=score, completed_at=clock.utcnow())
               .where((MicroTask.id == task.id) & (MicroTask.status != "done")).execute())
        if not won:
            raise MicroTaskError(N_("this task is already done"))
        for skill, value, source in evidence:
            Evidence.create(user=task.user, skill=skill, score=value, source=source)
    return MicroTask.get_by_id(task.id)


# --- the same-day read-out ---------------------------------------------------------------------

@dataclass(frozen=True)
class Readout:
    kpi: str
    waiting: bool  # no KPI row for the day yet: nothing is shown, never a made-up number
    value: float | None = None
    contacts: int = 0
    baseline: float | None = None  # the agent's own ratio of sums over BASELINE_DAYS working days before
    baseline_days: int = 0
    baseline_contacts: int = 0


SUMMED = ("contacts", "resolved_first_contact", "handle_seconds", "csat_responses", "csat_positive",
          "repeat_contacts_7d")


def _sums(rows) -> dict:
    sums = dict.fromkeys(SUMMED, 0)
    repeat_known = False
    for row in rows:
        for name in SUMMED:
            value = getattr(row, name)
            if value is not None:
                sums[name] += value
        if row.repeat_contacts_7d is not None:
            repeat_known = True
            sums["repeat_base"] = sums.get("repeat_base", 0) + row.contacts
    if not repeat_known:
        sums["repeat_contacts_7d"] = None
    return sums


def readout(task: MicroTask) -> Readout:
    kpi = task.template.kpi
    day_row = KpiDaily.get_or_none((KpiDaily.user == task.user_id) & (KpiDaily.day == task.day))
    if day_row is None:
        return Readout(kpi, True)
    value = rates(_sums([day_row]))[kpi]
    earlier = list(KpiDaily.select().where((KpiDaily.user == task.user_id) & (KpiDaily.day < task.day))
                   .order_by(KpiDaily.day.desc()).limit(BASELINE_DAYS))
    base = _sums(earlier)
    return Readout(kpi, False, value, day_row.contacts, rates(base)[kpi] if earlier else None, len(earlier),
                   base["contacts"])
