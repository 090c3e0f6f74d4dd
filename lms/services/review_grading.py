"""Grading weekly case reviews with the three-dimension rubric (assessments/rubrics/
case-review.toml), the one resubmission after feedback, and disputes of a criterion's level
(within reviews.dispute_days of the grade; a trainer accepts, partly accepts or rejects)."""
from __future__ import annotations

import datetime as dt
import json

import peewee as pw

from .. import authz
from ..db import database
from ..models import (DISPUTE_OUTCOMES, Dispute, Evidence, ReviewAssignment, ReviewGrade, ReviewSet,
                      ReviewSubmission, Technique, User)
from . import clock, rubrics
from .messages import N_
from .notify import notify_many

RUBRIC = "case-review"


class GradingError(ValueError):
    """The grade or dispute cannot be accepted; the message (a catalog string) says why."""


def queue(grader: User, limit: int = 100) -> list[ReviewSubmission]:
    """Ungraded submissions of agents this user may grade, oldest first."""
    pending = (ReviewSubmission.select(ReviewSubmission, ReviewAssignment, ReviewSet).join(ReviewAssignment)
               .join(ReviewSet).switch(ReviewSubmission)
               .join(ReviewGrade, pw.JOIN.LEFT_OUTER).where(ReviewGrade.id.is_null())
               .order_by(ReviewSubmission.submitted_at).limit(limit * 5))
    return [s for s in pending if authz.can(grader, "grade", s.assignment.user)][:limit]


def grade(submission: ReviewSubmission, grader: User, levels: dict[str, int | None], comment: str,
          settings: dict | None = None) -> ReviewGrade:
    if not authz.can(grader, "grade", submission.assignment.user):
        raise GradingError(N_("you do not grade this agent"))
    version = rubrics.current_version(RUBRIC)
    if version is None:
        raise GradingError(N_("the case-review rubric is not loaded"))
    result = rubrics.score(version, levels)  # raises RubricError naming the criterion
    agent = submission.assignment.user
    try:
        with database.atomic():
            made = ReviewGrade.create(submission=submission, grader=grader, rubric_version=version,
                                      levels=json.dumps(levels), score=result.score, comment=(comment or "").strip()[:4000])
            for criterion in rubrics.criteria_of(version):
                fraction = result.per_criterion.get(criterion["id"])
                if fraction is not None:
                    Evidence.create(user=agent, skill=criterion["skill"], score=fraction,
                                    source=f"rubric:case-review/{criterion['id']}")
            notify_many("graded", N_("Your case review was graded"),
                        [(agent.id, f"graded:review:{made.id}", submission.assignment.review_set.title,
                          f"/reviews/{submission.assignment_id}")], settings=settings, email=True)
    except pw.IntegrityError:
        raise GradingError(N_("this submission was already graded")) from None
    return made


def grade_of(submission: ReviewSubmission | None) -> ReviewGrade | None:
    return None if submission is None else ReviewGrade.get_or_none(ReviewGrade.submission == submission)


def may_resubmit(assignment: ReviewAssignment) -> bool:
    """Once, after the first submission was graded."""
    versions = {s.version for s in ReviewSubmission.select(ReviewSubmission.version)
                .where(ReviewSubmission.assignment == assignment)}
    first = ReviewSubmission.get_or_none((ReviewSubmission.assignment == assignment) & (ReviewSubmission.version == 1))
    return versions == {1} and grade_of(first) is not None


def open_dispute(grade_row: ReviewGrade, agent: User, criterion: str, comment: str, days: int,
                 today: dt.date | None = None) -> Dispute:
    today = today or clock.today()
    if grade_row.submission.assignment.user_id != agent.id:
        raise GradingError(N_("only the reviewed agent may contest a grade"))
    if today > clock.local(grade_row.graded_at).date() + dt.timedelta(days=days):
        raise GradingError(N_("the time to contest this grade has passed"))
    levels = json.loads(grade_row.levels)
    if criterion not in levels:
        raise GradingError(N_("unknown criterion"))
    if len((comment or "").strip()) < 5:
        raise GradingError(N_("say why the level is wrong"))
    try:
        with database.atomic():
            return Dispute.create(grade=grade_row, criterion=criterion, comment=comment.strip()[:2000],
                                  old_level=levels[criterion])
    except pw.IntegrityError:
        raise GradingError(N_("this criterion is already contested")) from None


def resolve(dispute: Dispute, trainer: User, outcome: str, new_level: int | None, resolution: str) -> Dispute:
    """Accept (the level the agent asked for), partly accept (a level between) or reject; the
    grade's score is recomputed with the rubric version it was graded with."""
    if not (authz.is_admin(trainer) or trainer.has_role("trainer")) or \
            not authz.can(trainer, "view_user", dispute.grade.submission.assignment.user):
        raise GradingError(N_("you do not resolve disputes for this agent"))
    if dispute.outcome is not None:
        raise GradingError(N_("this dispute is already resolved"))
    if outcome not in DISPUTE_OUTCOMES:
        raise GradingError(N_("accept, partly accept or reject"))
    if len((resolution or "").strip()) < 2:
        raise GradingError(N_("explain the decision"))
    grade_row = dispute.grade
    levels = json.loads(grade_row.levels)
    level = levels[dispute.criterion] if outcome == "rejected" else new_level
    if outcome != "rejected" and (level is None or level == dispute.old_level):
        raise GradingError(N_("give the new level"))
    levels[dispute.criterion] = level
    result = rubrics.score(grade_row.rubric_version, levels)
    with database.atomic():
        ReviewGrade.update(levels=json.dumps(levels), score=result.score).where(ReviewGrade.id == grade_row.id).execute()
        Dispute.update(outcome=outcome, new_level=level, resolution=resolution.strip()[:2000], resolved_by=trainer,
                       resolved_at=clock.utcnow()).where(Dispute.id == dispute.id).execute()
    return Dispute.get_by_id(dispute.id)


def disputes_in(team_ids: set[int] | None) -> list[Dispute]:
    query = (Dispute.select(Dispute, ReviewGrade, ReviewSubmission, ReviewAssignment).join(ReviewGrade)
             .join(ReviewSubmission).join(ReviewAssignment).order_by(Dispute.opened_at.desc()))
    if team_ids is not None:
        from ..models import Membership

        query = query.where(ReviewAssignment.user.in_(Membership.select(Membership.user).where(
            Membership.ended_on.is_null() & Membership.team.in_(list(team_ids) or [0]))))
    return list(query.limit(500))


def dispute_stats(disputes: list[Dispute]) -> dict:
    """Open ones, outcomes, and the mean hours to resolve."""
    resolved = [d for d in disputes if d.outcome]
    hours = [(d.resolved_at - d.opened_at).total_seconds() / 3600 for d in resolved]
    return {"open": sum(d.outcome is None for d in disputes),
            "outcomes": {o: sum(d.outcome == o for d in resolved) for o in DISPUTE_OUTCOMES},
            "mean_hours": round(sum(hours) / len(hours), 1) if hours else None}


def flag_technique(submission: ReviewSubmission, trainer: User) -> Technique:
    """Keep a graded submission's technique for the golden-script library (once)."""
    if not (authz.is_admin(trainer) or trainer.has_role("trainer")):
        raise GradingError(N_("only trainers flag techniques for the library"))
    if grade_of(submission) is None:
        raise GradingError(N_("grade the review before flagging its technique"))
    found, _created = Technique.get_or_create(submission=submission, defaults={"text": submission.technique,
                                                                                "flagged_by": trainer})
    return found
