"""The journey harness: the app served in its own process, Debian's Chromium driven by
Playwright, and a Journey that records what nobody should meet on a page (a console error,
an uncaught script error, a request to a host other than the app) and fails on it.

Playwright is imported lazily, so the suite still collects (and skips these tests) on a
machine without it.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import select
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
# As on this kind of machine: no sandbox as root, and no background traffic to Google's hosts.
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync"]
# The served clock starts here (a Wednesday, 09:30 in Shanghai) and keeps ticking, so
# journeys and screenshots meet the same working day whatever the real date.
SERVED_FROM = dt.datetime(2026, 3, 18, 1, 30, tzinfo=dt.timezone.utc)
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
START_TIMEOUT = 90  # seconds for the server to build the demo and listen
STEP_TIMEOUT_MS = 15_000
FAILED_LOAD = re.compile(r"Failed to load resource: the server responded with a status of (\d+)")


def unavailable() -> str | None:
    """Why the browser journeys cannot run here, or None."""
    if not Path(CHROMIUM).exists():
        return (f"Chromium is not installed at {CHROMIUM} "
                "(apt-get install chromium fonts-noto-cjk; CI installs it)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the Python package playwright is not installed (pip install -e '.[test]')"
    return None


def launch(playwright):
    """Debian's Chromium, headless; never a browser that Playwright downloads."""
    return playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)


class ServedApp:
    """The product served on 127.0.0.1 by `python -m tests.browser.server` for one database."""

    def __init__(self, database_url: str, workdir: Path, *, demo: bool = False, templates: Path | None = None,
                 hold_imports: bool = False):
        self.database_url = database_url
        self.workdir = Path(workdir)
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.clock_shift = (SERVED_FROM - dt.datetime.now(dt.timezone.utc)).total_seconds()
        self.hold_dir = self.workdir / "hold" if hold_imports else None
        self.log_path = self.workdir / "server.log"
        self.claimed: set[str] = set()  # employee nos a journey has taken for itself
        command = [sys.executable, "-m", "tests.browser.server", "--database-url", database_url,
                   "--uploads", str(self.workdir / "uploads"), "--clock-shift", str(self.clock_shift)]
        if demo:
            command.append("--demo")
        if templates is not None:
            command += ["--templates", str(templates)]
        if self.hold_dir is not None:
            command += ["--hold-imports", str(self.hold_dir)]
        self._log = self.log_path.open("w")
        self.process = subprocess.Popen(command, cwd=REPO, stdout=subprocess.PIPE, stderr=self._log, text=True)
        self.base_url = f"http://127.0.0.1:{self._wait_for_port()}"

    def _wait_for_port(self) -> int:
        deadline = dt.datetime.now() + dt.timedelta(seconds=START_TIMEOUT)
        while dt.datetime.now() < deadline:
            ready, _, _ = select.select([self.process.stdout], [], [], 0.5)
            if ready:
                line = self.process.stdout.readline()
                if line.startswith("LISTENING "):
                    return int(line.split()[1])
            if self.process.poll() is not None:
                break
        self.stop()
        raise RuntimeError(f"the test server did not start:\n{self.log_tail()}")

    def log_tail(self, lines: int = 40) -> str:
        self._log.flush()
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process.stdout.close()
        self._log.close()

    def release_import(self) -> None:
        """Let the held background KPI import go on (see server.hold_background_imports)."""
        (self.hold_dir / "go").touch()

    @contextlib.contextmanager
    def data(self):
        """The served database from the test process, at the served clock's time."""
        from lms import db
        from lms.services import clock

        clock.freeze(dt.datetime.now(dt.timezone.utc) + dt.timedelta(seconds=self.clock_shift))
        db.bind(self.database_url)
        try:
            with db.database.connection_context():
                yield db.database
        finally:
            clock.freeze(None)

    def settings(self):
        from lms.config import load_settings

        return load_settings(None, {"database.url": self.database_url})


class JourneyProblems(AssertionError):
    """What a person met on the way: console errors, script errors, requests to other hosts."""


class Journey:
    """One person's browser context and page, watched from the first request to the last."""

    def __init__(self, browser, base_url: str, name: str, *, viewport=None, shots: Path | None = None,
                 docs: Path | None = None, check_width: bool = False):
        self.name, self.base_url, self.shots, self.docs = name, base_url, shots, docs
        self.origin = urlsplit(base_url)[:2]
        self.check_width = check_width
        self.problems: list[str] = []
        self.allowed: set[tuple[int, str]] = set()
        self.context = browser.new_context(viewport=viewport or DESKTOP, base_url=base_url, locale="zh-CN",
                                           timezone_id="Asia/Shanghai", accept_downloads=True)
        self.context.set_default_timeout(STEP_TIMEOUT_MS)
        self.context.route("**/*", self._route)
        self.context.on("page", self._watch)
        self.page = self.context.new_page()

    # -- what is recorded ---------------------------------------------------------------
    def _watch(self, page) -> None:
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.problems.append(f"script error on {page.url}: {error}"))

    def _console(self, message) -> None:
        if message.type != "error":
            return
        url = message.location.get("url", "") if message.location else ""
        failed = FAILED_LOAD.match(message.text)
        if failed and (int(failed.group(1)), urlsplit(url).path) in self.allowed:
            return  # a rejection the journey asked for (e.g. a file with errors: 400)
        self.problems.append(f"console error: {message.text} ({url})")

    def _route(self, route) -> None:
        url = route.request.url
        if urlsplit(url)[:2] == self.origin:
            route.continue_()
        else:
            self.problems.append(f"request to another host: {route.request.method} {url}")
            route.abort()

    def allow_http_error(self, status: int, path: str) -> None:
        """The page at `path` is expected to answer `status` (the browser logs that as an error)."""
        self.allowed.add((status, path))

    # -- moving around ------------------------------------------------------------------
    def goto(self, path: str):
        response = self.page.goto(path)
        self.checkpoint(path)
        return response

    def nav(self, path: str) -> None:
        """Follow the header's navigation link to `path` (opening the menu on a phone)."""
        link = self.page.locator(f'header a[href="{path}"]:visible').first
        if link.count() == 0:
            self.page.locator("header details > summary").click()
            link = self.page.locator(f'header a[href="{path}"]:visible').first
        link.click()
        self.page.wait_for_load_state()
        self.checkpoint(path)

    def checkpoint(self, label: str) -> None:
        """After each step: on a phone, nothing may be wider than the screen."""
        self.page.wait_for_load_state()
        if self.check_width:
            scroll, inner = self.page.evaluate(
                "() => [document.scrollingElement.scrollWidth, window.innerWidth]")
            if scroll > inner:
                self.problems.append(f"wider than the screen at {label} ({self.page.url}): "
                                     f"{scroll}px > {inner}px")

    def snap(self, name: str) -> None:
        """A screenshot for the README (only when regenerating docs/screenshots)."""
        if self.docs is not None:
            self.page.screenshot(path=str(self.docs / f"{name}.png"))

    def finish(self) -> None:
        """The closing screenshot, then fail on anything recorded."""
        try:
            if self.shots is not None and not self.page.is_closed():
                self.shots.mkdir(parents=True, exist_ok=True)
                self.page.screenshot(path=str(self.shots / f"{self.name}.png"), full_page=True)
        finally:
            self.context.close()
        if self.problems:
            raise JourneyProblems(f"journey {self.name}: " + "; ".join(self.problems))


def screenshots_dir() -> Path:
    """Where journeys leave their closing screenshots (gitignored)."""
    return Path(os.environ.get("LMS_TEST_SCREENSHOTS") or REPO / "test-output" / "screenshots")
