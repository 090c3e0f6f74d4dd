"""The scheduler's record: once per (job, day), failed and stale runs retried, missed days made
up in order, and one leader at a time. Dates come from clock.freeze, never from sleeping."""
import datetime as dt
import json
import os
import signal
import subprocess
import sys

import peewee
import pytest

from lms import db, jobs
from lms.commands import cli
from lms.jobs import Job
from lms.models.ops import JobRun
from lms.scheduler import SchedulerLock, catch_up, due_days, run_recorded, tick
from lms.services import clock

from .conftest import PG_URL

DAY = dt.date(2026, 11, 24)


class Recorder:
    """A fake job's body: records the days it ran for; fails on the days in `failing`."""

    def __init__(self, calls, name, failing=()):
        self.calls, self.name, self.failing = calls, name, set(failing)

    def __call__(self, day):
        self.calls.append((self.name, day))
        if day in self.failing:
            raise RuntimeError(f"{self.name} broke on {day}")
        return {"date": day.isoformat()}


@pytest.fixture
def fake_jobs(monkeypatch, conn):
    """Two registered daily jobs (instead of the real ones) sharing one list of calls."""
    calls = []
    early = Job("fake-early", Recorder(calls, "fake-early"), {"hour": 1, "minute": 0}, "")
    late = Job("fake-late", Recorder(calls, "fake-late"), {"hour": 2, "minute": 30}, "")
    hourly = Job("fake-hourly", Recorder(calls, "fake-hourly"), {"minute": 5}, "")
    every_5 = Job("fake-every-5", Recorder(calls, "fake-every-5"), {"hour": 1, "minute": "*/5"}, "")
    monkeypatch.setattr(jobs, "JOBS", {job.name: job for job in (late, early, hourly, every_5)})
    return calls, early, late


def _at(day, hour=8):
    clock.freeze(dt.datetime.combine(day, dt.time(hour)))


def _rows():
    return {(r.job, r.day): r for r in JobRun.select()}


def test_a_job_runs_once_per_day(fake_jobs):
    calls, early, _ = fake_jobs
    _at(DAY)
    assert run_recorded(early, DAY) == {"date": "2026-11-24"}
    assert run_recorded(early, DAY) is None  # already done: skipped
    assert run_recorded(early, DAY + dt.timedelta(days=1)) is not None  # another day is another run
    assert calls == [("fake-early", DAY), ("fake-early", DAY + dt.timedelta(days=1))]
    row = _rows()[("fake-early", DAY)]
    assert row.status == "done" and json.loads(row.result) == {"date": "2026-11-24"}
    assert row.finished_at == clock.utcnow() and row.runner.endswith(f":{os.getpid()}")


def test_a_failed_run_is_retried_next_time(fake_jobs):
    calls, early, _ = fake_jobs
    early.run.failing.add(DAY)
    _at(DAY)
    with pytest.raises(RuntimeError):
        run_recorded(early, DAY)
    row = _rows()[("fake-early", DAY)]
    assert row.status == "failed" and "broke on 2026-11-24" in row.error
    early.run.failing.clear()
    assert run_recorded(early, DAY) == {"date": "2026-11-24"}
    row = _rows()[("fake-early", DAY)]
    assert row.status == "done" and row.error is None and len(calls) == 2
    assert JobRun.select().count() == 1


def test_a_stale_claim_is_taken_over_and_a_fresh_one_is_not(fake_jobs):
    calls, early, late = fake_jobs
    _at(DAY)
    started = clock.utcnow() - dt.timedelta(minutes=59)
    JobRun.create(job="fake-early", day=DAY, status="running", started_at=started, runner="gone:1")
    JobRun.create(job="fake-late", day=DAY, status="running", started_at=started, runner="gone:1")
    assert run_recorded(early, DAY, lease_minutes=60) is None  # still within its lease
    clock.freeze(dt.datetime.combine(DAY, dt.time(8, 2)))
    assert run_recorded(early, DAY, lease_minutes=60) == {"date": "2026-11-24"}  # its process is presumed dead
    assert run_recorded(late, DAY, lease_minutes=120) is None
    rows = _rows()
    assert rows[("fake-early", DAY)].status == "done" and rows[("fake-early", DAY)].runner != "gone:1"
    assert rows[("fake-late", DAY)].status == "running" and calls == [("fake-early", DAY)]


def test_catch_up_runs_missed_days_in_order_and_nothing_twice(fake_jobs):
    calls, early, late = fake_jobs
    day = lambda n: DAY + dt.timedelta(days=n)  # noqa: E731
    _at(DAY)
    # Never run: today only (no back-filling), each day's jobs in their cron order; cron
    # expressions that are not once a day are not caught up.
    assert catch_up(DAY) == [("fake-early", DAY, "done"), ("fake-late", DAY, "done")]
    assert catch_up(DAY) == []
    _at(day(3))  # the scheduler was down for two days
    ran = catch_up(day(3))
    assert [(name, d) for name, d, _ in ran] == calls[2:] == [
        ("fake-early", day(1)), ("fake-late", day(1)), ("fake-early", day(2)), ("fake-late", day(2)),
        ("fake-early", day(3)), ("fake-late", day(3))]
    assert catch_up(day(3)) == []
    # A failed day does not hold back later ones, and is due again next time.
    late.run.failing.add(day(4))
    assert catch_up(day(5)) == [("fake-early", day(4), "done"), ("fake-late", day(4), "failed"),
                                ("fake-early", day(5), "done"), ("fake-late", day(5), "done")]
    late.run.failing.clear()
    assert catch_up(day(6)) == [("fake-late", day(4), "done"), ("fake-early", day(6), "done"),
                                ("fake-late", day(6), "done")]
    # Down for three weeks: at most catch_up_days back.
    assert due_days("fake-early", day(30), 7) == [day(n) for n in range(23, 31)]
    assert due_days("fake-early", day(30), 0) == [day(30)]
    counts = {}
    for name, d in calls:
        counts[(name, d)] = counts.get((name, d), 0) + 1
    assert [key for key, n in counts.items() if n > 1] == [("fake-late", day(4))]  # the retried failure only


