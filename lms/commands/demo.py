"""`lms demo`: a demo organisation to try the product with; prints the logins."""
import sys

import click
from flask import current_app
from flask.cli import with_appcontext

from ..db import database
from . import cli, emit_json

_TIER_NAMES = {"newcomer": "newcomer 新人", "advanced": "advanced 进阶", "elite": "elite 精英"}


@cli.command("demo", help="Build a demo organisation (2 sites, 6 teams, ~60 agents, staff) and print the logins.")
@click.option("--seed", default=2026, show_default=True, type=int, help="the same seed gives the same people")
@click.option("--json", "as_json", is_flag=True)
@with_appcontext
def demo(seed, as_json):
    from ..migrations import pending
    from ..services.demo import DemoError, build_demo

    # Accounts with a published password have no place in a production database.
    if current_app.config["LMS_ENV"] == "production":
        click.echo("error: the demo organisation is for trying the product; refused in production "
                   "(env = production)", err=True)
        sys.exit(1)
    # The demo never changes the schema itself: that is `lms db upgrade`'s job alone.
    if pending():
        click.echo("error: the database schema is not current; run `lms db upgrade` first", err=True)
        sys.exit(1)
    try:
        with database.connection_context():
            result = build_demo(seed=seed)
            if result.created:
                _load_content_and_progress(seed)
    except DemoError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    if as_json:
        emit_json({"created": result.created, "password": result.password, "logins": result.logins,
                   "counts": result.counts})
        return
    counts = result.counts
    if result.created:
        click.echo(f"Demo organisation created (seed {seed}).")
    else:
        click.echo("The demo organisation is already present; nothing was changed "
                   "(passwords included: a password changed since is not reset).")
    tiers = ", ".join(f"{counts['tiers'][t]} {t}" for t in counts["tiers"])
    click.echo(f"{counts['sites']} sites, {counts['teams']} teams, {counts['agents']} agents ({tiers}), "
               f"{counts['mentors']} mentors, {counts['trainers']} trainers, {counts['managers']} managers, "
               f"{counts['admins']} admin(s).")
    click.echo(f"Sign in with an employee no. below; every demo account has the password: {result.password}")
    for role in ("admin", "manager", "trainer", "mentor"):
        click.echo(f"  {role:<8} {', '.join(result.logins[role])}")
    for tier, numbers in result.agent_examples.items():
        click.echo(f"  {'agent':<8} {', '.join(numbers)}  ({_TIER_NAMES.get(tier, tier)})")


def _load_content_and_progress(seed: int) -> None:
    """The shipped curriculum (unless already loaded), a learning history and KPI history that fit each agent."""
    from ..services.content_store import load_pack
    from ..services.demo_kpis import record_demo_kpis
    from ..services.demo_mentoring import record_demo_mentoring
    from ..services.demo_progress import record_demo_microtasks, record_demo_progress
    from .content import assessments_dir, courses_dir, read_everything

    pack, assessments = read_everything(courses_dir())
    if pack.ok:
        load_pack(pack, assessments=assessments)
        record_demo_progress(seed)
    record_demo_kpis(seed)
    settings = current_app.extensions["lms"].settings
    record_demo_microtasks(settings, seed)
    if pack.ok:
        record_demo_mentoring(settings, assessments_dir(), seed)
