"""`lms jobs run NAME` and `lms scheduler`: background work, on demand or on schedule."""
import logging
import signal
import sys

import click
from flask import current_app
from flask.cli import with_appcontext

from . import cli, emit_json, parse_date


@cli.group("jobs", help="Background jobs.")
def jobs_group():
    pass


@jobs_group.command("list", help="The jobs and when they run.")
def jobs_list():
    from ..jobs import JOBS

    for job in JOBS.values():
        when = " ".join(f"{k}={v}" for k, v in job.cron.items())
        click.echo(f"{job.name}\t{when}\t{job.help}")


@jobs_group.command("run", help="Run one job now, for --date (default: today).")
@click.argument("name")
@click.option("--date", "day", default=None, help="YYYY-MM-DD; any date, past included")
@click.option("--json", "as_json", is_flag=True)
@with_appcontext
def jobs_run(name, day, as_json):
    from ..jobs import JOBS, run_job

    if name not in JOBS:
        raise click.BadParameter(f"unknown job {name!r}; one of: {', '.join(sorted(JOBS))}", param_hint="NAME")
    result = run_job(name, parse_date(day, "--date"))
    if as_json:
        emit_json(result)
    else:
        for key, value in result.items():
            click.echo(f"{key}: {value}")


@cli.command("scheduler", help="Run every job on its schedule, in this process, until stopped. "
                               "Several may run: one leads, the others wait and take over if it dies.")
@with_appcontext
def scheduler():
    from ..migrations import pending
    from ..scheduler import serve

    if pending():  # the scheduler records its runs in lms_job_run
        click.echo("the database schema is not current: run `lms db upgrade` first", err=True)
        sys.exit(1)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # SIGTERM (systemd stop, kill) ends the process like Ctrl-C: a scheduled run in progress
    # finishes, a catch-up run is recorded as failed (so it is retried), the lock is released.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    click.echo("scheduler starting; Ctrl-C stops it", err=True)
    sys.exit(serve(current_app._get_current_object()))
