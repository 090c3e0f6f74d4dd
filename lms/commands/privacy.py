"""`lms user export` and `lms user erase`: a person's data out, or the person anonymised."""
import sys
from pathlib import Path

import click
from flask.cli import with_appcontext

from ..db import database, write_transaction
from . import emit_json
from .users import user


def _find(employee_no: str):
    from ..models import User

    found = User.get_or_none(User.employee_no == employee_no.strip())
    if found is None:
        click.echo(f"error: no user with employee no. {employee_no!r}", err=True)
        sys.exit(1)
    return found


@user.command("export", help="Everything held about one person, as JSON or a ZIP of CSVs (UTF-8 with BOM).")
@click.argument("employee_no")
@click.option("--format", "fmt", type=click.Choice(["json", "zip"]), default="json", show_default=True)
@click.option("--output", required=True, type=click.Path(dir_okay=False, allow_dash=True),
              help="the file to write; - for standard output")
@with_appcontext
def user_export(employee_no, fmt, output):
    from ..services import privacy_export

    with database.connection_context():
        person = _find(employee_no)
        with write_transaction():  # one consistent snapshot, and the audit entry with it
            data = privacy_export.export(person, fmt)
    if output == "-":
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return
    Path(output).write_bytes(data)
    click.echo(f"wrote {output} ({len(data)} bytes)", err=True)


@user.command("erase", help="Anonymise a deactivated employee who has left; their figures are kept.")
@click.argument("employee_no")
@click.option("--yes", is_flag=True, help="do not ask to type the employee no. again")
@click.option("--json", "as_json", is_flag=True)
@with_appcontext
def user_erase(employee_no, yes, as_json):
    from ..services import privacy_erase

    with database.connection_context():
        person = _find(employee_no)
        try:
            privacy_erase.check(person, None)
        except privacy_erase.ErasureError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(1)
        if not yes and not privacy_erase.is_erased(person):
            typed = click.prompt(f"This cannot be undone. Type {person.employee_no} to erase {person.name}",
                                 default="", show_default=False, err=True)
            if typed.strip() != person.employee_no:
                click.echo("error: the employee no. typed does not match; nothing was changed", err=True)
                sys.exit(1)
        try:
            result = privacy_erase.erase(person)
        except privacy_erase.ErasureError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(1)
    document = {"employee_no": result.pseudonym, "already_erased": result.already, "changed": result.counts}
    if as_json:
        emit_json(document)
    elif result.already:
        click.echo(f"{result.pseudonym} was already anonymised; nothing to do")
    else:
        click.echo(f"erased: now {result.pseudonym}")
