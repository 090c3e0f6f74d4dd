"""`lms serve`: the development web server."""
import sys

import click
from flask import current_app
from flask.cli import with_appcontext

from ..config import ConfigError, check_web_ready
from . import cli


@cli.command("serve", help="Run the development web server (production: gunicorn, see README).")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@with_appcontext
def serve(host, port):
    app = current_app._get_current_object()
    try:
        check_web_ready(app.extensions["lms"].settings)
    except ConfigError as exc:
        click.echo(f"refusing to start: {exc}", err=True)
        sys.exit(2)
    from ..migrations import pending

    if pending():
        click.echo("the database schema is not current: run `lms db upgrade` first", err=True)
        sys.exit(1)
    app.run(host=host, port=port, debug=False, use_reloader=False)
