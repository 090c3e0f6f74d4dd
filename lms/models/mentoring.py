"""Mentorship: an elite mentor paired with newcomer mentees; pairings end rather than vanish,
so the history of who coached whom is kept."""
from __future__ import annotations

import peewee as pw

from ..db import BaseModel
from ..services import clock
from .people import User


class MentorPairing(BaseModel):
    mentor = pw.ForeignKeyField(User, backref="mentee_pairings", on_delete="CASCADE")
    mentee = pw.ForeignKeyField(User, backref="mentor_pairings", on_delete="CASCADE")
    started_on = pw.DateField()
    ended_on = pw.DateField(null=True)  # None: the current pairing
    created_by = pw.ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
    created_at = pw.DateTimeField(default=clock.utcnow)

    class Meta:
        indexes = ((("mentee", "ended_on"), False), (("mentor", "ended_on"), False))


class CoachingSession(BaseModel):
    """A coaching conversation a mentor logs; the mentee reads and acknowledges it."""
    mentor = pw.ForeignKeyField(User, on_delete="CASCADE", backref="+")
    mentee = pw.ForeignKeyField(User, on_delete="CASCADE", backref="coaching_sessions")
    held_on = pw.DateField()
    topic = pw.CharField(max_length=200)
    skill = pw.CharField(max_length=64, default="")
    notes = pw.TextField(default="")
    action = pw.TextField(default="")  # what the mentee agreed to do
    follow_up_on = pw.DateField(null=True)
    acknowledged_at = pw.DateTimeField(null=True)
    created_at = pw.DateTimeField(default=clock.utcnow)
