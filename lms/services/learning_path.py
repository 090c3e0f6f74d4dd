"""Personal learning paths: the rules in `[[learning.rules]]` map a weak skill (its capability
score below a threshold) or a weak KPI (over the last weeks, a ratio of the weekly sums, with
enough contacts) to content, each recommendation with its reason.

A rule that holds for an agent is remembered with the moment it was first seen (a
PathRecommendation row); an item the agent completed since then counts as done (a lesson's
Completion, a submitted quiz attempt, a drill reply). When the skill or KPI recovers the rule
no longer holds and its row goes, so the recommendation goes too. Only content the agent may
open (their tier and below) is listed; a content slug that names nothing is logged and skipped.
"""
from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field

from .. import authz
from ..db import write_transaction
from ..models import (Activity, Bank, Completion, Drill, DrillReply, KpiWeekly, Module, PathRecommendation,
                      QuizAttempt, Skill, Track, User)
from . import clock
from .capability import scores_for
from .kpi_report import REGISTRY, min_denominator
from .kpi_rollup import monday
from .kpi_summary import rates
from .messages import N_

log = logging.getLogger(__name__)

# The default rules' reasons (lms/config.py DEFAULT_LEARNING_RULES), marked for the catalog.
DEFAULT_REASONS = (
    N_("Your empathy score is low: practise naming the customer's feelings and the soothing formula."),
    N_("Your problem diagnosis is weak: practise the three dimensions on complex cases."),
    N_("Your customer satisfaction is below target: work on empathy and soothing upset customers."),
    N_("Your contacts take long: answer conclusion first and find answers quickly in the tools."),
    N_("Too few of your contacts are resolved the first time: practise problem diagnosis."),
)
_SUMMED = ("contacts", "resolved_first_contact", "handle_seconds", "csat_responses", "csat_positive",
           "repeat_contacts_7d", "repeat_base")


@dataclass
class PathItem:
    slug: str
    kind: str  # lesson | quiz | drill
    title: str
    link: str  # what opens it: "activity" (slug), "bank" or "drill" (target)
    target: str
    done: bool = False
    read_on: dt.datetime | None = None  # a lesson read before the recommendation was made


@dataclass
class Recommendation:
    rule: str
    reason: str
    kind: str  # skill | kpi
    subject: str  # the skill slug or KPI key
    value: float
    threshold: float
    direction: str  # below | above
    weeks: int | None
    since: dt.datetime
    items: list[PathItem] = field(default_factory=list)
    subject_name: str = ""  # the skill's name (KPIs are labelled by the page)

    @property
    def open_items(self) -> list[PathItem]:
        return [i for i in self.items if not i.done]


def _holds(value: float, rule: dict) -> bool:
    return value < rule["below"] if "below" in rule else value > rule["above"]


def triggered(user: User, settings: dict, today: dt.date | None = None) -> list[tuple[dict, float]]:
    """The rules that hold for this agent now, with the value that made them hold."""
    today = today or clock.today()
    rules = settings["learning.rules"]
    found = []
    if any("skill" in r for r in rules):
        scores = scores_for([user], settings).get(user.id, {})
        for rule in (r for r in rules if "skill" in r):
            score = scores.get(rule["skill"])
            if score is not None and score.score is not None and _holds(score.score, rule):
                found.append((rule, score.score))
    kpi_rules = [r for r in rules if "kpi" in r]
    if kpi_rules:
        first = monday(today) - dt.timedelta(weeks=max(r["weeks"] for r in kpi_rules) - 1)
        weeks = list(KpiWeekly.select().where((KpiWeekly.user == user) & (KpiWeekly.week >= first)
                                              & (KpiWeekly.week <= today)))
        for rule in kpi_rules:
            start = monday(today) - dt.timedelta(weeks=rule["weeks"] - 1)
            value = _kpi_value(settings, rule, [w for w in weeks if w.week >= start])
            if value is not None and _holds(value, rule):
                found.append((rule, value))
    return found


def _kpi_value(settings: dict, rule: dict, weeks: list[KpiWeekly]) -> float | None:
    """The KPI over these weeks as a ratio of sums; None below the minimum of contacts."""
    sums = {name: sum(getattr(w, name) or 0 for w in weeks) for name in _SUMMED}
    if all(w.repeat_contacts_7d is None for w in weeks):
        sums["repeat_contacts_7d"] = None
    key = rule["kpi"]
    minimum = rule.get("min_contacts") or min_denominator(settings, key)
    if sums[REGISTRY[key].denominator] < minimum:
        return None
    return rates(sums)[key]


def _sync(user: User, names: list[str]) -> dict[str, dt.datetime]:
    """Remember when each holding rule was first seen; forget rules that stopped holding."""
    stored = {r.rule: r.since for r in PathRecommendation.select().where(PathRecommendation.user == user)}
    new, gone = [n for n in names if n not in stored], [n for n in stored if n not in names]
    if new or gone:
        with write_transaction():
            if gone:
                PathRecommendation.delete().where((PathRecommendation.user == user)
                                                  & PathRecommendation.rule.in_(gone)).execute()
            for name in new:
                PathRecommendation.insert(user=user, rule=name, since=clock.utcnow()).on_conflict_ignore().execute()
        stored = {r.rule: r.since for r in PathRecommendation.select().where(PathRecommendation.user == user)}
    return {name: stored[name] for name in names}


