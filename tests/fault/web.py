"""A real web server for the fault tests (gunicorn in a process of its own, as in production)
and a small HTTP client that signs in like a browser: cookies kept, CSRF token read from the
form, redirects not followed (their status is what a test checks)."""
from __future__ import annotations

import http.cookiejar
import json
import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from ..conftest import TEST_PASSWORD

SECRET = "fault-tests-secret-key-long-enough"
START_SECONDS = 60  # gunicorn says where it listens well before this; the wait ends then


def start_server(tmp_path: Path, database_url: str, workers: int = 2, threads: int = 1, **env) -> subprocess.Popen:
    """`gunicorn lms.wsgi:app` on 127.0.0.1, a free port; `process.base` is its URL."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith("LMS_")}
    environ.update(LMS_DATABASE_URL=database_url, LMS_SECRET_KEY=SECRET, LMS_PATHS_UPLOADS=str(tmp_path / "up"),
                   **env)
    log = tmp_path / "gunicorn.log"
    exe = str(Path(sys.executable).parent / "gunicorn")
    with open(log, "w") as out:
        process = subprocess.Popen([exe, "--bind", "127.0.0.1:0", "--workers", str(workers), "--threads",
                                    str(threads), "--graceful-timeout", "5", "lms.wsgi:app"],
                                   stdout=out, stderr=subprocess.STDOUT, env=environ, cwd=tmp_path)
    process.log = log
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        text = log.read_text()
        found = re.search(r"Listening at: (http://127\.0\.0\.1:\d+)", text)
        booted = text.count("Booting worker")
        if found and booted >= workers:
            process.base = found.group(1)
            if Client(process.base).get("/healthz")[0] in (200, 503):
                return process
        if process.poll() is not None:
            break
        time.sleep(0.1)  # a polling interval, not a wait for something to happen
    stop_server(process)
    raise AssertionError(f"gunicorn did not start:\n{log.read_text()}")


def stop_server(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=30)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Client:
    """One browser: its own cookies; get/post return (status, body text, headers)."""

    def __init__(self, base: str, timeout: float = 30):
        self.base, self.timeout = base, timeout
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), _NoRedirect())

    def _open(self, request):
        try:
            with self.opener.open(request, timeout=self.timeout) as response:
                return response.status, response.read().decode("utf-8", "replace"), response.headers
        except urllib.error.HTTPError as error:  # 3xx (not followed), 4xx and 5xx
            return error.code, error.read().decode("utf-8", "replace"), error.headers

    def get(self, path: str):
        return self._open(urllib.request.Request(self.base + path, headers={"Accept-Language": "en"}))

    def post(self, path: str, data: dict):
        body = urllib.parse.urlencode(data).encode()
        return self._open(urllib.request.Request(self.base + path, data=body, headers={"Accept-Language": "en"}))

    def post_json(self, path: str, document, token: str):
        return self._open(urllib.request.Request(self.base + path, data=json.dumps(document).encode(), headers={
            "Content-Type": "application/json", "Authorization": f"Bearer {token}"}))

    def csrf(self, path: str) -> str:
        status, html, _ = self.get(path)
        match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
        assert status == 200 and match, (path, status, html[:500])
        return match.group(1)

    def sign_in(self, employee_no: str, password: str = TEST_PASSWORD) -> "Client":
        status, body, headers = self.post("/login", {"employee_no": employee_no, "password": password,
                                                     "csrf_token": self.csrf("/login")})
        assert status == 302, (status, body[:500])
        return self
