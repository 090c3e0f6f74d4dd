"""The golden-script library's writes and reads: trainers create, edit, approve and retire
scripts (each write re-indexes the script in the same transaction), promote a technique from
a case review into a draft, and anyone may turn a script into a scenario drill to practise.
Who contributed what each month (`contributions`) feeds the "script of the month" badge."""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from peewee import fn

from .. import authz
from ..db import database, write_transaction
from ..models import Drill, GoldenScript, GoldenScriptGram, ReviewSetCase, ScriptProposal, Technique, User
from . import clock
from .content_pack import SLUG
from .script_pack import FRAMES, RESERVED_SLUGS, field_problems, topic_label
from .script_search import reindex

EDITABLE = ("title", "scenario", "topic", "channel", "situation", "before", "after", "elements", "why",
            "approved_by")
PRACTICE_TIER = "newcomer"  # every agent may open it (authz: a tier at or below their own)
PRACTICE_SKILL = "expression"
PRACTICE_RUBRIC = "reply-standard"  # the scenario drills' rubric
CHANNEL_NAMES = {"phone": "电话", "chat": "在线", "email": "邮件"}  # content, in the drill's context


class ScriptInvalid(ValueError):
    """Fields break the rules: problems are (field, catalog message, values)."""

    def __init__(self, problems: list[tuple[str, str, dict]]):
        super().__init__("; ".join(f"{name}: {message % args}" for name, message, args in problems))
        self.problems = problems


def statuses_for(user: User) -> tuple[str, ...]:
    return ("draft", "published", "retired") if authz.can(user, "see_script_drafts") else ("published",)


def visible(user: User, slug: str) -> GoldenScript | None:
    return GoldenScript.get_or_none((GoldenScript.slug == slug) & GoldenScript.status.in_(statuses_for(user)))


def _clean(data: dict) -> dict:
    fields = {name: (data.get(name) or "").strip() if name != "elements" else list(data.get(name) or [])
              for name in EDITABLE}
    fields["elements"] = [e for e in FRAMES.get(fields["scenario"], ()) if e in fields["elements"]] \
        if fields["scenario"] in FRAMES else fields["elements"]
    problems = field_problems({**fields, "elements": list(data.get("elements") or [])})
    if problems:
        raise ScriptInvalid(problems)
    return {**fields, "elements": json.dumps(fields["elements"], ensure_ascii=False)}


def _new_slug(topic: str, channel: str) -> str:
    base = f"gs-{topic.replace('_', '-')}-{channel}"[:58]
    taken = {s.slug for s in GoldenScript.select(GoldenScript.slug).where(GoldenScript.slug.startswith(base))}
    slug, n = base, 1
    while slug in taken or slug in RESERVED_SLUGS or not SLUG.match(slug):
        n += 1
        slug = f"{base}-{n}"
    return slug


def create(data: dict, user: User, *, source: str = "web", author: User | None = None,
           technique: Technique | None = None, status: str = "draft") -> GoldenScript:
    fields = _clean(data)
    now = clock.utcnow()
    with write_transaction():
        script = GoldenScript.create(slug=_new_slug(fields["topic"], fields["channel"]), **fields, status=status,
                                     source=source, author=author or user, technique=technique,
                                     created_at=now, updated_at=now, updated_by=user)
        if status == "published":
            _stamp_approval(script, user)
        reindex(script)
    return script


def update(script: GoldenScript, data: dict, user: User) -> GoldenScript:
    fields = _clean(data)
    with write_transaction():
        GoldenScript.update(**fields, updated_at=clock.utcnow(), updated_by=user) \
            .where(GoldenScript.id == script.id).execute()
        script = GoldenScript.get_by_id(script.id)
        reindex(script)
    return script


def _stamp_approval(script: GoldenScript, user: User) -> None:
    GoldenScript.update(status="published", approver=user, approved_at=clock.utcnow(),
                        approved_by=script.approved_by or user.name).where(GoldenScript.id == script.id).execute()


def approve(script: GoldenScript, user: User) -> GoldenScript:
    """Publish a draft (or a retired script again), the trainer recorded as its approver."""
    with write_transaction():
        _stamp_approval(script, user)
    return GoldenScript.get_by_id(script.id)


def retire(script: GoldenScript, user: User) -> GoldenScript:
    GoldenScript.update(status="retired", updated_at=clock.utcnow(), updated_by=user) \
        .where(GoldenScript.id == script.id).execute()
    return GoldenScript.get_by_id(script.id)


