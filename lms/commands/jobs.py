"""`lms jobs run NAME` and `lms scheduler`: background work, on demand or on schedule."""
import logging

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


@cli.command("scheduler", help="Run every job on its schedule, in this process, until stopped.")
@with_appcontext
def scheduler():
    from ..jobs import build_scheduler

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    sched = build_scheduler(current_app.config["LMS_TIMEZONE"])
    click.echo(f"scheduler started with {len(sched.get_jobs())} job(s); Ctrl-C stops it", err=True)
    try:
        sched.start()
    except (KeyboardInterrupt, SystemExit):
        pass
