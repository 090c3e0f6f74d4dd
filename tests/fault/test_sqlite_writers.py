"""SQLite under concurrent writers: web requests (gunicorn, two worker processes), a scheduler job
and a large KPI import, each in processes of their own, writing one database file at once. SQLite
lets one writer in at a time; a writer that cannot get in within the busy timeout must be told so
cleanly (a 503 page, the command's error message, a failed job run) with nothing half-written,
and everything else must land: no write is ever lost without a word. Retried afterwards, what was
refused lands. (PostgreSQL has no database-wide write lock: SQLite only.)"""
import datetime as dt
import json
import os
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from lms.models import Evidence, JobRun, KpiDaily, KpiImport, MicroTask, MicroTemplate, RotaDay, User
from lms.services import clock

from ..conftest import PG_URL
from ..factories import client_for, csrf_token, make_user
from .web import Client, start_server, stop_server

pytestmark = pytest.mark.skipif(bool(PG_URL), reason="SQLite's one-writer lock is under test; "
                                                     "PostgreSQL locks rows, not the database")

AGENTS, KPI_PEOPLE, KPI_DAYS = 12, 100, 200
BUSY_MS = "20"  # short: the import's write outlasts it, so some writers must be refused
REPLY = "您好，非常抱歉让您久等了，我马上为您查询处理进度，稍后给您回电确认。"
JOB = """
import datetime as dt, sys
from lms import create_app
from lms.jobs import JOBS
from lms.scheduler import run_recorded

app = create_app()
with app.app_context():
    for day in sys.argv[1:]:
        try:
            result = run_recorded(JOBS["issue-microtasks"], dt.date.fromisoformat(day))
            print(day, "done" if result is not None else "skipped", flush=True)
        except Exception as exc:  # what the scheduler does: record, log, retry at the next tick
            print(day, "reported", type(exc).__name__, str(exc).splitlines()[0], flush=True)
"""


def _environ(database_url, **extra):
    environ = {k: v for k, v in os.environ.items() if not k.startswith("LMS_")}
    environ.update(LMS_DATABASE_URL=database_url, **extra)
    return environ


def _lms(*args):
    return [str(Path(sys.executable).parent / "lms"), *args]


def _organisation(tmp_path):
    """Agents each with today's reply task, past days to issue, and a large KPI file."""
    today = clock.today()
    template = MicroTemplate.create(slug="mt-reply", tier="newcomer", skill="empathy", kpi="csat", kind="reply",
                                    title="回复", spec=json.dumps({"scenario": "complaint", "customer": "怎么还没到？"}))
    agents = [make_user(("agent",), None, f"W{n}", tier="newcomer", hire_date=today - dt.timedelta(days=400))
              for n in range(AGENTS)]
    tasks = {a.employee_no: MicroTask.create(user=a, day=today, template=template).id for a in agents}
    past = [today - dt.timedelta(days=d) for d in range(2, 8)]
    RotaDay.insert_many([{"user": a.id, "day": d, "working": True} for a in agents for d in past]).execute()
    User.insert_many([{"employee_no": f"KP{p}", "name": "指标", "hire_date": today - dt.timedelta(days=400)}
                      for p in range(KPI_PEOPLE)]).execute()
    first = today - dt.timedelta(days=KPI_DAYS + 5)
    lines = ["employee_no,date,contacts,resolved_first_contact,handle_seconds,csat_responses,csat_positive"]
    lines += [f"KP{p},{first + dt.timedelta(days=d)},30,20,9000,5,4" for p in range(KPI_PEOPLE)
              for d in range(KPI_DAYS)]
    kpi_file = tmp_path / "kpi.csv"
    kpi_file.write_text("\n".join(lines) + "\n")
    return tasks, past, kpi_file


def _unavailable_page(html: str) -> bool:
    """The 503 page, in whichever language the agent last chose (they switch to and fro)."""
    return "<title>503" in html and "Traceback" not in html


def _complete(client, task_id):
    token = client.csrf(f"/tasks/{task_id}")
    return client.post(f"/tasks/{task_id}", {"csrf_token": token, "answer": REPLY})


