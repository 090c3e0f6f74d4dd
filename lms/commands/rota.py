"""`lms rota import FILE`: per-agent working and rest days."""
import sys
from pathlib import Path

import click
from flask.cli import with_appcontext

from ..db import database
from . import cli, emit_json


@cli.group("rota", help="Per-agent rota (working days that override the centre calendar).")
def rota_group():
    pass


@rota_group.command("import", help="Import employee no., date and shift (on/off) rows from CSV (UTF-8/GBK) or "
                                   "XLSX; nothing is written if a row is bad.")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="check and report; write nothing")
@click.option("--json", "as_json", is_flag=True)
@with_appcontext
def rota_import(file, dry_run, as_json):
    from ..services import clock
    from ..services.rota import read_rota, write_rota

    with database.connection_context():
        result = read_rota(file.read_bytes(), file.name, clock.today())
        if not result.problems and not dry_run:
            write_rota(result)
    if result.problems:
        if as_json:
            emit_json({"ok": False, "file": str(file), "problems": [p.as_dict() for p in result.problems]})
        else:
            for problem in result.problems:
                click.echo(problem.format(str(file)))
            click.echo(f"{len(result.problems)} problem(s); nothing was written.", err=True)
        sys.exit(1)
    working = sum(r["working"] for r in result.rows)
    if as_json:
        emit_json({"ok": True, "file": str(file), "rows": len(result.rows), "working": working,
                   "resting": len(result.rows) - working, "dry_run": dry_run})
        return
    click.echo(f"{file}: {len(result.rows)} day(s), {working} working, {len(result.rows) - working} resting"
               + (" (dry run: nothing was written)" if dry_run else ""))
