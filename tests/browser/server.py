"""The app served for the browser journeys, in a process of its own.

`python -m tests.browser.server --database-url URL --uploads DIR [...]` builds the app with
`create_app`, optionally runs `lms demo` into the (migrated) database, then serves on
127.0.0.1 and prints `LISTENING <port>` once it accepts connections. A process of its own
keeps its clock, its database binding and its template loader away from the other tests.
"""
from __future__ import annotations

import argparse
import datetime as dt
import logging
import sys
import time
from pathlib import Path

SECRET = "browser-journeys-secret-key-long-enough"
HOLD_LIMIT_SECONDS = 60  # a held import gives up waiting after this, so nothing hangs for ever


def shift_clock(seconds: float) -> None:
    """Run the product's clock `seconds` away from the wall clock (it keeps ticking)."""
    from lms.services import clock

    if not seconds:
        return
    offset = dt.timedelta(seconds=seconds)
    wall = clock.now
    clock.now = lambda: wall() + offset


def hold_background_imports(folder: Path) -> None:
    """Send every KPI upload to the background and keep it at 'checking' until the test drops
    a file named `go` into the folder (taken once per import): the progress page is then seen
    for certain, whatever the machine's speed."""
    from lms.web import kpi

    folder.mkdir(parents=True, exist_ok=True)
    run = kpi._import_saved

    def held(*args):
        gate, deadline = folder / "go", time.monotonic() + HOLD_LIMIT_SECONDS
        while not gate.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        gate.unlink(missing_ok=True)
        run(*args)

    kpi._import_saved = held
    kpi.INLINE_MAX_BYTES = 0


def build_app(args):
    from jinja2 import FileSystemLoader

    from lms import create_app

    app = create_app(database_url=args.database_url, secret_key=SECRET, paths_uploads=args.uploads)
    if args.templates:
        # The app's own loader is asked before the blueprint's shipped templates.
        app.jinja_loader = FileSystemLoader(args.templates)
    return app


def run_demo(app) -> None:
    """The README's first command, `lms demo`, on this database."""
    result = app.test_cli_runner().invoke(args=["lms", "demo"])
    sys.stderr.write(result.output)
    if result.exit_code != 0:
        raise SystemExit(f"lms demo failed with exit code {result.exit_code}")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--uploads", required=True)
    parser.add_argument("--clock-shift", type=float, default=0, help="seconds added to the wall clock")
    parser.add_argument("--templates", help="a folder whose templates replace the shipped ones")
    parser.add_argument("--demo", action="store_true", help="run `lms demo` before serving")
    parser.add_argument("--hold-imports", type=Path, help="hold background KPI imports until FOLDER/go exists")
    args = parser.parse_args(argv)

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per request
    shift_clock(args.clock_shift)
    if args.hold_imports:
        hold_background_imports(args.hold_imports)
    app = build_app(args)
    if args.demo:
        run_demo(app)

    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    print(f"LISTENING {server.server_port}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