def test_catch_up_days_come_from_the_settings(app, fake_jobs):
    from lms import create_app

    calls, early, _ = fake_jobs
    _at(DAY)
    run_recorded(early, DAY)
    other = create_app(database_url=app.config["LMS_DATABASE_URL"], scheduler_catch_up_days=2, TESTING=True)
    with other.app_context():
        ran = catch_up(DAY + dt.timedelta(days=10), [early])
    assert [d for _, d, _ in ran] == [DAY + dt.timedelta(days=n) for n in (8, 9, 10)]


def test_a_tick_runs_in_the_app_context_and_never_raises(app, fake_jobs):
    from flask import current_app

    calls, early, _ = fake_jobs
    _at(DAY)
    tick(Job("fake-app", lambda day: {"app": current_app.name}, {"hour": 4}, ""), app)
    assert json.loads(_rows()[("fake-app", DAY)].result) == {"app": app.name}
    early.run.failing.add(DAY)
    tick(early, app)  # logged, not raised: the scheduler goes on
    assert _rows()[("fake-early", DAY)].status == "failed"
    early.run.failing.clear()
    _at(DAY + dt.timedelta(days=1))
    tick(early, app)  # the failed day is retried before today's run
    assert calls[1:] == [("fake-early", DAY), ("fake-early", DAY + dt.timedelta(days=1))]


def test_jobs_run_by_hand_ignores_the_record(runner, conn):
    """`lms jobs run` is the job itself: neither blocked by nor blocking a scheduled run."""
    _at(DAY)
    JobRun.create(job="purge-sign-in-records", day=DAY, status="running", runner="elsewhere:1")
    for _ in range(2):
        result = runner.invoke(cli, ["jobs", "run", "purge-sign-in-records", "--date", "2026-11-24", "--json"])
        assert result.exit_code == 0, result.output
        assert json.loads(result.output)["date"] == "2026-11-24"
    assert [(r.status, r.runner) for r in JobRun.select()] == [("running", "elsewhere:1")]


HOLDER = """
import sys, peewee
from lms.scheduler import SchedulerLock
lock = SchedulerLock(peewee.SqliteDatabase(sys.argv[1]))
print(lock.try_acquire(), flush=True)
if sys.argv[2] == "hold":
    sys.stdin.read()
"""


def _holder(path, mode):
    return subprocess.Popen([sys.executable, "-c", HOLDER, str(path), mode], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True)


def test_the_sqlite_file_lock_admits_one_process(tmp_path):
    path = tmp_path / "lms.db"
    first = _holder(path, "hold")
    try:
        assert first.stdout.readline().strip() == "True"
        mine = SchedulerLock(peewee.SqliteDatabase(str(path)))
        assert mine.lock_file() == f"{path}.scheduler.lock"
        assert mine.try_acquire() is False
        first.send_signal(signal.SIGKILL)  # no cleanup: the kernel releases the lock
        first.wait(timeout=30)
        assert mine.try_acquire() is True and mine.held()
        other = _holder(path, "try")
        assert other.communicate(timeout=30)[0].strip() == "False"
        mine.release()
        other = _holder(path, "try")
        assert other.communicate(timeout=30)[0].strip() == "True"
    finally:
        if first.poll() is None:
            first.kill()
            first.wait()


def test_a_standby_waits_for_the_lock_without_sleeping(tmp_path):
    database = peewee.SqliteDatabase(str(tmp_path / "lms.db"))
    leader, standby = SchedulerLock(database), SchedulerLock(database)
    assert leader.try_acquire()
    polls = []

    def fake_sleep(seconds):  # the leader goes away during the second wait
        polls.append(seconds)
        if len(polls) == 2:
            leader.release()

    standby.wait(5, sleep=fake_sleep)
    assert polls == [5, 5] and standby.held() and not leader.held()
    standby.release()


@pytest.mark.skipif(not PG_URL, reason="PostgreSQL only (LMS_TEST_DATABASE_URL)")
def test_the_postgres_advisory_lock_admits_one_session(app):
    first, second = SchedulerLock(db.database.obj), SchedulerLock(db.database.obj)
    try:
        assert first.try_acquire() and first.held()
        assert second.try_acquire() is False  # another session, even in this process
        first._handle.close()  # as when the process dies: the server ends the session
        assert not first.held()
        assert second.try_acquire() and second.held()
    finally:
        first.release()
        second.release()
