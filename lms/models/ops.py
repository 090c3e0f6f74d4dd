"""Operations: what the scheduler ran. One row per (job, day), enforced by the database, so
two schedulers (or a scheduler and its successor) can never both run a job for the same day."""
from __future__ import annotations

import peewee as pw

from ..db import BaseModel
from ..services import clock

JOB_RUN_STATUSES = ("running", "done", "failed")


class JobRun(BaseModel):
    """One scheduled run of a job for a day: claimed (running), then done or failed.
    A failed run, or a running one older than scheduler.lease_minutes (its process died), may
    be claimed again: see lms/scheduler.py."""
    job = pw.CharField(max_length=64)
    day = pw.DateField()
    status = pw.CharField(max_length=16, default="running")
    started_at = pw.DateTimeField(default=clock.utcnow)
    finished_at = pw.DateTimeField(null=True)
    runner = pw.CharField(max_length=255)  # hostname:pid of the process that claimed it
    result = pw.TextField(null=True)  # JSON: what the job returned
    error = pw.TextField(null=True)  # the traceback of a failed run

    class Meta:
        indexes = ((("job", "day"), True),)