def delete(script: GoldenScript) -> None:
    with database.atomic():
        GoldenScriptGram.delete().where(GoldenScriptGram.script == script.id).execute()
        script.delete_instance()


def technique_author(technique: Technique) -> User:
    return technique.submission.assignment.user


def from_technique(technique: Technique) -> dict:
    """A new script's fields prefilled from a technique and the first case of its review set."""
    case = (ReviewSetCase.select().where(ReviewSetCase.review_set == technique.submission.assignment.review_set)
            .order_by(ReviewSetCase.position).first())
    case = case.case if case else None
    text = " ".join(technique.text.split())
    channel = next((key for key, name in CHANNEL_NAMES.items()
                    if case and (key in case.channel.lower() or name in case.channel)), "phone")
    situation = (case.summary or case.title) if case else ""
    return {"title": text[:40], "scenario": "complaint", "topic": "", "channel": channel,
            "situation": situation[:1000], "before": "", "after": technique.text, "elements": [],
            "why": "", "approved_by": ""}


def practice_drill(script: GoldenScript) -> Drill:
    """The script as a scenario drill (made once, refreshed when the script changed): the situation
    is the customer's side, the golden wording the model answer, the frame the script's."""
    slug = f"golden-script-{script.id}"
    weak = f"常见的弱说法：“{script.before}”——请说得更好。" if script.before else ""
    fields = {"title": f"金牌话术练习：{script.title}"[:200], "tier": PRACTICE_TIER, "scenario": script.scenario,
              "skill": PRACTICE_SKILL, "rubric": PRACTICE_RUBRIC,
              "context": f"{CHANNEL_NAMES.get(script.channel, script.channel)} · {topic_label(script.topic)}。{weak}",
              "customer": script.situation, "model_answer": script.after,
              "tags": json.dumps(["golden-script", script.slug], ensure_ascii=False), "published": True}
    with write_transaction():
        Drill.insert(slug=slug, **fields, updated_at=clock.utcnow()).on_conflict_ignore().execute()
        drill = Drill.get(Drill.slug == slug)
        if any(getattr(drill, key) != value for key, value in fields.items()):
            Drill.update(**fields, updated_at=clock.utcnow()).where(Drill.id == drill.id).execute()
            drill = Drill.get_by_id(drill.id)
    return drill


def improvements(script: GoldenScript) -> list[ScriptProposal]:
    """Accepted proposals that changed this script: its credits beside the author's."""
    return list(ScriptProposal.select().where((ScriptProposal.script == script)
                                              & (ScriptProposal.status == "accepted"))
                .order_by(ScriptProposal.decided_at))


@dataclass
class Contribution:
    user: User
    accepted_proposals: int
    approved_scripts: int

    @property
    def total(self) -> int:
        return self.accepted_proposals + self.approved_scripts


def contributions(month: dt.date) -> list[Contribution]:
    """Per author, in the calendar month of `month` (UTC): proposals accepted, and scripts they
    contributed that were approved (a script made by accepting a proposal counts once, as the
    proposal). Most first."""
    start = dt.datetime(month.year, month.month, 1)
    end = dt.datetime(month.year + month.month // 12, month.month % 12 + 1, 1)
    accepted = dict(ScriptProposal.select(ScriptProposal.proposer, fn.COUNT(ScriptProposal.id))
                    .where((ScriptProposal.status == "accepted") & (ScriptProposal.decided_at >= start)
                           & (ScriptProposal.decided_at < end))
                    .group_by(ScriptProposal.proposer).tuples())
    approved = dict(GoldenScript.select(GoldenScript.author, fn.COUNT(GoldenScript.id))
                    .where(GoldenScript.author.is_null(False) & (GoldenScript.source != "proposal")
                           & (GoldenScript.status == "published")
                           & (GoldenScript.approved_at >= start) & (GoldenScript.approved_at < end))
                    .group_by(GoldenScript.author).tuples())
    users = {u.id: u for u in User.select().where(User.id.in_(list(set(accepted) | set(approved)) or [0]))}
    found = [Contribution(users[uid], accepted.get(uid, 0), approved.get(uid, 0)) for uid in users]
    return sorted(found, key=lambda c: (-c.total, c.user.name, c.user.id))


def script_of_the_month(month: dt.date) -> list[Contribution]:
    """The month's top contributors (several on a tie; none when nobody contributed)."""
    found = contributions(month)
    return [c for c in found if c.total == found[0].total] if found else []
