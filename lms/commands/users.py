"""`lms user`: create and list people."""
import csv
import sys

import click
from flask import current_app
from flask.cli import with_appcontext

from ..db import database
from . import cli, emit_json, parse_date


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
    from ..models import Site, Team
    from ..services import accounts

    hire = parse_date(hire_date, "--hire-date")
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
    from ..services.directory import list_users

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
