"""The golden-script library: approved wordings for frequent situations, each with the
situation it fits, the weak wording it replaces and the frame elements it carries.

Scripts come from `assessments/scripts/*.toml` (source "pack", `file_hash` as for other pack
content, so a reload keeps web edits unless forced), from trainers on the web, from techniques
harvested in case reviews and from accepted proposals; the proposer or technique's agent is
credited as `author`. `GoldenScriptGram` is the application's own character-bigram index
(lms/services/script_search.py), written in the same transaction as the script.
"""
from __future__ import annotations

import peewee as pw

from ..db import BaseModel
from ..services import clock
from .people import User
from .reviews import Technique

SCRIPT_CHANNELS = ("phone", "chat", "email")
SCRIPT_STATUSES = ("draft", "published", "retired")
SCRIPT_SOURCES = ("pack", "technique", "proposal", "web")
PROPOSAL_KINDS = ("improve", "new")
PROPOSAL_STATUSES = ("open", "accepted", "declined")


class GoldenScript(BaseModel):
    slug = pw.CharField(max_length=64, unique=True)
    title = pw.CharField(max_length=200)
    scenario = pw.CharField(max_length=16, index=True)  # the script checker's frame
    topic = pw.CharField(max_length=40, index=True)
    channel = pw.CharField(max_length=16)
    situation = pw.TextField()
    before = pw.TextField(default="")  # the weak wording it replaces
    after = pw.TextField()  # the golden wording
    elements = pw.TextField(default="[]")  # JSON: frame elements the wording carries
    why = pw.TextField(default="")
    status = pw.CharField(max_length=16, default="draft", index=True)
    source = pw.CharField(max_length=16, default="web")
    author = pw.ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")  # credit
    technique = pw.ForeignKeyField(Technique, null=True, on_delete="SET NULL", backref="+")
    approved_by = pw.CharField(max_length=100, default="")  # as shown: a group or a name
    approver = pw.ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
    approved_at = pw.DateTimeField(null=True)
    file_hash = pw.CharField(max_length=64, default="")  # the content as last loaded from a file
    created_at = pw.DateTimeField(default=clock.utcnow)
    updated_at = pw.DateTimeField(default=clock.utcnow)
    updated_by = pw.ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")


class GoldenScriptGram(BaseModel):
    """One character bigram of a script's normalised text (title, situation, wordings, why, topic)."""
    script = pw.ForeignKeyField(GoldenScript, on_delete="CASCADE", backref="+")
    gram = pw.CharField(max_length=2)

    class Meta:
        indexes = ((("gram", "script"), True),)


class ScriptProposal(BaseModel):
    """A mentor's or trainer's improvement of a script (new wording) or a new script; a trainer
    accepts it (the script changes, the proposer is credited) or declines it with a comment."""
    kind = pw.CharField(max_length=8)  # improve | new
    script = pw.ForeignKeyField(GoldenScript, null=True, on_delete="CASCADE", backref="proposals")
    proposer = pw.ForeignKeyField(User, on_delete="CASCADE", backref="+")
    after = pw.TextField()
    reason = pw.TextField(default="")
    details = pw.TextField(default="{}")  # JSON: a new script's other fields
    status = pw.CharField(max_length=16, default="open", index=True)
    comment = pw.TextField(default="")
    decided_by = pw.ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
    decided_at = pw.DateTimeField(null=True)
    created_at = pw.DateTimeField(default=clock.utcnow)
