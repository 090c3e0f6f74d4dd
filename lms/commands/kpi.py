"""`lms kpi import`, `lms kpi summary`, `lms kpi undo`: service KPIs in and out."""
import contextlib
import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from ..db import database
from . import cli, emit_json, parse_date


@cli.group("kpi", help="Service KPIs (FCR, AHT, CSAT) from the contact-center platform.")
def kpi_group():
    pass


@kpi_group.command("import", help="Import daily KPI rows (CSV in UTF-8/GBK/GB18030, or XLSX); the whole file "
                                  "is checked first and nothing is written if a row is bad.")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--mapping", default=None, metavar="NAME",
              help="the column names: canonical, zh or one from [kpi.mappings] in config "
                   "(default: whichever fits the headers)")
@click.option("--dry-run", is_flag=True, help="check and report; write nothing")
@click.option("--skip-invalid", is_flag=True, help="write the good rows and report the bad ones")
@click.option("--json", "as_json", is_flag=True)
@with_appcontext
def kpi_import(file, mapping, dry_run, skip_invalid, as_json):
    from ..services import kpi_import as service
    from ..services.kpi_rows import all_mappings

    extra = current_app.extensions["lms"].settings["kpi.mappings"]
    if mapping is not None and mapping not in all_mappings(extra):
        raise click.BadParameter(f"unknown mapping {mapping!r}; known: {', '.join(all_mappings(extra))}",
                                 param_hint="--mapping")
    with database.connection_context(), file.open("rb") as stream, _progress_bar(file) as on_progress:
        outcome = service.import_file(stream, file.name, source="cli", mapping=mapping, extra_mappings=extra,
                                      skip_invalid=skip_invalid, dry_run=dry_run, on_progress=on_progress)
    more = outcome.problems_total - len(outcome.problems)
    if not outcome.ok:
        if as_json:
            emit_json({"ok": False, "file": str(file), "status": outcome.status, "rejected": outcome.rejected,
                       "problems_total": outcome.problems_total,
                       "problems": [p.as_dict() for p in outcome.problems]})
        else:
            for problem in outcome.problems:
                click.echo(problem.format(str(file)))
            if more:
                click.echo(f"... and {more} more problem(s)")
            click.echo(f"{outcome.problems_total} problem(s) in {outcome.rejected} row(s); nothing was written.",
                       err=True)
        sys.exit(1)
    if as_json:
        emit_json({"ok": True, "file": str(file), "mapping": outcome.mapping, **outcome.as_dict(),
                   "problems": [p.as_dict() for p in outcome.problems]})
        return
    for problem in outcome.problems:
        click.echo(f"skipped: {problem.format(str(file))}")
    if more:
        click.echo(f"skipped: ... and {more} more problem(s)")
    click.echo(f"{file}: {outcome.added} added, {outcome.updated} updated, {outcome.unchanged} unchanged, "
               f"{outcome.rejected} rejected" + (" (dry run: nothing was written)" if dry_run else
                                                 f"; import #{outcome.import_id} (undo: lms kpi undo "
                                                 f"{outcome.import_id})"))


@contextlib.contextmanager
def _progress_bar(file: Path):
    """A progress bar on stderr while the file is read and written, only on a terminal."""
    if not sys.stderr.isatty():
        yield None
        return
    with click.progressbar(length=1000, label=f"{file.name}: checking", file=sys.stderr) as bar:
        def on_progress(status: str, fraction: float) -> None:
            bar.label = f"{file.name}: {status}"
            bar.update(int(fraction * 1000) - bar.pos)

        yield on_progress


@kpi_group.command("summary", help="FCR, AHT and CSAT of one agent over a period (ratios of sums).")
@click.option("--employee", required=True, help="employee no.")
@click.option("--from", "start", required=True, help="YYYY-MM-DD, inclusive")
@click.option("--to", "end", required=True, help="YYYY-MM-DD, inclusive")
@click.option("--json", "as_json", is_flag=True)
@with_appcontext
def kpi_summary(employee, start, end, as_json):
    from ..models import User
    from ..services.kpi_summary import summary

    first, last = parse_date(start, "--from"), parse_date(end, "--to")
    if first > last:
        raise click.BadParameter("--from is after --to", param_hint="--from")
    with database.connection_context():
        user = User.get_or_none(User.employee_no == employee)
        if user is None:
            click.echo(f"error: unknown employee no. {employee!r}", err=True)
            sys.exit(1)
        values = summary(user, first, last)
    document = {"employee_no": employee, "from": first.isoformat(), "to": last.isoformat(),
                "contacts": values["contacts"], "fcr": values["fcr"], "aht_seconds": values["aht_seconds"],
                "csat": values["csat"]}
    if as_json:
        emit_json(document)
        return

    def show(value, percent=True):
        return "—" if value is None else (f"{value:.1%}" if percent else f"{value:.0f} s")

    click.echo(f"{employee} {first} – {last}: {values['contacts']} contacts, FCR {show(values['fcr'])}, "
               f"AHT {show(values['aht_seconds'], False)}, CSAT {show(values['csat'])} "
               f"({values['csat_responses']} responses)")


@kpi_group.command("undo", help="Undo one import, restoring exactly the values it replaced.")
@click.argument("import_id", type=int)
@with_appcontext
def kpi_undo(import_id):
    from ..models import KpiImport
    from ..services.kpi_import import UndoError, undo

    with database.connection_context():
        record = KpiImport.get_or_none(KpiImport.id == import_id)
        if record is None:
            click.echo(f"error: no import #{import_id}", err=True)
            sys.exit(1)
        try:
            restored = undo(record)
        except UndoError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(1)
    click.echo(f"import #{import_id} undone: {restored} agent-day(s) restored")
