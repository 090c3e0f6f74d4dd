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
