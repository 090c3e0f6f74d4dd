"""Background jobs: each a plain function of a date, safe to run twice, run by name.

`lms jobs run NAME` runs one now; `lms scheduler` runs them all on their schedules in a
dedicated process (APScheduler 3: a job store cannot be shared between processes, so the
scheduler keeps no state of its own; what a job did lives in our tables).
"""
from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Callable

from .db import database
from .models import LoginFailure, OneTimeToken
from .services import clock

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    name: str
    run: Callable[[dt.date], dict]
    cron: dict  # APScheduler cron fields, in the centre's time zone
    help: str


def purge_sign_in_records(day: dt.date) -> dict:
    """Forget failed sign-ins and spent or expired links older than 30 days before `day`."""
    cutoff = dt.datetime.combine(day - dt.timedelta(days=30), dt.time())
    with database.atomic():
        failures = LoginFailure.delete().where(LoginFailure.at < cutoff).execute()
        tokens = (OneTimeToken.delete()
                  .where((OneTimeToken.expires_at < cutoff)
                         | (OneTimeToken.used_at.is_null(False) & (OneTimeToken.used_at < cutoff)))
                  .execute())
    return {"date": day.isoformat(), "login_failures_removed": failures, "links_removed": tokens}


def placement_review(day: dt.date) -> dict:
    """Count who meets every rule for the next tier; move them up when placement.auto_apply is on."""
    from flask import current_app

    from .models import User
    from .services import placement

    settings = current_app.extensions["lms"].settings
    with database.atomic():
        agents = list(User.select().where(User.active == True))  # noqa: E712
        proposals = placement.Reviewer(settings, today=day).review(agents)
        ready = [p for p in proposals if p.ready]
        applied = []
        if settings["placement.auto_apply"]:
            applied = [p.agent.employee_no for p in ready
                       if placement.apply(p, actor=None, note="applied automatically (placement.auto_apply)")]
    return {"date": day.isoformat(), "reviewed": len(proposals), "ready": len(ready), "applied": applied}


JOBS: dict[str, Job] = {}


def register(job: Job) -> None:
    JOBS[job.name] = job


register(Job("purge-sign-in-records", purge_sign_in_records, {"hour": 3, "minute": 17},
             "forget old failed sign-ins and spent links"))
register(Job("placement-review", placement_review, {"hour": 2, "minute": 30},
             "find agents who meet every rule for the next tier; apply if placement.auto_apply"))


def run_job(name: str, day: dt.date | None = None) -> dict:
    with database.connection_context():
        return JOBS[name].run(day or clock.today())


def build_scheduler(timezone: str):
    """A blocking scheduler with every registered job; start() runs until stopped."""
    from apscheduler.schedulers.blocking import BlockingScheduler
    from apscheduler.triggers.cron import CronTrigger

    scheduler = BlockingScheduler(timezone=timezone)
    for job in JOBS.values():
        # A missed run (the process was down) runs once when it comes back, never piled up.
        scheduler.add_job(_logged(job), CronTrigger(timezone=timezone, **job.cron), id=job.name,
                          name=job.help, replace_existing=True, coalesce=True, max_instances=1,
                          misfire_grace_time=3600)
    return scheduler


def _logged(job: Job):
    def run():
        try:
            log.info("%s: %s", job.name, run_job(job.name))
        except Exception:  # a failed run must not stop the scheduler; the next run retries
            log.exception("%s failed", job.name)
    return run
