"""The scheduler's reliability: each job runs once per day, missed days are made up, and only
one `lms scheduler` process acts at a time.

- Once per (job, day): `run_recorded` claims the day by inserting a JobRun row; the database's
  unique key on (job, day) lets exactly one claimant win. A failed run, a claim still `running`
  whose process on this host is gone (killed mid-job), or one still `running` after
  scheduler.lease_minutes (a process elsewhere presumed dead), may be claimed again.
- Catch-up: a day the scheduler was down still gets its jobs, oldest day first, when it comes
  back (`catch_up`); every cron tick does the same for its own job, so a failed day is retried
  at the job's next tick.
- One leader: `SchedulerLock` is a PostgreSQL advisory lock or, on SQLite, a file lock beside
  the database. A second process waits as a standby and takes over when the leader dies.

Time comes from lms.services.clock, so tests move it instead of sleeping.
"""
from __future__ import annotations

import datetime as dt
import fcntl
import json
import logging
import os
import socket
import threading
import time
import traceback
from contextlib import nullcontext

import peewee as pw
from flask import current_app, has_app_context

from .config import SPEC
from .db import database
from .jobs import Job
from .models.ops import JobRun
from .services import clock

log = logging.getLogger(__name__)

# The advisory lock's key: any constant, the same in every process of this application.
ADVISORY_LOCK_KEY = 0x4C4D53_5343  # "LMS" "SC"


def runner_id() -> str:
    """hostname:pid, computed each time (a forked child has its own pid)."""
    return f"{socket.gethostname()}:{os.getpid()}"


def _setting(key: str):
    if has_app_context() and "lms" in current_app.extensions:
        return current_app.extensions["lms"].settings[key]
    return SPEC[key].default


# -- once per (job, day) -------------------------------------------------------------------

def run_recorded(job: Job, day: dt.date, lease_minutes: int | None = None) -> dict | None:
    """Run `job` for `day` unless it is done or running elsewhere: the job's result, or None
    when skipped. A failure is recorded (status failed, the traceback) and raised again.

    Call it outside any transaction: the claim must be committed before the job starts."""
    lease = dt.timedelta(minutes=lease_minutes or _setting("scheduler.lease_minutes"))
    with database.connection_context():
        claimed_at = _claim(job.name, day, lease)
        if claimed_at is None:
            log.info("%s for %s: already done or running elsewhere; skipped", job.name, day)
            return None
        try:
            result = job.run(day)
        except BaseException:  # SystemExit (SIGTERM) too: a stopped run is retried, not left running
            _finish(job.name, day, claimed_at, "failed", error=traceback.format_exc()[-10000:])
            log.exception("%s for %s failed", job.name, day)
            raise
        _finish(job.name, day, claimed_at, "done", result=json.dumps(result, ensure_ascii=False, default=str))
        log.info("%s for %s done: %s", job.name, day, result)
        return result


def _claim(name: str, day: dt.date, lease: dt.timedelta) -> dt.datetime | None:
    """Claim (name, day) for this process, committed at once; the claim's time, or None."""
    now, me = clock.utcnow(), runner_id()
    try:
        with database.atomic():
            JobRun.create(job=name, day=day, status="running", started_at=now, runner=me)
        return now
    except pw.IntegrityError:
        pass
    # Already claimed. A failed run, a claim whose process is known to be dead, or a claim older
    # than the lease (its process is presumed dead) is claimed again by one conditional UPDATE:
    # of two processes trying at once, the database lets exactly one match the row.
    previous = JobRun.get_or_none((JobRun.job == name) & (JobRun.day == day))
    abandoned = (JobRun.status == "running") & (JobRun.started_at < now - lease)
    dead = previous is not None and previous.status == "running" and claimant_dead(previous.runner)
    if dead:
        abandoned |= ((JobRun.status == "running") & (JobRun.runner == previous.runner)
                      & (JobRun.started_at == previous.started_at))
    with database.atomic():
        taken = (JobRun.update(status="running", started_at=now, finished_at=None, runner=me,
                               result=None, error=None)
                 .where((JobRun.job == name) & (JobRun.day == day) & ((JobRun.status == "failed") | abandoned))
                 .execute())
    if not taken:
        return None
    if previous is not None:
        log.warning("%s for %s: claimed again (the run by %s, started %s, was %s)", name, day, previous.runner,
                    previous.started_at, "failed" if previous.status == "failed" else "dead" if dead else "stale")
    return now


