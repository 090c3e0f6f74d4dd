"""Browser journeys: one demo database and one served app for the package, one Chromium for
the session, and a fresh watched context per journey.

On a machine without Chromium or Playwright the journeys skip and say why; CI sets
LMS_REQUIRE_BROWSER=1, which turns that skip into a failure.
"""
from __future__ import annotations

import os
import shutil

import pytest

from ..conftest import PG_URL, _truncate_all
from .harness import Journey, ServedApp, launch, screenshots_dir, unavailable

# Read at import: the session's hermetic_environment fixture removes LMS_* variables later.
REQUIRE_BROWSER = os.environ.get("LMS_REQUIRE_BROWSER", "") not in ("", "0")
SHOTS = screenshots_dir()


@pytest.fixture(scope="session")
def browser():
    reason = unavailable()
    if reason:
        if REQUIRE_BROWSER:
            pytest.fail(f"LMS_REQUIRE_BROWSER is set but the browser journeys cannot run: {reason}")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = launch(playwright)
        yield chromium
        chromium.close()


@pytest.fixture(scope="package")
def demo_database(migrated_template, tmp_path_factory):
    """A migrated database of the journeys' own (on PostgreSQL: the test database, emptied)."""
    if PG_URL:
        _truncate_all(PG_URL)
        return PG_URL
    target = tmp_path_factory.mktemp("browser") / "lms.db"
    shutil.copyfile(migrated_template, target)
    return f"sqlite:///{target}"


@pytest.fixture(scope="package")
def served(browser, demo_database, tmp_path_factory):
    """`lms demo` in that database, served on 127.0.0.1 for every journey of the package."""
    app = ServedApp(demo_database, tmp_path_factory.mktemp("served"), demo=True, hold_imports=True)
    yield app
    app.stop()


@pytest.fixture
def open_journey(browser, served, request):
    """Open a watched browser context; each is checked (and photographed) when the test ends."""
    opened: list[Journey] = []

    def open_(suffix: str = "", **options) -> Journey:
        name = request.node.name.replace("[", "-").rstrip("]") + (f"-{suffix}" if suffix else "")
        journey = Journey(browser, options.pop("base_url", served.base_url), name, shots=SHOTS, **options)
        opened.append(journey)
        return journey

    yield open_
    failures = []
    for journey in opened:
        try:
            journey.finish()
        except AssertionError as exc:
            failures.append(str(exc))
    if failures:
        pytest.fail("\n".join(failures) + f"\nserver log:\n{served.log_tail()}", pytrace=False)
