"""A PostgreSQL outage under a running app: gunicorn serves agents from a throwaway cluster of
its own (initdb and pg_ctl as the postgres user, on a free port; never the shared server), the
cluster is stopped outright mid-traffic, then started again. Meanwhile every request gets a clean
503 (a page, or JSON under the API) and /healthz says unavailable; afterwards requests succeed
again without restarting the app: the pool drops its dead connections and opens new ones."""
import glob
import json
import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest

from ..conftest import PG_URL, TEST_PASSWORD
from .web import Client, start_server, stop_server

BINARIES = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
pytestmark = [
    pytest.mark.skipif(not PG_URL, reason="a PostgreSQL outage: runs with the PostgreSQL suite "
                                          "(LMS_TEST_DATABASE_URL set)"),
    pytest.mark.skipif(os.geteuid() != 0, reason="initdb and pg_ctl run as the postgres user: needs root"),
    pytest.mark.skipif(not BINARIES or shutil.which("runuser") is None,
                       reason="no PostgreSQL server binaries (initdb, pg_ctl) or no runuser"),
]
DEADLINE = 60  # seconds; every wait returns as soon as its condition holds
SETUP = """
import sys
from lms import create_app
from lms.db import database
from lms.services import accounts, api_tokens

app = create_app(database_url=sys.argv[1])
with app.app_context(), database.connection_context():
    user = accounts.create_user(employee_no="PG1", name="断线测试", roles={"agent"})
    accounts.set_password(user, sys.argv[2])
    user.must_change_password = False
    user.save()
    print(api_tokens.issue("outage", "kpi:write", None)[1])
"""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Cluster:
    """A PostgreSQL cluster in a temporary folder owned by the postgres user."""

    def __init__(self):
        self.bin = Path(BINARIES[-1]).parent
        self.folder = Path(tempfile.mkdtemp(prefix="lms-pg-outage-"))
        postgres = pwd.getpwnam("postgres")
        os.chown(self.folder, postgres.pw_uid, postgres.pw_gid)
        self.data, self.port = self.folder / "data", _free_port()
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}/lms"
        self._as_postgres("initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust", "--no-sync")

    def _as_postgres(self, tool, *args):
        result = subprocess.run(["runuser", "-u", "postgres", "--", str(self.bin / tool), *args],
                                capture_output=True, text=True, timeout=DEADLINE)
        assert result.returncode == 0, (tool, result.stdout, result.stderr)

    def start(self):
        options = (f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off "
                   "-c max_connections=40")
        self._as_postgres("pg_ctl", "-D", str(self.data), "-o", options, "-l", str(self.folder / "server.log"),
                          "-w", "start")

    def stop(self):
        self._as_postgres("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")

    def remove(self):
        if (self.data / "postmaster.pid").exists():
            subprocess.run(["runuser", "-u", "postgres", "--", str(self.bin / "pg_ctl"), "-D", str(self.data),
                            "-m", "immediate", "-w", "stop"], capture_output=True, timeout=DEADLINE)
        shutil.rmtree(self.folder, ignore_errors=True)


@pytest.fixture
def cluster():
    cluster = Cluster()
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.remove()


def _lms_env(url):
    environ = {k: v for k, v in os.environ.items() if not k.startswith("LMS_")}
    environ["LMS_DATABASE_URL"] = url
    return environ


def _wait_for(what, condition, detail=lambda: ""):
    deadline = time.monotonic() + DEADLINE
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)  # a polling interval, not a wait for something to happen
    raise AssertionError(f"timed out waiting for {what}\n{detail()}")


class Traffic(threading.Thread):
    """An agent reading and writing in a loop, every response kept, until stopped."""

    def __init__(self, client, token):
        super().__init__(daemon=True)
        self.client, self.token, self.responses, self.stopping = client, token, [], threading.Event()

    def run(self):
        n = 0
        while not self.stopping.is_set():
            n += 1
            if n % 2:
                status, body, _ = self.client.get("/")
            else:
                status, body, _ = self.client.post(f"/locale/{('en', 'zh_CN')[n % 4 // 2]}",
                                                   {"csrf_token": self.token, "next": "/"})
            self.responses.append((status, body))

    def statuses(self, start=0):
        return [status for status, _ in self.responses[start:]]


def test_requests_fail_cleanly_during_an_outage_and_recover_after(cluster, tmp_path):
    admin = subprocess.run(["runuser", "-u", "postgres", "--", str(cluster.bin / "createdb"), "-h", "127.0.0.1",
                            "-p", str(cluster.port), "-U", "postgres", "lms"], capture_output=True, text=True)
    assert admin.returncode == 0, admin.stderr
    lms = str(Path(sys.executable).parent / "lms")
    upgraded = subprocess.run([lms, "db", "upgrade"], env=_lms_env(cluster.url), capture_output=True, text=True,
                              cwd=tmp_path, timeout=DEADLINE)
    assert upgraded.returncode == 0, upgraded.stderr
    setup = subprocess.run([sys.executable, "-c", SETUP, cluster.url, TEST_PASSWORD], env=_lms_env(cluster.url),
                           capture_output=True, text=True, cwd=tmp_path, timeout=DEADLINE)
    assert setup.returncode == 0, setup.stderr
    api_token = setup.stdout.strip().splitlines()[-1]
    server = start_server(tmp_path, cluster.url, workers=2, threads=2)
    traffic = None
    try:
        agent = Client(server.base, timeout=30).sign_in("PG1")
        traffic = Traffic(agent, agent.csrf("/"))
        traffic.start()

        def detail():
            return f"statuses {traffic.statuses()[-40:]}\n{server.log.read_text()[-6000:]}"
        _wait_for("traffic", lambda: traffic.statuses().count(200) >= 3, detail)

        cluster.stop()  # outright, mid-traffic: connections in the pool and in use die with it
        down_at = len(traffic.responses)
        _wait_for("requests to fail", lambda: 503 in traffic.statuses(down_at), detail)
        looker = Client(server.base)
        status, body, headers = looker.get("/healthz")
        assert (status, json.loads(body)) == (503, {"status": "unavailable", "database": False})
        status, body, headers = looker.get("/login")
        assert status == 503 and headers["Retry-After"] and "The database is busy or cannot be reached" in body
        status, body, _ = looker.post_json("/api/v1/kpi", {"rows": []}, api_token)
        assert status == 503 and json.loads(body)["status"] == 503
        _wait_for("more failed requests", lambda: len(traffic.statuses(down_at)) >= 6, detail)

        cluster.start()  # the same app, not restarted
        up_at = len(traffic.responses)
        _wait_for("requests to succeed again", lambda: traffic.statuses(up_at).count(200) >= 3, detail)
        settled = len(traffic.responses)
        _wait_for("a run of requests", lambda: len(traffic.responses) >= settled + 20, detail)
        traffic.stopping.set()
        traffic.join(timeout=DEADLINE)

        assert set(traffic.statuses()) <= {200, 302, 503}, [s for s in traffic.statuses() if s not in (200, 302, 503)]
        for status, body in traffic.responses:  # the agent's own failures: the 503 page, in their language
            assert status != 503 or ("<title>503" in body and "Traceback" not in body), body
        assert set(traffic.statuses(settled)) <= {200, 302}  # every pooled connection that died was replaced
        assert looker.get("/healthz")[0] == 200
        assert looker.post_json("/api/v1/kpi", {"rows": [], "dry_run": True}, api_token)[0] in (200, 422)
        assert "Traceback" not in server.log.read_text()
    finally:
        if traffic is not None:
            traffic.stopping.set()
        stop_server(server)