def claimant_dead(runner: str) -> bool:
    """Whether the process that claimed a run is surely gone, so that a successor need not wait
    out the lease: it ran on this host and no process has its pid any more (or only a zombie
    does), or its pid is this process's own (a restarted container reuses hostname and pid; a
    process never claims a run it is itself running). A claimant on another host is presumed
    alive until the lease ends."""
    host, _, pid = runner.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False
    if int(pid) == os.getpid():
        return True
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # alive, another user's
        return False
    try:
        with open(f"/proc/{pid}/stat") as stat:  # "pid (name) state ...": Z is dead, not yet reaped
            return stat.read().rsplit(")", 1)[1].split()[0] == "Z"
    except (OSError, IndexError):
        return False


def _finish(name: str, day: dt.date, claimed_at: dt.datetime, status: str, result=None, error=None) -> None:
    with database.atomic():
        updated = (JobRun.update(status=status, finished_at=clock.utcnow(), result=result, error=error)
                   .where((JobRun.job == name) & (JobRun.day == day) & (JobRun.runner == runner_id())
                          & (JobRun.started_at == claimed_at))
                   .execute())
    if not updated:  # ran longer than the lease and another process claimed it meanwhile
        log.warning("%s for %s: our claim was taken over while running; result not recorded", name, day)


# -- catch-up ------------------------------------------------------------------------------

def daily_time(job: Job) -> tuple[int, int] | None:
    """(hour, minute) for a job whose cron fires once a day at a fixed time, else None."""
    cron = job.cron
    if "hour" not in cron or not set(cron) <= {"hour", "minute", "second"} \
            or not all(isinstance(v, int) for v in cron.values()):
        return None
    return cron.get("hour", 0), cron.get("minute", 0)


def due_days(name: str, today: dt.date, days_back: int) -> list[dt.date]:
    """The days up to today, at most `days_back` back, with no done run of job `name`.

    A job never run starts today (no back-filling on a new install or a new job); otherwise the
    window starts no earlier than its first recorded day. Within it, a day that failed or was
    never run is due, so a failure before a later success is still retried."""
    first = (JobRun.select(JobRun.day).where((JobRun.job == name) & (JobRun.day <= today))
             .order_by(JobRun.day).first())
    if first is None:
        return [today]
    start = max(first.day, today - dt.timedelta(days=days_back))
    done = {row.day for row in JobRun.select(JobRun.day).where(
        (JobRun.job == name) & (JobRun.day >= start) & (JobRun.day <= today) & (JobRun.status == "done"))}
    days = (start + dt.timedelta(days=n) for n in range((today - start).days + 1))
    return [day for day in days if day not in done]


def catch_up(today: dt.date, jobs: list[Job] | None = None, days_back: int | None = None) -> list[tuple]:
    """Run the due days of the daily jobs as they would have run: day by day, each day's jobs
    in their cron order. Returns (job, day, "done" | "failed") for each run; a failure is
    logged and the rest go on (the failed day is due again next time)."""
    from . import jobs as registry

    days_back = _setting("scheduler.catch_up_days") if days_back is None else days_back
    daily = [job for job in (jobs if jobs is not None else registry.JOBS.values()) if daily_time(job)]
    with database.connection_context():
        plan = sorted(((day, daily_time(job), job.name, job) for job in daily
                       for day in due_days(job.name, today, days_back)), key=lambda p: p[:3])
    ran = []
    for day, _, name, job in plan:
        try:
            if run_recorded(job, day) is not None:
                ran.append((name, day, "done"))
        except Exception:
            ran.append((name, day, "failed"))
    return ran


def tick(job: Job, app=None) -> None:
    """A cron tick of `job`: today's run, and any earlier due day (a daily job's failed day is
    retried here). Never raises: a failure must not stop the scheduler."""
    with app.app_context() if app is not None else nullcontext():
        try:
            if not job.recorded:
                with database.connection_context():
                    log.info("%s: %s", job.name, job.run(clock.today()))
            elif daily_time(job):
                catch_up(clock.today(), [job])
            else:
                run_recorded(job, clock.today())
        except Exception:
            log.exception("%s: tick failed", job.name)


# -- one leader ----------------------------------------------------------------------------