def recommendations(user: User, settings: dict, today: dt.date | None = None) -> list[Recommendation]:
    """What is recommended to this agent now, each with its reason, items and what is done."""
    holding = triggered(user, settings, today)
    since = _sync(user, [rule["name"] for rule, _ in holding])
    content = resolve(user, {slug for rule, _ in holding for slug in rule["content"]})
    found = []
    for rule, value in holding:
        items = [PathItem(**content[slug]) for slug in rule["content"] if slug in content]
        kind = "skill" if "skill" in rule else "kpi"
        direction = "below" if "below" in rule else "above"
        found.append(Recommendation(rule["name"], rule["reason"], kind, rule.get("skill") or rule["kpi"], value,
                                    rule[direction], direction, rule.get("weeks"), since[rule["name"]], items))
    _mark_done(user, found)
    skills = {r.subject for r in found if r.kind == "skill"}
    if skills:
        names = {s.slug: s.name for s in Skill.select(Skill.slug, Skill.name).where(Skill.slug.in_(skills))}
        for rec in found:
            rec.subject_name = names.get(rec.subject, rec.subject)
    return found


def resolve(user: User, slugs: set[str]) -> dict[str, dict]:
    """Content by slug (an activity, else a drill, else a bank) that the user may open."""
    found: dict[str, dict] = {}
    if not slugs:
        return found
    activities = list(Activity.select(Activity, Module, Track).join(Module).join(Track)
                      .where(Activity.slug.in_(slugs) & (Activity.published == True)  # noqa: E712
                             & (Module.published == True) & (Track.published == True)))  # noqa: E712
    for a in activities:
        if authz.can(user, "open_content", a.module.track):
            link, target = ("activity", a.slug) if a.kind == "lesson" else ("bank" if a.kind == "quiz" else "drill",
                                                                             a.ref)
            found[a.slug] = {"slug": a.slug, "kind": a.kind, "title": a.title, "link": link, "target": target}
    known = {a.slug for a in activities}
    for model, kind, link in ((Drill, "drill", "drill"), (Bank, "quiz", "bank")):
        for row in model.select().where(model.slug.in_(slugs - known) & (model.published == True)):  # noqa: E712
            known.add(row.slug)
            if authz.can(user, "open_content", row):
                found[row.slug] = {"slug": row.slug, "kind": kind, "title": row.title, "link": link,
                                   "target": row.slug}
    missing = slugs - known
    if missing:
        log.warning("learning.rules: no published content with the slugs %s", ", ".join(sorted(missing)))
    return found


def _mark_done(user: User, recs: list[Recommendation]) -> None:
    items = [(rec, item) for rec in recs for item in rec.items]
    if not items:
        return
    lessons = {i.slug for _, i in items if i.link == "activity"} or {""}
    read = {c.activity.slug: c.completed_at for c in Completion.select(Completion, Activity).join(Activity)
            .where((Completion.user == user) & Activity.slug.in_(lessons))}
    latest: dict[tuple[str, str], dt.datetime] = {}
    banks = {i.target for _, i in items if i.link == "bank"} or {""}
    for attempt in (QuizAttempt.select(QuizAttempt, Bank).join(Bank)
                    .where((QuizAttempt.user == user) & Bank.slug.in_(banks)
                           & QuizAttempt.submitted_at.is_null(False))):
        key = ("bank", attempt.bank.slug)
        latest[key] = max(latest.get(key, attempt.submitted_at), attempt.submitted_at)
    drills = {i.target for _, i in items if i.link == "drill"} or {""}
    for reply in DrillReply.select(DrillReply, Drill).join(Drill).where((DrillReply.user == user)
                                                                        & Drill.slug.in_(drills)):
        key = ("drill", reply.drill.slug)
        latest[key] = max(latest.get(key, reply.submitted_at), reply.submitted_at)
    for rec, item in items:
        at = read.get(item.slug) if item.link == "activity" else latest.get((item.link, item.target))
        item.done = at is not None and at >= rec.since
        if item.link == "activity" and at is not None and not item.done:
            item.read_on = at


def unknown_content(settings: dict) -> list[tuple[str, str]]:
    """(rule, slug) for each content slug that names no activity, drill or bank at all."""
    slugs = {slug for rule in settings["learning.rules"] for slug in rule["content"]}
    known = set()
    for model in (Activity, Drill, Bank):
        known |= {row.slug for row in model.select(model.slug).where(model.slug.in_(slugs or {""}))}
    return [(rule["name"], slug) for rule in settings["learning.rules"] for slug in rule["content"]
            if slug not in known]
