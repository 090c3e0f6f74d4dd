"""Cases for the weekly reviews, built from the centre's own records (a customer
communication record and/or an escalation ticket), with customers' personal data masked on
creation; the original text is kept only when config allows, until its retention date."""
from __future__ import annotations

import peewee as pw

from ..db import BaseModel
from ..services import clock
from .people import Team, User

CASE_KINDS = ("highlight", "failure")


class Case(BaseModel):
    title = pw.CharField(max_length=200)
    kind = pw.CharField(max_length=16)  # highlight | failure
    team = pw.ForeignKeyField(Team, null=True, on_delete="SET NULL")  # whose record it was; None: centre-wide
    occurred_on = pw.DateField(null=True)
    channel = pw.CharField(max_length=32, default="")
    issue_type = pw.CharField(max_length=100, default="")
    record = pw.TextField(default="{}")  # JSON: the masked fields of the communication record
    ticket = pw.TextField(default="{}")  # JSON: the masked fields of the escalation ticket
    summary = pw.TextField(default="")  # masked transcript or summary
    emotion = pw.TextField(default="[]")  # JSON: the customer's emotion per turn, -5..5
    original = pw.TextField(null=True)  # JSON of the unmasked fields, only if privacy.keep_original
    original_until = pw.DateField(null=True)  # purged after this day
    created_by = pw.ForeignKeyField(User, null=True, on_delete="SET NULL")
    created_at = pw.DateTimeField(default=clock.utcnow)


class CaseAttachment(BaseModel):
    """A call recording or chat screenshot of a case, stored as a file outside the database."""
    case = pw.ForeignKeyField(Case, backref="attachments", on_delete="CASCADE")
    filename = pw.CharField(max_length=200)  # as uploaded, cleaned, for display only
    stored_name = pw.CharField(max_length=80, unique=True)  # a random name under paths.uploads/cases/
    content_type = pw.CharField(max_length=64)
    size = pw.IntegerField()
    uploaded_by = pw.ForeignKeyField(User, null=True, on_delete="SET NULL")
    uploaded_at = pw.DateTimeField(default=clock.utcnow)

