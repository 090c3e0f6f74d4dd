"""Capability profile: trainers' manual skill ratings (each also written as evidence, so it
decays like the rest) and the learning-path rules that currently apply to an agent."""
from __future__ import annotations

import peewee as pw

from ..db import BaseModel
from ..services import clock
from .people import User


class ManualRating(BaseModel):
    """A trainer's rating of one skill of an agent, with the note that explains it."""
    user = pw.ForeignKeyField(User, backref="manual_ratings", on_delete="CASCADE")
    skill = pw.CharField(max_length=64)
    score = pw.FloatField()  # 0-1
    note = pw.TextField()
    rated_by = pw.ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
    rated_at = pw.DateTimeField(default=clock.utcnow)

    class Meta:
        indexes = ((("user", "skill"), False),)


class PathRecommendation(BaseModel):
    """A learning-path rule that applies to an agent now, and since when: items done after
    `since` count as done. The row goes when the rule stops applying (the skill or KPI recovered)."""
    user = pw.ForeignKeyField(User, on_delete="CASCADE", backref="+")
    rule = pw.CharField(max_length=64)
    since = pw.DateTimeField(default=clock.utcnow)

    class Meta:
        indexes = ((("user", "rule"), True),)
