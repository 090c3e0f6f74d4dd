"""`lms roster import`: people, sites and teams from a CSV or XLSX file."""
import os
import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from ..db import database
from . import cli, emit_json


@cli.group(help="Rosters: people, sites and teams from a file.")
def roster():
    pass


@roster.command("import", help="Import a roster (CSV or XLSX); the whole file is checked before anything is "
                               "written, and a file with problems changes nothing (exit 1).")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="check and report what would change; write nothing")
@click.option("--deactivate-missing", is_flag=True,
              help="deactivate active people who are not in the file (never admins)")
@click.option("--credentials", type=click.Choice(["password", "invite", "none"]), default="password",
              show_default=True, help="what new people get to sign in the first time")
@click.option("--credentials-out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="write new credentials to this CSV (UTF-8 with BOM) instead of printing them")
@click.option("--json", "as_json", is_flag=True)
@with_appcontext
def roster_import(file, dry_run, deactivate_missing, credentials, credentials_out, as_json):
    from ..services import roster as service

    if credentials_out is not None:
        if credentials_out.exists():
            raise click.BadParameter(f"{credentials_out} already exists; choose a new file",
                                     param_hint="--credentials-out")
        if not credentials_out.parent.is_dir():
            raise click.BadParameter(f"no folder {credentials_out.parent}", param_hint="--credentials-out")
    with database.connection_context():
        plan = service.plan_upload(file.read_bytes(), file.name)
        if not plan.ok:
            _report_problems(plan, str(file), as_json)
            sys.exit(1)
        try:
            result = service.apply_plan(plan, deactivate_missing=deactivate_missing, credentials=credentials,
                                        invite_ttl_hours=current_app.config["LMS_SECURITY_INVITE_TTL_HOURS"],
                                        dry_run=dry_run)
        except service.RosterError as exc:
            click.echo(f"error: nothing was written: {exc}", err=True)
            sys.exit(1)
    prefix = current_app.extensions["lms"].url_prefix
    rows = [{"employee_no": c.employee_no, "name": c.name,
             **({"initial_password": c.secret} if c.kind == "password" else
                {"invite_path": f"{prefix}/welcome/{c.secret}"})} for c in result.credentials]
    written = None
    if rows and credentials_out is not None:
        written = _write_credentials(credentials_out, result.credentials, prefix)
    document = {"ok": True, "file": str(file), **result.as_dict(), "ignored_columns": plan.ignored_columns,
                "credentials": [] if written else rows, "credentials_file": written}
    if as_json:
        emit_json(document)
    else:
        _print_summary(document, deactivate_missing)


def _report_problems(plan, filename: str, as_json: bool) -> None:
    if as_json:
        emit_json({"ok": False, "file": filename, "problems": [p.as_dict() for p in plan.problems]})
        return
    for problem in plan.problems:
        click.echo(problem.format(filename))
    click.echo(f"{filename}: {len(plan.problems)} problem(s); nothing was written", err=True)


def _write_credentials(path: Path, credentials, prefix: str) -> str | None:
    """Write the secrets file readable by its owner only; None if it cannot be written."""
    from ..services.credentials import credentials_csv

    data = credentials_csv(credentials, link=lambda token: f"{prefix}/welcome/{token}")
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(data)
    except OSError as exc:
        # The people exist now: printing their credentials beats losing them.
        click.echo(f"error: could not write {path} ({exc}); the credentials follow", err=True)
        return None
    return str(path)


def _print_summary(doc: dict, deactivate_missing: bool) -> None:
    echo = click.echo
    echo(f"{doc['file']}: {doc['rows']} people; created {doc['created']}, updated {doc['updated']}, "
         f"unchanged {doc['unchanged']}, reactivated {len(doc['reactivated'])}, deactivated {doc['deactivated']}")
    if doc["sites_created"]:
        echo("sites created: " + ", ".join(doc["sites_created"]))
    if doc["teams_created"]:
        echo("teams created: " + ", ".join(f"{t['site']} / {t['team']}" for t in doc["teams_created"]))
    if doc["reactivated"]:
        echo("reactivated: " + ", ".join(doc["reactivated"]))
    if doc["ignored_columns"]:
        echo("ignored columns: " + ", ".join(doc["ignored_columns"]))
    kept = [m for m in doc["missing"] if not m["deactivated"]]
    gone = [m for m in doc["missing"] if m["deactivated"]]
    if gone:
        echo("deactivated (not in the file): " + ", ".join(f"{m['employee_no']} {m['name']}" for m in gone))
    if kept:
        hint = " (admins are never deactivated by an import)" if deactivate_missing else \
            " (--deactivate-missing deactivates them)"
        echo(f"not in the file, still active{hint}: " + ", ".join(f"{m['employee_no']} {m['name']}" for m in kept))
    if doc["dry_run"]:
        echo("dry run: nothing was written")
    if doc["credentials_file"]:
        echo(f"new credentials written to {doc['credentials_file']} "
             "(shown only there; keep it safe and delete it once handed out)")
    elif doc["credentials"]:
        echo("new credentials (shown only this once):")
        keys = list(doc["credentials"][0])
        echo("\t".join(keys))
        for row in doc["credentials"]:
            echo("\t".join(row[k] for k in keys))
