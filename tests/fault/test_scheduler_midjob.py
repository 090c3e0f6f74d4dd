"""Two `lms scheduler` processes on one database (the SQLite file, or PostgreSQL when
LMS_TEST_DATABASE_URL is set); the leader is killed outright in the middle of issuing the day's
micro-tasks (its rows inserted, not committed). The standby takes over at once and finishes the
day: every job done once, the killed one redone by the survivor, one micro-task per agent and
day, nothing skipped. (tests/test_scheduler_processes.py kills a leader between jobs.)"""
import collections
import datetime as dt
import signal

from lms.jobs import JOBS
from lms.models import MicroTask, MicroTemplate, RotaDay
from lms.models.ops import JobRun
from lms.scheduler import daily_time
from lms.services import clock

from ..factories import make_user
from ..test_scheduler_processes import DAILY, _start, _wait_for

POINT = "issue-microtasks:inserted"


def _runs():
    """The day's runs by job (the day of the first claim: a test near midnight sees two days)."""
    first = JobRun.select(JobRun.day).order_by(JobRun.day).first()
    return {r.job: r for r in JobRun.select().where(JobRun.day == first.day)} if first else {}


def _all_done():
    runs = _runs()
    return set(runs) == DAILY and all(r.status == "done" for r in runs.values())


def _agents_working_today():
    MicroTemplate.create(slug="mt-any", tier="newcomer", skill="listening", kpi="fcr", kind="reflection",
                         title="今天", spec='{"prompt": "?"}')
    agents = [make_user(("agent",), None, f"MJ{n}", tier="newcomer", hire_date=dt.date(2025, 1, 6))
              for n in range(4)]
    today = clock.today()
    for agent in agents:  # on the rota today (and tomorrow, should midnight pass): the job has work
        for day in (today, today + dt.timedelta(days=1)):
            RotaDay.create(user=agent, day=day, working=True)
    return len(agents)


def test_a_leader_killed_mid_job_is_replaced_and_the_job_redone_once(database_url, conn, tmp_path):
    agents = _agents_working_today()
    leader = _start(tmp_path, "leader", database_url, LMS_FAILPOINTS=f"{POINT}=hang")
    processes = [leader]
    try:
        _wait_for("the leader to lead", lambda: "is now the leader" in leader.log.read_text(), processes)
        standby = _start(tmp_path, "standby", database_url)
        processes.append(standby)
        _wait_for("the standby to wait", lambda: "standby" in standby.log.read_text(), processes)
        _wait_for("the leader inside issue-microtasks", lambda: f"failpoint {POINT} reached" in
                  leader.log.read_text(), processes)
        claim = _runs()["issue-microtasks"]
        assert claim.status == "running" and claim.runner.endswith(f":{leader.pid}")

        leader.send_signal(signal.SIGKILL)  # mid-job: its transaction open, its claim still running
        assert leader.wait(timeout=30) == -signal.SIGKILL
        processes.remove(leader)
        _wait_for("the standby to lead", lambda: "is now the leader" in standby.log.read_text(), processes)
        _wait_for("every job of the day done", _all_done, processes)

        runs = _runs()
        assert runs["issue-microtasks"].runner.endswith(f":{standby.pid}")  # redone by the survivor
        by_leader = {name for name, run in runs.items() if run.runner.endswith(f":{leader.pid}")}
        before = {name for name in DAILY if daily_time(JOBS[name]) < daily_time(JOBS["issue-microtasks"])}
        assert by_leader == before  # what the leader finished was not run again
        tasks = collections.Counter((t.user_id, t.day) for t in MicroTask.select()
                                    .where(MicroTask.day == runs["issue-microtasks"].day))
        assert len(tasks) == agents and set(tasks.values()) == {1}  # each agent once: nothing twice, none skipped
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
                process.wait(timeout=30)
