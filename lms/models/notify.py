"""Notifications: what a person sees in the app, and the outbox through which the same news
leaves by e-mail or a chat webhook (each message queued once, claimed, sent, and marked)."""
from __future__ import annotations

import peewee as pw

from ..db import BaseModel
from ..services import clock
from .people import User

NOTIFICATION_KINDS = ("task", "briefing", "due_soon", "overdue", "graded")
CHANNELS = ("email", "webhook")
OUTBOX_STATUSES = ("pending", "sending", "sent", "failed", "uncertain")


class Notification(BaseModel):
    """One piece of news for one person; unread while read_at is empty."""
    user = pw.ForeignKeyField(User, backref="notifications", on_delete="CASCADE")
    kind = pw.CharField(max_length=16)
    title = pw.CharField(max_length=200)
    body = pw.TextField(default="")
    link = pw.CharField(max_length=500, default="")  # a path inside the LMS ("/learn/..."), or empty
    # Optional key from the caller (e.g. "due_soon:activity-12:user-7"): a job that runs twice
    # finds the notification it made the first time instead of making a second one.
    dedup_key = pw.CharField(max_length=200, null=True, unique=True)
    created_at = pw.DateTimeField(default=clock.utcnow)
    read_at = pw.DateTimeField(null=True)

    class Meta:
        indexes = ((("user", "read_at"), False),)


class OutboxMessage(BaseModel):
    """A message waiting to leave, or what became of it. pending -> sending (claimed and
    committed before the send) -> sent; a failed send goes back to pending with a later
    next_attempt_at, or to failed; a claim found abandoned becomes uncertain, never resent."""
    notification = pw.ForeignKeyField(Notification, null=True, on_delete="CASCADE")
    channel = pw.CharField(max_length=16)  # email | webhook
    recipient = pw.CharField(max_length=254)  # an e-mail address, or "webhook" (the URL stays in config)
    subject = pw.CharField(max_length=200)
    body = pw.TextField(default="")
    dedup_key = pw.CharField(max_length=255, unique=True)  # "{kind}:{notification id}:{channel}"
    status = pw.CharField(max_length=16, default="pending")
    attempts = pw.IntegerField(default=0)
    created_at = pw.DateTimeField(default=clock.utcnow)
    next_attempt_at = pw.DateTimeField(default=clock.utcnow)
    claimed_at = pw.DateTimeField(null=True)
    sent_at = pw.DateTimeField(null=True)
    last_error = pw.TextField(default="")

    class Meta:
        indexes = ((("status", "next_attempt_at"), False),)