def test_concurrent_writers_each_land_or_are_reported(database_url, conn, tmp_path):
    tasks, past, kpi_file = _organisation(tmp_path)
    server = start_server(tmp_path, database_url, workers=2, threads=4, LMS_DATABASE_BUSY_TIMEOUT_MS=BUSY_MS)
    try:
        clients = {no: Client(server.base).sign_in(no) for no in tasks}
        pages = {no: client.csrf(f"/tasks/{tasks[no]}") for no, client in clients.items()}
        busy = _environ(database_url, LMS_DATABASE_BUSY_TIMEOUT_MS=BUSY_MS)
        go = threading.Barrier(AGENTS + 1)
        switches, answers, others = {}, {}, []

        def agent(no):
            """Switch the interface language to and fro while the others write, then do the task."""
            go.wait()
            user, seen = User.get(User.employee_no == no), switches.setdefault(no, [])
            while len(seen) < 3 or any(p.poll() is None for p in others):
                code = ("en", "zh_CN")[len(seen) % 2]
                status, body, headers = clients[no].post(f"/locale/{code}", {"csrf_token": pages[no], "next": "/"})
                seen.append((code, status, body, headers.get("Retry-After")))
                if status == 302:  # landed: it is in the database now
                    assert User.get_by_id(user.id).locale == code
            answers[no] = clients[no].post(f"/tasks/{tasks[no]}", {"csrf_token": pages[no], "answer": REPLY})

        threads = [threading.Thread(target=agent, args=(no,)) for no in tasks]
        for thread in threads:
            thread.start()
        importer = subprocess.Popen(_lms("kpi", "import", str(kpi_file), "--json"), env=busy, cwd=tmp_path,
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        job = subprocess.Popen([sys.executable, "-c", JOB, *map(str, past)], env=busy, cwd=tmp_path,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        others += [importer, job]
        go.wait()
        imported, import_errors = importer.communicate(timeout=120)
        job_out, job_errors = job.communicate(timeout=120)
        for thread in threads:
            thread.join(timeout=120)
        assert len(answers) == AGENTS, "an agent's thread failed (its assertion is in the output above)"

        # Each web write landed whole, or was refused with a clear 503 and left nothing behind.
        refused = []
        for no, seen in switches.items():
            for code, status, body, retry_after in seen:
                assert status == 302 or (status == 503 and _unavailable_page(body) and retry_after), \
                    (no, status, body[:300])
            landed = [code for code, status, *_ in seen if status == 302]
            assert User.get(User.employee_no == no).locale == (landed[-1] if landed else None)
        for no, (status, body, headers) in answers.items():
            task = MicroTask.get_by_id(tasks[no])
            evidence = Evidence.select().where(Evidence.user == task.user).count()
            if status == 302:
                assert (task.status, evidence) == ("done", 1), no
            else:
                assert status == 503 and _unavailable_page(body) and headers["Retry-After"], (no, status, body)
                assert (task.status, evidence) == ("open", 0), no
                refused.append(no)
        # The import: all 20,000 days, or a clean report and not one of them.
        if importer.returncode == 0:
            assert json.loads(imported)["added"] == KPI_PEOPLE * KPI_DAYS
            assert KpiDaily.select().count() == KPI_PEOPLE * KPI_DAYS
        else:
            assert importer.returncode == 1 and "Traceback" not in import_errors, import_errors
            assert "database is busy" in imported + import_errors, (imported, import_errors)
            assert KpiDaily.select().count() == 0
        # The job: each day issued for every agent or for none (a run refused before its work is
        # not issued; one refused only when recording its end is), and done or reported.
        assert job.returncode == 0, job_errors
        outcome = dict(line.split(" ", 1) for line in job_out.splitlines())
        assert set(outcome) == set(map(str, past))
        for day in past:
            issued = MicroTask.select().where(MicroTask.day == day).count()
            assert issued in (0, AGENTS), (day, issued)
            if outcome[str(day)] == "done":
                assert issued == AGENTS and JobRun.get(JobRun.day == day).status == "done"
            else:
                assert outcome[str(day)].startswith("reported OperationalError database is locked"), outcome

        # Nothing was lost: what was refused lands when tried again.
        for no in refused:
            assert _complete(clients[no], tasks[no])[0] == 302
        assert MicroTask.select().where((MicroTask.day == clock.today()) & (MicroTask.status == "done")).count() \
            == AGENTS
        assert Evidence.select().count() == AGENTS
        again = subprocess.run([sys.executable, "-c", JOB, *map(str, past)], env=_environ(database_url),
                               cwd=tmp_path, capture_output=True, text=True, timeout=120)
        assert "reported" not in again.stdout, again.stdout + again.stderr
        assert {r.status for r in JobRun.select()} == {"done"}
        assert MicroTask.select().where(MicroTask.day.in_(past)).count() == AGENTS * len(past)
        if importer.returncode != 0:
            assert subprocess.run(_lms("kpi", "import", str(kpi_file)), env=_environ(database_url), cwd=tmp_path,
                                  capture_output=True, timeout=120).returncode == 0
        assert KpiDaily.select().count() == KPI_PEOPLE * KPI_DAYS
        assert KpiImport.select().where(KpiImport.status == "done").count() == 1
    finally:
        stop_server(server)


@pytest.fixture
def write_lock(database_url):
    """Another writer's transaction, held on the database file for as long as the test says."""
    path = database_url.removeprefix("sqlite:///")
    holder = sqlite3.connect(path, isolation_level=None, check_same_thread=False)

    class Lock:
        def take(self):
            holder.execute("BEGIN IMMEDIATE")
            holder.execute("UPDATE lms_user SET name = name WHERE id = -1")

        def release(self):
            holder.execute("ROLLBACK")

    yield Lock()
    if holder.in_transaction:
        holder.execute("ROLLBACK")
    holder.close()


def test_a_writer_locked_out_is_told_so_and_retries_land(app, database_url, conn, tmp_path, write_lock):
    tasks, past, kpi_file = _organisation(tmp_path)
    agent = User.get(User.employee_no == "W0")
    client = client_for(app, agent)
    token = csrf_token(client, f"/tasks/{tasks['W0']}")
    busy = _environ(database_url, LMS_DATABASE_BUSY_TIMEOUT_MS="100")

    write_lock.take()
    conn.execute_sql("PRAGMA busy_timeout = 100")  # this test's requests run on this connection
    assert client.get(f"/tasks/{tasks['W0']}").status_code == 200  # reading goes on (WAL)
    for path, data in ((f"/tasks/{tasks['W0']}", {"answer": REPLY}), ("/locale/zh_CN", {"next": "/"})):
        refused = client.post(path, data={"csrf_token": token, **data})
        assert refused.status_code == 503 and refused.headers["Retry-After"]
        assert "The database is busy or cannot be reached" in refused.get_data(as_text=True)
    assert (MicroTask.get_by_id(tasks["W0"]).status, User.get_by_id(agent.id).locale) == ("open", "en")
    job = subprocess.run(_lms("jobs", "run", "issue-microtasks", "--date", str(past[0]), "--json"), env=busy,
                         cwd=tmp_path, capture_output=True, text=True, timeout=60)
    kpi = subprocess.run(_lms("kpi", "import", str(kpi_file)), env=busy, cwd=tmp_path, capture_output=True,
                         text=True, timeout=60)
    for result in (job, kpi):
        assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
        assert "error: the database is busy or cannot be reached" in result.stderr, result.stderr
    assert MicroTask.select().where(MicroTask.day == past[0]).count() == 0 and KpiDaily.select().count() == 0
    write_lock.release()

    # Tried again: everything lands, without restarting anything.
    assert client.post(f"/tasks/{tasks['W0']}", data={"csrf_token": token, "answer": REPLY}).status_code == 302
    assert client.post("/locale/zh_CN", data={"csrf_token": token, "next": "/"}).status_code == 302
    assert (MicroTask.get_by_id(tasks["W0"]).status, User.get_by_id(agent.id).locale) == ("done", "zh_CN")
    for args in (("jobs", "run", "issue-microtasks", "--date", str(past[0])), ("kpi", "import", str(kpi_file))):
        assert subprocess.run(_lms(*args), env=busy, cwd=tmp_path, capture_output=True, timeout=60).returncode == 0
    assert MicroTask.select().where(MicroTask.day == past[0]).count() == AGENTS
    assert KpiDaily.select().count() == KPI_PEOPLE * KPI_DAYS

    # A writer that gets in within the busy timeout simply waits its turn: no error at all.
    other = make_user(("agent",), None, "W-late", hire_date=clock.today())
    other_client, waited = client_for(app, other, locale="zh_CN"), {}
    write_lock.take()
    late = threading.Thread(target=lambda: waited.setdefault("status", other_client.post(
        "/locale/en", data={"csrf_token": csrf_token(other_client, "/"), "next": "/"}).status_code))
    late.start()  # its own connection, the app's busy timeout (5 s)
    late.join(timeout=0.2)
    assert late.is_alive() and User.get_by_id(other.id).locale == "zh_CN"  # held up, not refused
    write_lock.release()
    late.join(timeout=30)
    assert waited["status"] == 302 and User.get_by_id(other.id).locale == "en"
