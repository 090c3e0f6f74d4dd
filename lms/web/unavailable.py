"""503 instead of a 500 traceback when the database is busy (SQLite still locked by another
writer when the busy timeout ran out) or unreachable (PostgreSQL down or restarting): a page,
or JSON under the API, that needs no database itself. The failed request's transaction was
rolled back; the pool drops dead connections on their next checkout, so requests succeed again
as soon as the database is back, without restarting the app."""
from __future__ import annotations

import logging

import peewee
from flask import current_app, g, render_template, request
from playhouse.pool import MaxConnectionsExceeded

from .. import db

log = logging.getLogger(__name__)
RETRY_AFTER_SECONDS = 5


def error_classes() -> tuple:
    """The exceptions db.unavailable() may accept, for registering the handler."""
    kinds = [peewee.OperationalError, peewee.InterfaceError, MaxConnectionsExceeded]
    try:
        import psycopg2

        kinds += [psycopg2.OperationalError, psycopg2.InterfaceError]
    except ImportError:  # pragma: no cover
        pass
    return tuple(kinds)


def register(bp) -> None:
    for kind in error_classes():
        bp.register_error_handler(kind, database_unavailable)


def database_unavailable(error):
    if not db.unavailable(error):
        raise error  # a bug, not an outage: the usual 500 (logged by Flask)
    log.warning("database unavailable during %s %s: %s", request.method, request.path,
                str(error).splitlines()[0] if str(error) else type(error).__name__)
    return unavailable_response()


def unavailable_response():
    # No signed-in user on this page: finding them, their menu or their unread count would ask
    # the database again.
    g.lms_user = None
    manager = getattr(current_app, "login_manager", None)
    if manager is not None:  # Flask-Login's own context processor would load the user too
        g._login_user = manager.anonymous_user()
    headers = {"Retry-After": str(RETRY_AFTER_SECONDS)}
    if request.blueprint and request.blueprint.startswith("lms.api"):
        return ({"error": "Service Unavailable", "status": 503,
                 "reason": "the database is busy or cannot be reached; try again shortly"}, 503, headers)
    if request.blueprint and request.blueprint.startswith("lms"):
        return render_template("lms/unavailable.html"), 503, headers
    from . import template_context  # an app-level error: our blueprint's context did not apply

    return render_template("lms/unavailable.html", **template_context()), 503, headers
