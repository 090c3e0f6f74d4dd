"""`lms db`: the schema."""
import click
from flask.cli import with_appcontext

from . import cli


@cli.group("db", help="The database schema.")
def db_group():
    pass


@db_group.command("upgrade", help="Apply pending migrations (a no-op when current).")
@with_appcontext
def db_upgrade():
    from ..migrations import upgrade

    applied = upgrade()
    for name in applied:
        click.echo(f"applied {name}", err=True)
    click.echo(f"{len(applied)} migration(s) applied; the schema is current.")
