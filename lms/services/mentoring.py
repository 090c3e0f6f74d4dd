"""Pairing elite mentors with newcomer mentees (at most mentoring.max_mentees each), ending
pairings (kept as history), and what a mentor sees of their mentees at a glance."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ..db import write_transaction
from ..models import CoachingSession, DrillReply, MentorPairing, MicroTask, ReviewAssignment, ReviewGrade, ReviewSubmission, User
from . import clock
from .kpi_report import weekly
from .messages import N_
from .notify import notify_many
from .progress_batch import agent_progress, outlines


class MentoringError(ValueError):
    """The pairing cannot be made; the message (a catalog string) says why."""


def current_mentor(mentee: User) -> User | None:
    pairing = (MentorPairing.select().where((MentorPairing.mentee == mentee) & MentorPairing.ended_on.is_null())
               .first())
    return pairing.mentor if pairing else None


def mentees_of(mentor: User) -> list[User]:
    return [p.mentee for p in MentorPairing.select(MentorPairing, User)
            .join(User, on=(MentorPairing.mentee == User.id))
            .where((MentorPairing.mentor == mentor) & MentorPairing.ended_on.is_null()).order_by(User.employee_no)]


def pair(mentor: User, mentee: User, by: User, settings: dict, today: dt.date | None = None) -> MentorPairing:
    """A mentee has one mentor at a time: a new pairing ends the old one (history kept)."""
    today = today or clock.today()
    if not (mentor.active and mentor.has_role("mentor") and mentor.tier == "elite"):
        raise MentoringError(N_("a mentor is an active elite agent with the mentor role"))
    if not (mentee.active and mentee.has_role("agent") and mentee.tier == "newcomer"):
        raise MentoringError(N_("a mentee is an active newcomer"))
    with write_transaction():
        if current_mentor(mentee) == mentor:
            raise MentoringError(N_("they are already paired"))
        if len(mentees_of(mentor)) >= settings["mentoring.max_mentees"]:
            raise MentoringError(N_("this mentor already has the most mentees allowed"))
        MentorPairing.update(ended_on=today).where((MentorPairing.mentee == mentee)
                                                   & MentorPairing.ended_on.is_null()).execute()
        return MentorPairing.create(mentor=mentor, mentee=mentee, started_on=today, created_by=by)


def end(pairing: MentorPairing, today: dt.date | None = None) -> None:
    MentorPairing.update(ended_on=today or clock.today()).where(
        (MentorPairing.id == pairing.id) & MentorPairing.ended_on.is_null()).execute()


@dataclass
class MenteeCard:
    mentee: User
    progress: int | None  # percent of the own track
    today_task: str | None  # open | done | missed | None (no task today)
    fcr: float | None  # the latest week with contacts
    csat: float | None
    awaiting: int  # drill replies and case reviews waiting for a grade


def cards(mentor: User, settings: dict, today: dt.date | None = None) -> list[MenteeCard]:
    today = today or clock.today()
    mentees = mentees_of(mentor)
    if not mentees:
        return []
    ids = [m.id for m in mentees]
    progress = agent_progress(ids, outlines(), {m.id: m.tier for m in mentees})
    tasks = {t.user_id: t.status for t in MicroTask.select().where(MicroTask.user.in_(ids) & (MicroTask.day == today))}
    replies = {u: n for u, n in _count(DrillReply.select(DrillReply.user).where(
        DrillReply.user.in_(ids) & DrillReply.graded_at.is_null()))}
    graded = ReviewGrade.select(ReviewGrade.submission)
    reviews = {u: n for u, n in _count(ReviewSubmission.select(ReviewAssignment.user).join(ReviewAssignment)
                                       .where(ReviewAssignment.user.in_(ids) & ReviewSubmission.id.not_in(graded)))}
    found = []
    for mentee in mentees:
        latest = next((w for w in reversed(weekly(mentee, settings, 4, today)) if w.contacts), None)
        found.append(MenteeCard(mentee, progress[mentee.id].percent if mentee.id in progress else None,
                                tasks.get(mentee.id), latest.values["fcr"] if latest else None,
                                latest.values["csat"] if latest else None,
                                replies.get(mentee.id, 0) + reviews.get(mentee.id, 0)))
    return found


def _count(query) -> list[tuple[int, int]]:
    counts: dict[int, int] = {}
    for (user_id,) in query.tuples():
        counts[user_id] = counts.get(user_id, 0) + 1
    return list(counts.items())


def log_session(mentor: User, mentee: User, *, held_on: dt.date, topic: str, skill: str = "", notes: str = "",
                action: str = "", follow_up_on: dt.date | None = None, today: dt.date | None = None) -> CoachingSession:
    """Only the mentee's current mentor logs; a session is not in the future; the follow-up after it."""
    today = today or clock.today()
    if current_mentor(mentee) != mentor:
        raise MentoringError(N_("you are not this agent's mentor"))
    if held_on > today:
        raise MentoringError(N_("a session cannot be in the future"))
    if not topic.strip():
        raise MentoringError(N_("a session needs a topic"))
    if follow_up_on is not None and follow_up_on < held_on:
        raise MentoringError(N_("the follow-up date is before the session"))
    session = CoachingSession.create(mentor=mentor, mentee=mentee, held_on=held_on, topic=topic.strip()[:200],
                                     skill=skill[:64], notes=notes.strip()[:4000], action=action.strip()[:2000],
                                     follow_up_on=follow_up_on)
    notify_many("task", N_("Your mentor logged a coaching session"),
                [(mentee.id, f"coaching:{session.id}", session.topic, "/mentoring/sessions")])
    return session


def acknowledge(session: CoachingSession, mentee: User) -> bool:
    if session.mentee_id != mentee.id:
        raise MentoringError(N_("this session is not yours"))
    return bool(CoachingSession.update(acknowledged_at=clock.utcnow()).where(
        (CoachingSession.id == session.id) & CoachingSession.acknowledged_at.is_null()).execute())
