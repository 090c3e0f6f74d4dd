"""Service KPIs as raw daily components per agent, never as averages, and the imports that
brought them (with the values they replaced, so an import can be undone exactly)."""
from __future__ import annotations

import peewee as pw

from ..db import BaseModel
from ..services import clock
from .people import User


class KpiImport(BaseModel):
    at = pw.DateTimeField(default=clock.utcnow, index=True)
    actor = pw.ForeignKeyField(User, null=True, on_delete="SET NULL")
    source = pw.CharField(max_length=16)  # cli | web | api
    filename = pw.CharField(max_length=255, default="")
    file_hash = pw.CharField(max_length=64, default="")
    added = pw.IntegerField(default=0)
    updated = pw.IntegerField(default=0)
    unchanged = pw.IntegerField(default=0)
    rejected = pw.IntegerField(default=0)
    undone_at = pw.DateTimeField(null=True)


class KpiDaily(BaseModel):
    """One agent's day: counts and seconds, from which every rate is computed at the end."""
    user = pw.ForeignKeyField(User, backref="kpi_days", on_delete="CASCADE")
    day = pw.DateField()
    contacts = pw.IntegerField()
    resolved_first_contact = pw.IntegerField()
    handle_seconds = pw.BigIntegerField()
    csat_responses = pw.IntegerField()
    csat_positive = pw.IntegerField()
    repeat_contacts_7d = pw.IntegerField(null=True)
    transfers = pw.IntegerField(null=True)
    complaints = pw.IntegerField(null=True)
    last_import = pw.ForeignKeyField(KpiImport, null=True, on_delete="SET NULL")

    class Meta:
        indexes = ((("user", "day"), True),)


class KpiChange(BaseModel):
    """What one import did to one agent-day: the values before it (None: the row was new)."""
    kpi_import = pw.ForeignKeyField(KpiImport, backref="changes", on_delete="CASCADE")
    user = pw.ForeignKeyField(User, on_delete="CASCADE")
    day = pw.DateField()
    previous = pw.TextField(null=True)  # JSON of the replaced components


class ApiToken(BaseModel):
    """A revocable token for the contact-center platform to push rows; only its hash is kept."""
    name = pw.CharField(max_length=100)
    token_hash = pw.CharField(max_length=64, unique=True)
    scope = pw.CharField(max_length=32)  # e.g. kpi:write
    created_by = pw.ForeignKeyField(User, null=True, on_delete="SET NULL")
    created_at = pw.DateTimeField(default=clock.utcnow)
    expires_at = pw.DateTimeField(null=True)
    revoked_at = pw.DateTimeField(null=True)
    last_used_at = pw.DateTimeField(null=True)
