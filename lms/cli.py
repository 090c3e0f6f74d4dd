"""The `lms` command (also `flask lms`): exit 0 done, 1 input rejected, 2 usage error."""
from __future__ import annotations

import csv
import datetime as dt
import json
import sys

import click
from flask import current_app
from flask.cli import with_appcontext

from .config import ConfigError
from .db import database


def emit_json(document) -> None:
    """Exactly one JSON document on stdout."""
    click.echo(json.dumps(document, ensure_ascii=False, default=str))


class LmsGroup(click.Group):
    """Builds the standalone app when run as `lms`; under `flask lms` the host's app is used."""

    def invoke(self, ctx):
        from flask import has_app_context

        if has_app_context():
            return super().invoke(ctx)
        from . import create_app

        try:
            app = create_app()
        except ConfigError as exc:
            click.echo(f"configuration error: {exc}", err=True)
            sys.exit(2)
        with app.app_context():
            return super().invoke(ctx)


@click.group(cls=LmsGroup, help="Tiered LMS: training for contact-center agents.")
def cli():
    pass


@cli.group(help="The database schema.")
def db():
    pass


@db.command("upgrade", help="Apply pending migrations (a no-op when current).")
@with_appcontext
def db_upgrade():
    from .migrations import upgrade

    applied = upgrade()
    for name in applied:
        click.echo(f"applied {name}", err=True)
    click.echo(f"{len(applied)} migration(s) applied; the schema is current.")


def _parse_date(value: str | None, name: str) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date (YYYY-MM-DD)", param_hint=name) from None


@cli.group(help="People.")
def user():
    pass


@user.command("create", help="Create a user with roles; prints a one-time password or an invite link.")
@click.option("--employee-no", required=True)
@click.option("--name", required=True)
@click.option("--email", default="")
@click.option("--hire-date", default=None, help="YYYY-MM-DD")
@click.option("--role", "roles", multiple=True, default=["agent"], show_default=True,
              type=click.Choice(["agent", "mentor", "trainer", "manager", "admin"]))
@click.option("--site", default=None, help="site of --team")
@click.option("--team", default=None, help="the user's team (needs --site)")
@click.option("--tier", default=None, type=click.Choice(["newcomer", "advanced", "elite"]))
@click.option("--password", "password_mode", type=click.Choice(["generate", "invite", "prompt"]),
              default="generate", show_default=True, help="how the user signs in the first time")
@click.option("--json", "as_json", is_flag=True)
@with_appcontext
def user_create(employee_no, name, email, hire_date, roles, site, team, tier, password_mode, as_json):
    from .models import Site, Team
    from .services import accounts

    hire = _parse_date(hire_date, "--hire-date")
    with database.connection_context():
        team_row = None
        if team or site:
            if not (team and site):
                raise click.UsageError("--team and --site go together")
            team_row = (Team.select().join(Site).where((Site.name == site) & (Team.name == team)).first())
            if team_row is None:
                click.echo(f"error: no team {team!r} at site {site!r}", err=True)
                sys.exit(1)
        password = None
        if password_mode == "prompt":
            password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
            problem = accounts.password_problem(password, current_app.config["LMS_SECURITY_MIN_PASSWORD_LENGTH"])
            if problem:
                click.echo(f"error: password not accepted: {problem[0] % problem[1]}", err=True)
                sys.exit(1)
        try:
            with database.atomic():
                created = accounts.create_user(employee_no=employee_no.strip(), name=name.strip(),
                                               email=email.strip().lower(), hire_date=hire, roles=set(roles),
                                               team=team_row, tier=tier)
                result = {"employee_no": created.employee_no, "name": created.name}
                if password_mode == "prompt":
                    accounts.set_password(created, password, must_change=False)
                elif password_mode == "invite":
                    token = accounts.issue_link_token(created, current_app.config["LMS_SECURITY_INVITE_TTL_HOURS"])
                    result["invite_path"] = f"{current_app.extensions['lms'].url_prefix}/welcome/{token}"
                else:
                    result["initial_password"] = accounts.issue_initial_password(created)
        except accounts.AccountError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(1)
    if as_json:
        emit_json(result)
    else:
        for key, value in result.items():
            click.echo(f"{key}: {value}")


@user.command("list", help="List users.")
@click.option("--json", "as_json", is_flag=True)
@click.option("--inactive/--active-only", default=True, help="include deactivated users (default)")
@with_appcontext
def user_list(as_json, inactive):
    from .services.directory import list_users

    with database.connection_context():
        rows = list_users(include_inactive=inactive)
    if as_json:
        emit_json(rows)
        return
    writer = csv.writer(sys.stdout, delimiter="\t", lineterminator="\n")
    writer.writerow(["employee_no", "name", "roles", "site", "teams", "tier", "active"])
    for row in rows:
        writer.writerow([row["employee_no"], row["name"], ";".join(row["roles"]), row["site"] or "",
                         ";".join(row["teams"]), row["tier"] or "", "yes" if row["active"] else "no"])


@cli.command("serve", help="Run the development web server (production: gunicorn, see README).")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@with_appcontext
def serve(host, port):
    from .config import check_web_ready

    app = current_app._get_current_object()
    try:
        check_web_ready(app.extensions["lms"].settings)
    except ConfigError as exc:
        click.echo(f"refusing to start: {exc}", err=True)
        sys.exit(2)
    from .migrations import pending

    if pending():
        click.echo("the database schema is not current: run `lms db upgrade` first", err=True)
        sys.exit(1)
    app.run(host=host, port=port, debug=False, use_reloader=False)


def main():
    cli(prog_name="lms")
