"""The evidence behind a skill score, described in words, and trainers' manual ratings (stored
in their own table and written as evidence in the same transaction, so they decay like the rest).
Who may see a profile and who may rate are lms.authz's actions "view_skills" and "rate_skills"."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from peewee import JOIN

from .. import authz
from ..db import write_transaction
from ..models import Bank, Drill, Evidence, ManualRating, MicroTemplate, Question, Skill, User
from . import clock
from .capability import utc_today, weight
from .messages import N_

MAX_NOTE = 2000


class RatingError(ValueError):
    """The rating cannot be recorded; the message (a catalog string) says why."""


def rate(agent: User, skill: str, percent, note: str, by: User) -> ManualRating:
    """Record a manual rating (0-100) with its note, and the evidence row it counts as."""
    if not authz.can(by, "rate_skills", agent):
        raise RatingError(N_("you may not rate this agent"))
    if not Skill.select().where(Skill.slug == skill).exists():
        raise RatingError(N_("unknown skill"))
    if percent is None or isinstance(percent, bool) or not 0 <= percent <= 100:
        raise RatingError(N_("the score must be between 0 and 100"))
    note = (note or "").strip()
    if not note:
        raise RatingError(N_("a note explaining the rating is required"))
    if len(note) > MAX_NOTE:
        raise RatingError(N_("the note is longer than 2000 characters"))
    now = clock.utcnow()
    with write_transaction():
        rating = ManualRating.create(user=agent, skill=skill, score=percent / 100, note=note, rated_by=by, rated_at=now)
        Evidence.create(user=agent, skill=skill, score=percent / 100, source=f"manual:{rating.id}", at=now)
    return rating


def ratings_of(agent: User, skill: str | None = None, limit: int = 50, ids: list[int] | None = None
               ) -> list[ManualRating]:
    """The agent's manual ratings, newest first, with who rated."""
    rater = User.alias()
    query = (ManualRating.select(ManualRating, rater).join(rater, on=(ManualRating.rated_by == rater.id),
                                                           join_type=JOIN.LEFT_OUTER)
             .where(ManualRating.user == agent))
    if skill is not None:
        query = query.where(ManualRating.skill == skill)
    if ids is not None:
        query = query.where(ManualRating.id.in_(ids or [0]))
    return list(query.order_by(ManualRating.rated_at.desc(), ManualRating.id.desc())
                .limit(limit if ids is None else max(len(ids), 1)))


@dataclass
class EvidenceRow:
    kind: str  # quiz | microtask | rubric | checker | finding | manual | other
    ref: str  # the bank, drill or micro-task slug ("case-review" for a case review's rubric)
    title: str  # its title ("" if unknown)
    item: str  # the question, criterion or checker rule; for a manual rating its note
    source: str
    at: dt.datetime
    score: float
    weight: float
    rating: ManualRating | None = None


def _split(source: str) -> tuple[str, str, str]:
    prefix, _, rest = source.partition(":")
    ref, _, item = rest.partition("/")
    if prefix == "checker" and item:
        return "finding", ref, item
    if prefix in ("quiz", "microtask", "rubric", "checker", "manual"):
        return prefix, ref, item
    return "other", source, ""


def evidence_rows(agent: User, skill: str, settings: dict, today: dt.date | None = None,
                  limit: int = 200) -> tuple[list[EvidenceRow], int]:
    """The newest `limit` rows behind one skill score, and how many there are in all."""
    today = today or utc_today()
    query = Evidence.select().where((Evidence.user == agent) & (Evidence.skill == skill))
    total = query.count()
    rows = list(query.order_by(Evidence.at.desc(), Evidence.id.desc()).limit(limit))
    parts = [(row, *_split(row.source)) for row in rows]

    def refs(*kinds):
        return {ref for _, kind, ref, _ in parts if kind in kinds} or {""}

    def items(kind):
        return {item for _, k, _, item in parts if k == kind and item} or {""}

    banks = {b.slug: b.title for b in Bank.select(Bank.slug, Bank.title).where(Bank.slug.in_(refs("quiz")))}
    drills = {d.slug: d.title for d in Drill.select(Drill.slug, Drill.title)
              .where(Drill.slug.in_(refs("rubric", "checker", "finding")))}
    templates = {t.slug: t.title for t in MicroTemplate.select(MicroTemplate.slug, MicroTemplate.title)
                 .where(MicroTemplate.slug.in_(refs("microtask")))}
    questions = {q.slug: q.prompt for q in Question.select(Question.slug, Question.prompt)
                 .where(Question.slug.in_(items("quiz") | items("microtask")))}
    manual_ids = [int(ref) for _, kind, ref, _ in parts if kind == "manual" and ref.isdigit()]
    ratings = {r.id: r for r in ratings_of(agent, skill, ids=manual_ids)} if manual_ids else {}
    found = []
    for row, kind, ref, item in parts:
        title = {"quiz": banks, "microtask": templates}.get(kind, drills).get(ref, "")
        rating = ratings.get(int(ref)) if kind == "manual" and ref.isdigit() else None
        if kind in ("quiz", "microtask") and item:
            item = _short(questions.get(item, item))
        elif rating is not None:
            item = rating.note
        found.append(EvidenceRow(kind, ref, title, item, row.source, row.at, row.score,
                                 weight((today - row.at.date()).days, settings["profile.half_life_days"]), rating))
    return found, total


def _short(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 1] + "…"
