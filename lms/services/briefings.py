"""Briefings: publishing an update to tiers and teams, who it is for, acknowledging it (with
the optional check answered), and who has not acknowledged yet."""
from __future__ import annotations

import datetime as dt
import json

import peewee as pw

from ..db import database
from ..models import TIERS, Briefing, BriefingAck, Membership, User
from . import clock
from .audience import addressed_to, agents_in
from .messages import N_
from .notify import notify_many

MAX_QUESTIONS = 3


class BriefingError(ValueError):
    """The briefing or answer cannot be accepted; the message (a catalog string) says why."""


def publish(author: User, *, title: str, body: str, tiers: list[str], team_ids: set[int] | None,
            deadline: dt.date, questions: list[dict], today: dt.date | None = None, settings=None) -> Briefing:
    """`team_ids` None: every team (admins only: the caller passes the author's scope). Its
    audience is notified in the app, and by e-mail when `settings` has SMTP configured."""
    today = today or clock.today()
    if deadline < today:
        raise BriefingError(N_("the deadline is in the past"))
    if any(t not in TIERS for t in tiers):
        raise BriefingError(N_("unknown tier"))
    if len(questions) > MAX_QUESTIONS:
        raise BriefingError(N_("at most three check questions"))
    for question in questions:
        if not question["prompt"] or len(question["choices"]) < 2 or not 0 <= question["answer"] < len(question["choices"]):
            raise BriefingError(N_("each check question needs a prompt, two or more choices and the right one"))
    with database.atomic():
        briefing = Briefing.create(title=title, body=body, tiers=json.dumps(sorted(tiers)), deadline=deadline,
                                   team_ids=None if team_ids is None else json.dumps(sorted(team_ids)),
                                   questions=json.dumps(questions, ensure_ascii=False), created_by=author)
        notify_many("briefing", N_("A new briefing to read"), [
            (user_id, f"briefing:{briefing.id}:{user_id}", title, f"/briefings/{briefing.id}")
            for (user_id,) in audience(briefing).select(User.id).tuples()], settings=settings, email=True)
    return briefing


def remind(day: dt.date, settings=None) -> dict:
    """Briefings due tomorrow and not acknowledged: due soon; due yesterday: overdue. Once each."""
    sent = {}
    for kind, deadline, title in (("due_soon", day + dt.timedelta(days=1), N_("A briefing is due tomorrow")),
                                  ("overdue", day - dt.timedelta(days=1), N_("A briefing is overdue"))):
        rows = []
        for briefing in Briefing.select().where(Briefing.deadline == deadline):
            done = BriefingAck.select(BriefingAck.user).where(BriefingAck.briefing == briefing)
            rows += [(user_id, f"{kind}:briefing:{briefing.id}:{user_id}", briefing.title, f"/briefings/{briefing.id}")
                     for (user_id,) in audience(briefing).where(User.id.not_in(done)).select(User.id).tuples()]
        sent[kind] = notify_many(kind, title, rows, settings=settings, email=True)
    return sent


def audience(briefing: Briefing) -> pw.ModelSelect:
    """The active agents it is for: in its tiers (all if none) and its teams (all if none)."""
    return agents_in(briefing.tiers, briefing.team_ids)


def for_agent(user: User) -> list[Briefing]:
    """The latest briefings addressed to this agent, newest first (the rule of audience(), in Python)."""
    teams = {m.team_id for m in Membership.select(Membership.team)
             .where((Membership.user == user) & Membership.ended_on.is_null())}
    return [b for b in Briefing.select().order_by(Briefing.created_at.desc()).limit(200)
            if addressed_to(user, b.tiers, b.team_ids, teams)]


def acknowledged(briefing: Briefing, user: User) -> BriefingAck | None:
    return BriefingAck.get_or_none((BriefingAck.briefing == briefing) & (BriefingAck.user == user))


def acknowledge(briefing: Briefing, user: User, answers: list[int | None]) -> BriefingAck:
    """Once per agent; every check question must be answered (right or wrong: it is a check)."""
    if not audience(briefing).where(User.id == user.id).exists():
        raise BriefingError(N_("this briefing is not addressed to you"))
    questions = json.loads(briefing.questions)
    if len(answers) != len(questions) or any(a is None or not 0 <= a < len(q["choices"])
                                             for a, q in zip(answers, questions)):
        raise BriefingError(N_("answer every check question first"))
    correct = sum(a == q["answer"] for a, q in zip(answers, questions))
    with database.atomic():
        ack, created = BriefingAck.get_or_create(briefing=briefing, user=user, defaults={
            "answers": json.dumps(answers), "correct": correct, "acknowledged_at": clock.utcnow()})
    if not created:
        raise BriefingError(N_("you have already acknowledged this briefing"))
    return ack


def status(briefing: Briefing, team_ids: set[int] | None) -> tuple[list[User], list[User]]:
    """(acknowledged, not yet) among its audience in these teams (None: all)."""
    people = audience(briefing)
    if team_ids is not None:
        people = people.where(User.id.in_(Membership.select(Membership.user).where(
            Membership.ended_on.is_null() & Membership.team.in_(list(team_ids) or [0]))))
    done = {a.user_id for a in BriefingAck.select(BriefingAck.user).where(BriefingAck.briefing == briefing)}
    everyone = sorted(people, key=lambda u: u.employee_no)
    return [u for u in everyone if u.id in done], [u for u in everyone if u.id not in done]