class SchedulerLock:
    """Leadership among `lms scheduler` processes, held for the leader's lifetime.

    PostgreSQL: pg_try_advisory_lock on a dedicated connection outside the pool; closing it
    releases the lock, and the server closes a killed process's connection. SQLite: flock on
    `<database file>.scheduler.lock`; the kernel releases it when the process dies."""

    def __init__(self, db: pw.Database | None = None):
        self.db = db if db is not None else database.obj
        self._handle = None  # the psycopg2 connection or the lock file's descriptor

    @property
    def postgres(self) -> bool:
        return isinstance(self.db, pw.PostgresqlDatabase)

    def lock_file(self) -> str | None:
        return None if self.postgres or self.db.database == ":memory:" else f"{self.db.database}.scheduler.lock"

    def try_acquire(self) -> bool:
        if self._handle is not None:
            return True
        if self.postgres:
            return self._try_postgres()
        path = self.lock_file()
        if path is None:  # an in-memory database belongs to this process alone
            self._handle = -1
            return True
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        os.ftruncate(fd, 0)
        os.write(fd, runner_id().encode())  # for a person wondering who holds it
        self._handle = fd
        return True

    def _try_postgres(self) -> bool:
        import psycopg2

        params = dict(self.db.connect_params)
        params.setdefault("dsn" if self.db.database.startswith("postgresql://") else "dbname", self.db.database)
        try:
            conn = psycopg2.connect(**params)
            conn.autocommit = True
            with conn.cursor() as cursor:
                cursor.execute("SELECT pg_try_advisory_lock(%s)", (ADVISORY_LOCK_KEY,))
                got = cursor.fetchone()[0]
        except psycopg2.Error as exc:  # the database is down: stay standby, try again later
            log.warning("scheduler lock: cannot reach the database: %s", exc)
            return False
        if not got:
            conn.close()
            return False
        self._handle = conn
        return True

    def wait(self, poll_seconds: float, sleep=time.sleep) -> None:
        """Block until this process holds the lock, trying every `poll_seconds`."""
        if self.try_acquire():
            return
        log.info("standby: another scheduler is active; %s tries again every %s s", runner_id(), poll_seconds)
        while not self.try_acquire():
            sleep(poll_seconds)

    def held(self) -> bool:
        """Whether the lock is still ours: on PostgreSQL, whether its connection is alive."""
        if self._handle is None:
            return False
        if not self.postgres:
            return True
        try:
            with self._handle.cursor() as cursor:
                cursor.execute("SELECT 1")
            return True
        except Exception:  # psycopg2.Error, or the connection already closed
            return False

    def release(self) -> None:
        handle, self._handle = self._handle, None
        if handle is None or handle == -1:
            return
        if self.postgres:
            handle.close()
        else:
            os.close(handle)  # closing the descriptor releases the flock


def serve(app) -> int:
    """`lms scheduler`: wait to lead, catch up, then run the schedule until stopped.
    Returns the exit status: 0 when stopped, 1 when the lock was lost (restart as standby)."""
    from apscheduler.events import EVENT_SCHEDULER_STARTED

    from .jobs import apply_settings, build_scheduler

    settings = app.extensions["lms"].settings
    apply_settings(settings)
    poll = settings["scheduler.standby_poll_seconds"]
    lock = SchedulerLock()
    lock.wait(poll)
    lost, stopped = threading.Event(), threading.Event()
    try:
        log.info("%s is now the leader", runner_id())
        ran = catch_up(clock.today())
        log.info("catch-up: %s", ", ".join(f"{name} {day} {status}" for name, day, status in ran) or "nothing due")
        sched = build_scheduler(settings["timezone"], app=app)

        def watch_lock():
            # A dropped database connection ends an advisory lock while this process lives on:
            # stop leading, so that two schedulers never both act for long.
            while not stopped.wait(poll):
                if not lock.held():
                    log.error("lost the scheduler lock; stopping so that a standby can take over")
                    lost.set()
                    sched.shutdown(wait=False)
                    return

        watcher = threading.Thread(target=watch_lock, name="scheduler-lock-watch", daemon=True)
        sched.add_listener(lambda _: watcher.start(), EVENT_SCHEDULER_STARTED)
        log.info("schedule started: %s", ", ".join(job.id for job in sched.get_jobs()))
        try:
            sched.start()
        except (KeyboardInterrupt, SystemExit):
            if sched.running:
                sched.shutdown(wait=True)  # let a run in progress finish before the lock goes
    finally:
        stopped.set()
        lock.release()
        log.info("%s released the scheduler lock", runner_id())
    return 1 if lost.is_set() else 0
