"""Mentor incubation: elite agents author drills, quiz questions and cases; a trainer reviews
each draft (comments, changes requested, resubmitted) and publishes or rejects it. Publishing
creates the real Drill, Question or Case, linked back here so that it stays credited to its
author."""
from __future__ import annotations

import peewee as pw

from ..db import BaseModel
from ..services import clock
from .assessment import Drill, Question
from .cases import Case
from .people import User

AUTHORED_KINDS = ("drill", "question", "case")
AUTHORED_STATUSES = ("draft", "submitted", "changes_requested", "published", "rejected")
# What a thread entry records: a plain comment, or the step it came with.
THREAD_ACTIONS = ("comment", "submitted", "changes_requested", "published", "rejected")


class AuthoredItem(BaseModel):
    author = pw.ForeignKeyField(User, backref="authored_items", on_delete="CASCADE")
    kind = pw.CharField(max_length=16)  # drill | question | case
    title = pw.CharField(max_length=200)  # for lists; the payload holds the content
    payload = pw.TextField(default="{}")  # JSON: the checked fields (a case's already masked)
    status = pw.CharField(max_length=20, default="draft", index=True)
    rounds = pw.IntegerField(default=0)  # how many times it was submitted
    created_at = pw.DateTimeField(default=clock.utcnow)
    updated_at = pw.DateTimeField(default=clock.utcnow)
    submitted_at = pw.DateTimeField(null=True)
    decided_by = pw.ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
    decided_at = pw.DateTimeField(null=True)
    # The content it became (one at most); unique so a row is credited to one authored item.
    drill = pw.ForeignKeyField(Drill, null=True, unique=True, on_delete="SET NULL", backref="+")
    question = pw.ForeignKeyField(Question, null=True, unique=True, on_delete="SET NULL", backref="+")
    case = pw.ForeignKeyField(Case, null=True, unique=True, on_delete="SET NULL", backref="+")

    class Meta:
        indexes = ((("author", "status"), False),)


class AuthoredComment(BaseModel):
    """The review thread: the author's and reviewers' comments, and each step taken."""
    item = pw.ForeignKeyField(AuthoredItem, backref="thread", on_delete="CASCADE")
    user = pw.ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
    action = pw.CharField(max_length=20, default="comment")
    body = pw.TextField(default="")
    created_at = pw.DateTimeField(default=clock.utcnow)
