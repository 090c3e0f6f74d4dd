"""Background jobs: each a plain function of a date, safe to run twice, run by name.

`lms jobs run NAME` runs one now; `lms scheduler` runs them all on their schedules in a
dedicated process (APScheduler 3: a job store cannot be shared between processes, so the
scheduler keeps no state of its own; what a job did lives in our tables).
"""
from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from typing import Callable

from .db import database
from .models import LoginFailure, OneTimeToken
from .services import clock



@dataclass(frozen=True)
class Job:
    name: str
    run: Callable[[dt.date], dict]
    cron: dict  # APScheduler cron fields, in the centre's time zone
    help: str
    # Recorded: run at most once per day (lms_job_run), caught up when missed. A job that runs
    # often and is safe to repeat (delivering the outbox) is not recorded.
    recorded: bool = True


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


def issue_microtasks(day: dt.date) -> dict:
    """Give every agent working on `day` their micro-task (late-issued when run after the day)."""
    from flask import current_app

    from .services import microtasks

    return microtasks.issue(current_app.extensions["lms"].settings, day)


def mark_missed_microtasks(day: dt.date) -> dict:
    """Micro-tasks of the days before `day` that are still open count as missed."""
    from .services import microtasks

    return microtasks.mark_missed(day)


def kpi_rules(day: dt.date) -> dict:
    """Assign the lessons the KPI rules call for (config microtasks.kpi_rules)."""
    from flask import current_app

    from .services import kpi_triggers

    return kpi_triggers.run_rules(current_app.extensions["lms"].settings, day)


def deliver_notifications(day: dt.date) -> dict:
    """Send the outbox's due e-mail and chat messages (retries with backoff; never twice)."""
    from flask import current_app

    from .services import notify

    return notify.deliver(current_app.extensions["lms"].settings)


def send_reminders(day: dt.date) -> dict:
    """Due-soon and overdue notices for briefings and assigned lessons (once each)."""
    from flask import current_app

    from .services import briefings, kpi_triggers

    settings = current_app.extensions["lms"].settings
    return {"date": day.isoformat(), "briefings": briefings.remind(day, settings),
            "assignments": kpi_triggers.remind(day, settings)}


def purge_case_originals(day: dt.date) -> dict:
    """Unmasked originals of cases past their retention day are deleted (privacy.retention_days)."""
    from .services import cases

    return {"date": day.isoformat(), "purged": cases.purge_originals(day)}


def assign_review_sets(day: dt.date) -> dict:
    """Give the week's case-review sets to their agents (one assignment per agent per set)."""
    from .services import reviews

    return reviews.assign_due(day)


JOBS: dict[str, Job] = {}


def register(job: Job) -> None:
    JOBS[job.name] = job


register(Job("purge-sign-in-records", purge_sign_in_records, {"hour": 3, "minute": 17},
             "forget old failed sign-ins and spent links"))
register(Job("placement-review", placement_review, {"hour": 2, "minute": 30},
             "find agents who meet every rule for the next tier; apply if placement.auto_apply"))
register(Job("issue-microtasks", issue_microtasks, {"hour": 6, "minute": 30},
             "issue the day's micro-task to every working agent (the time: microtasks.issue_time)"))
register(Job("kpi-rules", kpi_rules, {"hour": 5, "minute": 40},
             "assign lessons to agents off target for days in a row (microtasks.kpi_rules)"))
register(Job("send-reminders", send_reminders, {"hour": 9, "minute": 0},
             "due-soon and overdue notices for briefings and assigned lessons"))
register(Job("purge-case-originals", purge_case_originals, {"hour": 3, "minute": 40},
             "delete unmasked case originals past their retention day"))
register(Job("assign-review-sets", assign_review_sets, {"hour": 7, "minute": 0},
             "give this week's case-review sets to their agents (runs daily: new members join in)"))
register(Job("deliver-notifications", deliver_notifications, {"minute": "*"},
             "send queued e-mail and chat notifications", recorded=False))
register(Job("mark-missed-microtasks", mark_missed_microtasks, {"hour": 0, "minute": 20},
             "mark the micro-tasks of earlier days still open as missed"))


def apply_settings(settings: dict) -> None:
    """Jobs whose time of day is a setting take it: issue-microtasks at microtasks.issue_time."""
    hour, minute = (int(part) for part in settings["microtasks.issue_time"].split(":"))
    JOBS["issue-microtasks"] = dataclasses.replace(JOBS["issue-microtasks"], cron={"hour": hour, "minute": minute})


def run_job(name: str, day: dt.date | None = None) -> dict:
    with database.connection_context():
        return JOBS[name].run(day or clock.today())


def build_scheduler(timezone: str, app=None):
    """A blocking scheduler with every registered job; start() runs until stopped. Each tick
    goes through lms.scheduler.tick (in `app`'s context): recorded, at most once per job and
    day, and a daily job's missed or failed days are made up. `lms scheduler` wraps this with
    the leadership lock and a catch-up at start (lms.scheduler.serve)."""
    from apscheduler.schedulers.blocking import BlockingScheduler
    from apscheduler.triggers.cron import CronTrigger

    from .scheduler import tick

    scheduler = BlockingScheduler(timezone=timezone)
    for job in JOBS.values():
        # A late tick (machine asleep, pool busy) still runs, once (coalesce); the record in
        # JobRun keeps it to once a day however late it comes.
        scheduler.add_job(tick, CronTrigger(timezone=timezone, **job.cron), args=(job, app), id=job.name,
                          name=job.help, replace_existing=True, coalesce=True, max_instances=1,
                          misfire_grace_time=None)
    return scheduler
