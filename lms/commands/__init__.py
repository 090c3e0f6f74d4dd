"""The `lms` command (also `flask lms`): exit 0 done, 1 input rejected, 2 usage error.

One module per command group; each registers itself on `cli` when imported below.
"""
from __future__ import annotations

import datetime as dt
import json
import sys

import click

from ..config import ConfigError


def emit_json(document) -> None:
    """Exactly one JSON document on stdout."""
    click.echo(json.dumps(document, ensure_ascii=False, default=str))


class LmsGroup(click.Group):
    """Builds the standalone app when run as `lms`; under `flask lms` the host's app is used."""

    def invoke(self, ctx):
        from flask import has_app_context
        from flask.cli import ScriptInfo

        if has_app_context():
            return super().invoke(ctx)
        info = ctx.find_object(ScriptInfo)  # present under `flask lms`: the host's app
        try:
            if info is not None:
                app = info.load_app()
            else:
                from .. import create_app

                app = create_app()
        except ConfigError as exc:
            click.echo(f"configuration error: {exc}", err=True)
            sys.exit(2)
        with app.app_context():
            try:
                return super().invoke(ctx)
            except Exception as exc:
                from ..db import unavailable

                if not unavailable(exc):
                    raise
                # Busy (SQLite still locked by another writer) or down (PostgreSQL): the failed
                # step's transaction was rolled back, so running the command again is safe.
                reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
                click.echo(f"error: the database is busy or cannot be reached ({reason}); what failed was not "
                           "written: run the command again", err=True)
                sys.exit(1)


@click.group(cls=LmsGroup, help="Tiered LMS: training for contact-center agents.")
def cli():
    pass


def parse_date(value: str | None, name: str) -> dt.date | None:
    """A YYYY-MM-DD option value, or a usage error (exit 2) naming the option."""
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date (YYYY-MM-DD)", param_hint=name) from None


def main():
    cli(prog_name="lms")


# Importing the modules registers their commands.
from . import check, content, db, demo, impact, jobs, kpi, placement, roster, rota, serve, users  # noqa: E402,F401
from . import privacy  # noqa: E402,F401  (after users: adds to its group)
