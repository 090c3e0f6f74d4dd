"""Briefings (知识更新): policy or product updates a trainer publishes to tiers and teams with a
deadline; each agent reads and acknowledges, optionally answering a short check."""
from __future__ import annotations

import peewee as pw

from ..db import BaseModel
from ..services import clock
from .people import User


class Briefing(BaseModel):
    title = pw.CharField(max_length=200)
    body = pw.TextField()  # Markdown
    tiers = pw.TextField(default="[]")  # JSON: the tiers it is for; empty: every tier
    team_ids = pw.TextField(null=True)  # JSON: the teams it is for; null: every team
    deadline = pw.DateField()
    questions = pw.TextField(default="[]")  # JSON: [{"prompt", "choices": [...], "answer": index}], 0-3
    created_by = pw.ForeignKeyField(User, null=True, on_delete="SET NULL")
    created_at = pw.DateTimeField(default=clock.utcnow, index=True)


class BriefingAck(BaseModel):
    briefing = pw.ForeignKeyField(Briefing, backref="acks", on_delete="CASCADE")
    user = pw.ForeignKeyField(User, on_delete="CASCADE")
    acknowledged_at = pw.DateTimeField(default=clock.utcnow)
    answers = pw.TextField(default="[]")  # JSON: the chosen index per question
    correct = pw.IntegerField(default=0)

    class Meta:
        indexes = ((("briefing", "user"), True),)
