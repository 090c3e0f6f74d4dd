"""What "the database is busy or down" looks like from outside, checked in-process: a 503 page or
JSON that needs no database itself, a clean error from a command; a bug stays a 500. And how a
scheduler tells a dead claimant from a live one."""
import os
import subprocess
import sys

import peewee
import pytest
from playhouse.pool import MaxConnectionsExceeded

from lms import create_app, db
from lms.scheduler import claimant_dead, runner_id
from lms.services import microtasks

from ..factories import client_for, make_user

UNREACHABLE = "postgresql://nobody@127.0.0.1:9/none"  # nothing listens on port 9: refused at once


@pytest.fixture
def unreachable(database_url):
    app = create_app(database_url=UNREACHABLE, secret_key="x" * 40, TESTING=True)
    yield app
    db.bind(database_url)


def test_an_unreachable_database_gives_503_pages_json_and_command_errors(unreachable):
    client = unreachable.test_client()
    for path in ("/login", "/", "/tasks/", "/no-such-page"):
        response = client.get(path, headers={"Accept-Language": "en"})
        body = response.get_data(as_text=True)
        assert response.status_code == 503 and response.headers["Retry-After"], path
        assert "The database is busy or cannot be reached" in body and "Traceback" not in body, path
    api = client.post("/api/v1/kpi", json={"rows": []}, headers={"Authorization": "Bearer t"})
    assert api.status_code == 503 and api.get_json()["status"] == 503
    assert client.get("/healthz").get_json() == {"status": "unavailable", "database": False}
    result = unreachable.test_cli_runner().invoke(args=["lms", "jobs", "run", "issue-microtasks"])
    assert result.exit_code == 1 and "error: the database is busy or cannot be reached" in result.output


def test_a_busy_database_is_a_503_and_a_bug_is_still_a_500(app, conn, monkeypatch):
    client = client_for(app, make_user(("agent",), None, "U1"))
    app.config["PROPAGATE_EXCEPTIONS"] = False
    failures = [peewee.OperationalError("database is locked"), peewee.ProgrammingError("syntax error at or near")]
    if isinstance(db.database.obj, peewee.SqliteDatabase):
        failures.append(peewee.OperationalError("no such table: lms_nothing"))

    def broken(*args, **kwargs):
        raise failure

    monkeypatch.setattr(microtasks, "today_task", broken)
    for failure, status in zip(failures, (503, 500, 500)):
        response = client.get("/tasks/")
        assert response.status_code == status, failure
        assert "Traceback" not in response.get_data(as_text=True)
    monkeypatch.undo()
    assert client.get("/tasks/").status_code == 200  # the same client goes on as before


def test_what_counts_as_unavailable(conn):
    assert db.unavailable(MaxConnectionsExceeded("pool"))
    assert db.unavailable(peewee.OperationalError("database is locked"))
    assert not db.unavailable(peewee.IntegrityError("UNIQUE constraint failed"))
    assert not db.unavailable(ValueError("database is locked"))
    if isinstance(db.database.obj, peewee.SqliteDatabase):
        assert not db.unavailable(peewee.OperationalError("no such column: x"))
    else:
        assert db.unavailable(peewee.InterfaceError("connection already closed"))


def test_a_claimant_is_dead_only_when_surely_gone():
    host = runner_id().rsplit(":", 1)[0]
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    assert claimant_dead(f"{host}:{gone.pid}")  # exited and reaped
    assert claimant_dead(runner_id())  # our own pid: an earlier life of this container
    assert not claimant_dead(f"{host}:{os.getppid()}")  # alive
    assert not claimant_dead(f"elsewhere-{host}:{gone.pid}")  # another host: only the lease can tell
    assert not claimant_dead("garbage")
