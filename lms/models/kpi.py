"""Service KPIs as raw daily components per agent, never as averages; per-agent weekly sums of
the same components (kept by every import, so reports over many agents read weeks, not days);
and the imports that brought them, with the values they replaced so an import can be undone."""
from __future__ import annotations

import peewee as pw

from ..db import BaseModel
from ..services import clock
from .people import User


IMPORT_STATUSES = ("checking", "writing", "done", "rejected", "dry_run", "failed")


class KpiImport(BaseModel):
    """One attempt to import KPI rows, from the first byte read to done, rejected or failed;
    `progress` (0..1) and `heartbeat_at` let a page follow a long import and spot a dead one."""
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
    status = pw.CharField(max_length=16, default="done")
    mapping = pw.CharField(max_length=32, default="")
    progress = pw.FloatField(default=0.0)
    heartbeat_at = pw.DateTimeField(null=True)
    finished_at = pw.DateTimeField(null=True)
    problems_total = pw.IntegerField(default=0)
    report = pw.TextField(null=True)  # JSON: the first problems found (row, column, value, reason)


class KpiDaily(BaseModel):
    """One agent's day: counts and seconds, from which every rate is computed at the end."""
    user = pw.ForeignKeyField(User, backref="kpi_days", on_delete="CASCADE")
    day = pw.DateField()
    week = pw.DateField()  # the Monday of `day`: the rollup key
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
        indexes = ((("user", "day"), True), (("user", "week"), False))


class KpiWeekly(BaseModel):
    """One agent's Monday-to-Sunday sums of the daily components (optional ones: None when no
    day of the week had them; repeat_base is the contacts of the days that had repeat counts)."""
    user = pw.ForeignKeyField(User, on_delete="CASCADE")
    week = pw.DateField(index=True)
    days = pw.IntegerField()
    contacts = pw.IntegerField()
    resolved_first_contact = pw.IntegerField()
    handle_seconds = pw.BigIntegerField()
    csat_responses = pw.IntegerField()
    csat_positive = pw.IntegerField()
    repeat_contacts_7d = pw.IntegerField(null=True)
    repeat_base = pw.IntegerField(default=0)
    transfers = pw.IntegerField(null=True)
    complaints = pw.IntegerField(null=True)

    class Meta:
        indexes = ((("user", "week"), True),)


class KpiChange(BaseModel):
    """What one import did to one agent-day: new, or the components it replaced (prev_*)."""
    kpi_import = pw.ForeignKeyField(KpiImport, backref="changes", on_delete="CASCADE")
    user = pw.ForeignKeyField(User, on_delete="CASCADE")
    day = pw.DateField()
    week = pw.DateField()
    was_new = pw.BooleanField()
    prev_contacts = pw.IntegerField(null=True)
    prev_resolved_first_contact = pw.IntegerField(null=True)
    prev_handle_seconds = pw.BigIntegerField(null=True)
    prev_csat_responses = pw.IntegerField(null=True)
    prev_csat_positive = pw.IntegerField(null=True)
    prev_repeat_contacts_7d = pw.IntegerField(null=True)
    prev_transfers = pw.IntegerField(null=True)
    prev_complaints = pw.IntegerField(null=True)


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


class ImpactCache(BaseModel):
    """A computed training-impact estimate, kept until the data it was computed from changes
    (`stamp`), so a page view never re-runs the bootstrap."""
    key = pw.CharField(max_length=64, unique=True)  # unit, KPI and scope
    stamp = pw.CharField(max_length=128)  # the state of imports and completions it saw
    computed_at = pw.DateTimeField(default=clock.utcnow)
    result = pw.TextField()  # JSON
