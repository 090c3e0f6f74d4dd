"""Weekly case reviews: building a set of 3-5 cases for a week, giving it to its audience
(one assignment per agent per set, whatever runs twice), and the agents' three-dimension
submissions with a reusable technique (late after the due day)."""
from __future__ import annotations

import datetime as dt
import json

import peewee as pw

from ..db import database
from ..models import (DIMENSIONS, TIERS, Case, Membership, ReviewAssignment, ReviewSet, ReviewSetCase,
                      ReviewSubmission, User)
from . import clock
from .audience import agents_in
from .kpi_rollup import monday
from .messages import N_
from .notify import notify_many

MIN_CASES, MAX_CASES = 3, 5
MIN_ANSWER = 10  # characters: a dimension answered in a few words is not a review
MAX_ANSWER = 4000


class ReviewError(ValueError):
    """The set or the submission cannot be accepted; the message (a catalog string) says why."""


def create_set(author: User, *, title: str, week: dt.date, due_on: dt.date, case_ids: list[int], tiers: list[str],
               team_ids: set[int] | None) -> ReviewSet:
    week = monday(week)
    if not MIN_CASES <= len(set(case_ids)) <= MAX_CASES:
        raise ReviewError(N_("a review set has 3 to 5 cases"))
    if due_on < week:
        raise ReviewError(N_("the due day is before the week begins"))
    if any(t not in TIERS for t in tiers):
        raise ReviewError(N_("unknown tier"))
    cases = list(Case.select().where(Case.id.in_(case_ids)))
    if len(cases) != len(set(case_ids)):
        raise ReviewError(N_("unknown case"))
    with database.atomic():
        review_set = ReviewSet.create(title=title, week=week, due_on=due_on, tiers=json.dumps(sorted(tiers)),
                                      team_ids=None if team_ids is None else json.dumps(sorted(team_ids)),
                                      created_by=author)
        for position, case_id in enumerate(dict.fromkeys(case_ids), 1):
            ReviewSetCase.create(review_set=review_set, case=case_id, position=position)
    return review_set


def audience(review_set: ReviewSet) -> pw.ModelSelect:
    return agents_in(review_set.tiers, review_set.team_ids)


def assign(review_set: ReviewSet) -> int:
    """Give the set to its audience: one assignment each (the unique key), notified once."""
    now = clock.utcnow()
    with database.atomic():
        added = (ReviewAssignment.insert_from(
            audience(review_set).select(pw.Value(review_set.id), User.id, pw.Value(now)),
            [ReviewAssignment.review_set, ReviewAssignment.user, ReviewAssignment.assigned_at])
            .on_conflict_ignore().as_rowcount().execute())
        ReviewSet.update(assigned_at=now).where(ReviewSet.id == review_set.id).execute()
        notify_many("task", N_("A weekly case review is assigned to you"), [
            (a.user_id, f"review:{a.id}", review_set.title, f"/reviews/{a.id}")
            for a in ReviewAssignment.select().where(ReviewAssignment.review_set == review_set)])
    return added


def assign_due(day: dt.date) -> dict:
    """The weekly job: every set whose week has begun and whose due day has not passed is
    given to its audience (again: new members of its teams get it too, nobody twice)."""
    sets = list(ReviewSet.select().where((ReviewSet.week <= day) & (ReviewSet.due_on >= day)))
    return {"date": day.isoformat(), "sets": len(sets), "assigned": sum(assign(s) for s in sets)}


def cases_of(review_set: ReviewSet) -> list[Case]:
    return [item.case for item in ReviewSetCase.select(ReviewSetCase, Case).join(Case)
            .where(ReviewSetCase.review_set == review_set).order_by(ReviewSetCase.position)]


def latest(assignment: ReviewAssignment) -> ReviewSubmission | None:
    return (ReviewSubmission.select().where(ReviewSubmission.assignment == assignment)
            .order_by(ReviewSubmission.version.desc()).first())


def submit(assignment: ReviewAssignment, answers: dict[int, dict[str, str]], technique: str,
           today: dt.date | None = None) -> ReviewSubmission:
    """Every case answered along the three dimensions, and a technique; once (a resubmission
    comes with the grader's feedback)."""
    today = today or clock.today()
    cases = cases_of(assignment.review_set)
    clean = {}
    for case in cases:
        given = answers.get(case.id, {})
        for dimension in DIMENSIONS:
            text = (given.get(dimension) or "").strip()
            if len(text) < MIN_ANSWER:
                raise ReviewError(N_("answer every case along all three dimensions (at least a sentence each)"))
            clean.setdefault(str(case.id), {})[dimension] = text[:MAX_ANSWER]
    technique = (technique or "").strip()
    if len(technique) < MIN_ANSWER:
        raise ReviewError(N_("propose a technique others can reuse"))
    from .review_grading import may_resubmit

    version = 1
    if latest(assignment) is not None:
        if not may_resubmit(assignment):
            raise ReviewError(N_("already submitted; you may resubmit once after feedback"))
        version = 2  # a resubmission follows feedback: it is never late
    try:
        with database.atomic():
            return ReviewSubmission.create(assignment=assignment, version=version,
                                           answers=json.dumps(clean, ensure_ascii=False),
                                           technique=technique[:MAX_ANSWER],
                                           late=version == 1 and today > assignment.review_set.due_on)
    except pw.IntegrityError:  # a double click: the unique (assignment, version) key keeps one
        raise ReviewError(N_("already submitted; you may resubmit once after feedback")) from None


def for_agent(user: User) -> list[tuple[ReviewAssignment, ReviewSubmission | None]]:
    assignments = (ReviewAssignment.select(ReviewAssignment, ReviewSet).join(ReviewSet)
                   .where(ReviewAssignment.user == user).order_by(ReviewSet.week.desc()))
    return [(a, latest(a)) for a in assignments]


def progress_of(review_set: ReviewSet, team_ids: set[int] | None) -> tuple[int, int, int]:
    """(assigned, submitted, of them late) among the agents of these teams (None: all)."""
    assigned = ReviewAssignment.select().where(ReviewAssignment.review_set == review_set)
    if team_ids is not None:
        assigned = assigned.where(ReviewAssignment.user.in_(Membership.select(Membership.user).where(
            Membership.ended_on.is_null() & Membership.team.in_(list(team_ids) or [0]))))
    ids = [a.id for a in assigned]
    submitted = ReviewSubmission.select().where(ReviewSubmission.assignment.in_(ids or [0]) &
                                                (ReviewSubmission.version == 1))
    return len(ids), submitted.count(), submitted.where(ReviewSubmission.late).count()
