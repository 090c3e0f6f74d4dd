"""Two `lms scheduler` processes against one database (the SQLite file, or PostgreSQL when
LMS_TEST_DATABASE_URL is set): one leads and runs each job once for the day, the other waits;
killed outright, the leader is replaced by the standby, which makes up what was left undone."""
import collections
import datetime as dt
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from lms.jobs import JOBS
from lms.models.ops import JobRun
from lms.scheduler import daily_time
from lms.services import clock

DEADLINE = 60  # seconds; each wait below returns as soon as its condition holds
DAILY = {name for name, job in JOBS.items() if daily_time(job)}  # what a catch-up runs


def _start(tmp_path, name, database_url, **env):
    environ = {k: v for k, v in os.environ.items() if not k.startswith("LMS_")}
    environ.update(LMS_DATABASE_URL=database_url, LMS_SCHEDULER_STANDBY_POLL_SECONDS="1", **env)
    log = tmp_path / f"{name}.log"
    with open(log, "w") as out:
        process = subprocess.Popen([str(Path(sys.executable).parent / "lms"), "scheduler"], stdout=out,
                                   stderr=subprocess.STDOUT, env=environ, cwd=tmp_path)
    process.log = log
    return process


def _wait_for(what, condition, processes):
    deadline = time.monotonic() + DEADLINE
    while time.monotonic() < deadline:
        if condition():
            return
        for process in processes:
            assert process.poll() is None, f"scheduler {process.pid} exited:\n{process.log.read_text()}"
        time.sleep(0.1)  # a polling interval, not a wait for something to happen
    logs = "\n".join(f"--- {p.pid}\n{p.log.read_text()}" for p in processes)
    raise AssertionError(f"timed out waiting for {what}\n{logs}")


def _runs():
    return list(JobRun.select().order_by(JobRun.job))


def _finished():
    runs = _runs()
    return {r.job for r in runs} == DAILY and all(r.status in ("done", "failed") for r in runs)


def _agents_with_a_template():
    """Three agents and a micro-task template: today's issue run has real work to do twice over."""
    from lms.config import load_settings
    from lms.models import MicroTemplate
    from lms.services.work_calendar import centre_works

    from .factories import make_user

    MicroTemplate.create(slug="mt-any", tier="newcomer", skill="listening", kpi="fcr", kind="reflection",
                         title="今天", spec='{"prompt": "?"}')
    for n in range(3):
        make_user(("agent",), None, f"S{n}", tier="newcomer", hire_date=dt.date(2025, 1, 6))
    return 3 if centre_works(load_settings(None, environ={"LMS_CONFIG": ""}), clock.today()) else 0


def _tasks_per_agent_day():
    from lms.models import MicroTask

    return collections.Counter((t.user_id, t.day) for t in MicroTask.select())


def test_one_leader_runs_each_job_once_and_a_standby_takes_over(database_url, conn, tmp_path):
    expected_tasks = _agents_with_a_template()
    processes = [_start(tmp_path, name, database_url) for name in ("a", "b")]
    try:
        _wait_for("today's runs", _finished, processes)
        runs = _runs()
        assert collections.Counter((r.job, r.day) for r in runs) == {(name, runs[0].day): 1 for name in DAILY}
        assert len({r.runner for r in runs}) == 1, "only the leader runs jobs"
        by_name = {r.job: r for r in runs}
        assert by_name["purge-sign-in-records"].status == by_name["placement-review"].status == "done"
        tasks = _tasks_per_agent_day()
        assert len(tasks) == expected_tasks and set(tasks.values()) <= {1}  # one per (agent, day)
        leader_pid = int(runs[0].runner.rsplit(":", 1)[1])
        leader = next(p for p in processes if p.pid == leader_pid)
        standby = next(p for p in processes if p is not leader)
        _wait_for("the standby to wait", lambda: "standby" in standby.log.read_text(), processes)
        assert "is now the leader" in leader.log.read_text()
        assert "is now the leader" not in standby.log.read_text()

        # Work left for a successor: one run failed, another claimed by a process long dead.
        JobRun.update(status="failed", error="boom").where(JobRun.job.in_(["placement-review",
                                                                          "issue-microtasks"])).execute()
        long_ago = clock.utcnow() - dt.timedelta(hours=2)
        JobRun.update(status="running", finished_at=None, started_at=long_ago).where(
            JobRun.job == "purge-sign-in-records").execute()

        leader.send_signal(signal.SIGKILL)  # no cleanup: the lock must go with the process
        leader.wait(timeout=30)
        processes.remove(leader)
        _wait_for("the standby to lead", lambda: "is now the leader" in standby.log.read_text(), processes)
        _wait_for("the standby's catch-up", _finished, processes)

        after = {r.job: r for r in _runs()}
        assert set(after) == DAILY and all(r.day == runs[0].day for r in after.values())
        redone = {"placement-review", "purge-sign-in-records", "issue-microtasks"}
        for name in redone:
            assert after[name].status == "done" and after[name].runner.endswith(f":{standby.pid}")
        assert _tasks_per_agent_day() == tasks  # issued again by the successor: nothing twice
        for name in DAILY - redone:
            assert after[name].runner == by_name[name].runner  # done before: not run again

        standby.send_signal(signal.SIGTERM)  # a clean stop releases the lock
        assert standby.wait(timeout=30) == 0, standby.log.read_text()
        assert "released the scheduler lock" in standby.log.read_text()
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
                process.wait(timeout=30)


RACER = """
import datetime as dt, os, sys
from lms import create_app
from lms.jobs import Job
from lms.scheduler import catch_up

app = create_app(database_url=sys.argv[1])

def work(day):
    with open(sys.argv[2], "a") as out:  # O_APPEND: one whole line per run
        out.write(f"{day} {os.getpid()}\\n")
    return {}

sys.stdin.readline()  # start together
with app.app_context():
    catch_up(dt.date.fromisoformat(sys.argv[3]), [Job("race", work, {"hour": 1}, "")], days_back=7)
"""


def test_racing_processes_run_each_job_day_once(database_url, conn, tmp_path):
    """Without the leadership lock, the database alone keeps each (job, day) to one run."""
    today = dt.date(2026, 11, 24)
    JobRun.create(job="race", day=today - dt.timedelta(days=3), status="done", runner="earlier:1")
    ran = tmp_path / "ran.txt"
    racers = [subprocess.Popen([sys.executable, "-c", RACER, database_url, str(ran), today.isoformat()],
                               stdin=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(4)]
    for racer in racers:
        racer.stdin.write("go\n")
        racer.stdin.flush()
    for racer in racers:
        _, errors = racer.communicate(timeout=DEADLINE)
        assert racer.returncode == 0, errors
    days = sorted(line.split()[0] for line in ran.read_text().splitlines())
    assert days == [str(today - dt.timedelta(days=n)) for n in (2, 1, 0)]
    assert {(r.day, r.status) for r in JobRun.select().where(JobRun.day > today - dt.timedelta(days=3))} == {
        (today - dt.timedelta(days=n), "done") for n in (2, 1, 0)}
