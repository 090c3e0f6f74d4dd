"""Weekly case reviews: a set of 3-5 cases for a week, assigned to tiers and teams (one
assignment per agent per set, by the database's unique key), and each agent's submission
along the three dimensions with a reusable technique (one resubmission after feedback)."""
from __future__ import annotations

import peewee as pw

from ..db import BaseModel
from ..services import clock
from .assessment import RubricVersion
from .cases import Case
from .people import User

DIMENSIONS = ("process", "experience", "growth")  # business process, customer experience, capability growth


class ReviewSet(BaseModel):
    title = pw.CharField(max_length=200)
    week = pw.DateField(index=True)  # the Monday it is for
    due_on = pw.DateField()
    tiers = pw.TextField(default="[]")  # JSON; empty: every tier
    team_ids = pw.TextField(null=True)  # JSON; null: every team
    created_by = pw.ForeignKeyField(User, null=True, on_delete="SET NULL")
    created_at = pw.DateTimeField(default=clock.utcnow)
    assigned_at = pw.DateTimeField(null=True)  # when it was last given to its audience


class ReviewSetCase(BaseModel):
    review_set = pw.ForeignKeyField(ReviewSet, backref="items", on_delete="CASCADE")
    case = pw.ForeignKeyField(Case, on_delete="RESTRICT")
    position = pw.IntegerField()

    class Meta:
        indexes = ((("review_set", "case"), True),)


class ReviewAssignment(BaseModel):
    review_set = pw.ForeignKeyField(ReviewSet, backref="assignments", on_delete="CASCADE")
    user = pw.ForeignKeyField(User, on_delete="CASCADE")
    assigned_at = pw.DateTimeField(default=clock.utcnow)

    class Meta:
        indexes = ((("review_set", "user"), True),)


class ReviewSubmission(BaseModel):
    assignment = pw.ForeignKeyField(ReviewAssignment, backref="submissions", on_delete="CASCADE")
    version = pw.IntegerField()  # 1, or 2 for the one resubmission after feedback
    answers = pw.TextField()  # JSON: {case id: {dimension: text}}
    technique = pw.TextField()  # the reusable technique the agent proposes
    submitted_at = pw.DateTimeField(default=clock.utcnow)
    late = pw.BooleanField(default=False)

    class Meta:
        indexes = ((("assignment", "version"), True),)


class ReviewGrade(BaseModel):
    """A trainer's or mentor's grade of one submission with the three-dimension rubric."""
    submission = pw.ForeignKeyField(ReviewSubmission, backref="grades", on_delete="CASCADE", unique=True)
    grader = pw.ForeignKeyField(User, null=True, on_delete="SET NULL")
    rubric_version = pw.ForeignKeyField(RubricVersion, on_delete="RESTRICT")
    levels = pw.TextField()  # JSON {criterion: level}
    score = pw.FloatField()
    comment = pw.TextField(default="")
    graded_at = pw.DateTimeField(default=clock.utcnow)


DISPUTE_OUTCOMES = ("accepted", "partly", "rejected")


class Dispute(BaseModel):
    """An agent contests one criterion's level; a trainer accepts, partly accepts or rejects."""
    grade = pw.ForeignKeyField(ReviewGrade, backref="disputes", on_delete="CASCADE")
    criterion = pw.CharField(max_length=64)
    comment = pw.TextField()
    opened_at = pw.DateTimeField(default=clock.utcnow)
    outcome = pw.CharField(max_length=16, null=True)  # None while open
    old_level = pw.IntegerField(null=True)
    new_level = pw.IntegerField(null=True)
    resolution = pw.TextField(default="")
    resolved_by = pw.ForeignKeyField(User, null=True, on_delete="SET NULL")
    resolved_at = pw.DateTimeField(null=True)

    class Meta:
        indexes = ((("grade", "criterion"), True),)


class PeerReview(BaseModel):
    """One peer's review of a submission (advanced tier): a lease while they work on it, then
    the rubric levels. Peers are anonymous to the agent and to each other."""
    submission = pw.ForeignKeyField(ReviewSubmission, backref="peer_reviews", on_delete="CASCADE")
    reviewer = pw.ForeignKeyField(User, on_delete="CASCADE")
    leased_until = pw.DateTimeField()
    levels = pw.TextField(null=True)
    score = pw.FloatField(null=True)
    comment = pw.TextField(default="")
    completed_at = pw.DateTimeField(null=True)

    class Meta:
        indexes = ((("submission", "reviewer"), True),)


class CalibrationRound(BaseModel):
    """Several graders score the same submission blind; their scores are then compared with
    the reference grader's, criterion by criterion."""
    submission = pw.ForeignKeyField(ReviewSubmission, on_delete="CASCADE")
    reference = pw.ForeignKeyField(User, on_delete="CASCADE")  # whose grade is the yardstick
    created_by = pw.ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
    created_at = pw.DateTimeField(default=clock.utcnow)


class CalibrationScore(BaseModel):
    round = pw.ForeignKeyField(CalibrationRound, backref="scores", on_delete="CASCADE")
    grader = pw.ForeignKeyField(User, on_delete="CASCADE")
    levels = pw.TextField(null=True)  # JSON; None: invited, not scored yet
    score = pw.FloatField(null=True)
    scored_at = pw.DateTimeField(null=True)

    class Meta:
        indexes = ((("round", "grader"), True),)


class Technique(BaseModel):
    """A technique from a graded case review that a trainer flagged for the golden-script
    library (the library itself comes with the mentors' work; until then, this list)."""
    submission = pw.ForeignKeyField(ReviewSubmission, unique=True, on_delete="CASCADE")
    text = pw.TextField()
    flagged_by = pw.ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
    flagged_at = pw.DateTimeField(default=clock.utcnow)
