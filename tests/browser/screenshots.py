"""Regenerate the README's screenshots: `python -m tests.browser.screenshots [--out DIR]`.

Builds a fresh SQLite demo (`lms db upgrade` + `lms demo`), serves it, and runs the agent,
mentor, trainer and manager journeys in Chromium at 1280×800 in Chinese; each journey takes
its pictures at the moments that show the product best (`Journey.snap`). Needs Debian's
chromium and fonts-noto-cjk (fonts-noto-color-emoji too, for the few emoji marks).
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

from .harness import REPO, Journey, ServedApp, launch, unavailable
from .journeys import agent_journey, manager_journey, mentor_journey, trainer_journey

EXPECTED = ("home", "micro-task", "drill", "mentorship", "case-review-grading", "dashboard", "impact")
MAX_BYTES = 300 * 1024


def _hermetic(folder: Path) -> None:
    """No developer config or LMS_* variable changes what the pictures show."""
    for key in [k for k in os.environ if k.startswith("LMS_")]:
        del os.environ[key]
    empty = folder / "empty.toml"
    empty.write_text("")
    os.environ["LMS_CONFIG"] = str(empty)


def regenerate(out: Path) -> list[Path]:
    from playwright.sync_api import sync_playwright

    from lms import db
    from lms.migrations import upgrade

    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        _hermetic(folder)
        url = f"sqlite:///{folder / 'lms.db'}"
        db.bind(url)
        upgrade()
        db.database.close()
        app = ServedApp(url, folder / "served", demo=True, hold_imports=True)
        try:
            with sync_playwright() as playwright:
                browser = launch(playwright)
                opened: list[Journey] = []

                def open_journey(suffix: str = "", **options) -> Journey:
                    journey = Journey(browser, app.base_url, suffix or "docs", docs=out, **options)
                    opened.append(journey)
                    return journey

                for journey in (agent_journey, mentor_journey, trainer_journey, manager_journey):
                    journey(app, open_journey)
                for journey in opened:
                    journey.finish()
                browser.close()
        finally:
            app.stop()
    return [out / f"{name}.png" for name in EXPECTED]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "screenshots")
    args = parser.parse_args(argv)
    reason = unavailable()
    if reason:
        print(f"error: {reason}", file=sys.stderr)
        return 1
    status = 0
    for path in regenerate(args.out.resolve()):
        size = path.stat().st_size if path.exists() else 0
        problem = "missing" if not size else "over 300 KB" if size > MAX_BYTES else ""
        print(f"{path.relative_to(REPO) if path.is_relative_to(REPO) else path}  {size // 1024} KB  {problem}")
        status = status or (1 if problem else 0)
    return status


if __name__ == "__main__":
    sys.exit(main())
