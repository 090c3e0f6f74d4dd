"""The product's web surface: one parent blueprint with a child per audience.

Every hook here sits on *our* blueprint, so a host app's own routes, hooks and error
handlers are untouched when the LMS is mounted into it.
"""
from __future__ import annotations

from pathlib import Path

from flask import Blueprint, current_app, g, render_template, request
from werkzeug.exceptions import HTTPException, InternalServerError

from flask_wtf.csrf import generate_csrf

from ..db import database
from ..services.notify import unread_count
from ..services.incubation import credit_of
from ..labels import check_label, import_status_label, kpi_label, role_label, tier_label
from ..markup import render_markdown
from ..i18n import current_locale, gettext, lazy_gettext, ngettext
from ..resources import shipped_dir
from .access import current_user
from .nav import navigation

SECURITY_HEADERS = {
    "Content-Security-Policy": ("default-src 'self'; script-src 'self'; style-src 'self'; "
                                "img-src 'self' data:; object-src 'none'; base-uri 'self'; "
                                "form-action 'self'; frame-ancestors 'self'"),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "SAMEORIGIN",
    "Referrer-Policy": "same-origin",
}


def create_blueprint() -> Blueprint:
    from . import (admin, api, auth, authoring, banks, briefings, cases, dashboard, drills, home, impact, kpi, learn,
                   mentoring, notifications, people, placement, quiz, reviews, roster, scripts, tasks, timeline,
                   tokens)
    from . import learning_path, profile
    from . import incubation

    bp = Blueprint("lms", __name__, template_folder=str(shipped_dir("templates")),
                   static_folder=str(Path(__file__).parent.parent / "static"),
                   static_url_path="/static")
    bp.before_request(_connect)
    bp.teardown_request(_close)
    bp.after_request(_security_headers)
    bp.context_processor(template_context)
    for code in (400, 403, 404, 405, 413, 429, 500):
        bp.register_error_handler(code, error_page)
    children = (auth.bp, home.bp, kpi.bp, learn.bp, quiz.bp, banks.bp, drills.bp,
                people.bp, placement.bp, admin.bp, roster.bp, authoring.bp, tokens.bp, api.bp, dashboard.bp,
                timeline.bp, impact.bp, tasks.bp, notifications.bp, briefings.bp, cases.bp, reviews.bp, mentoring.bp,
                scripts.bp, profile.bp, learning_path.bp,
                incubation.bp, incubation.output_bp)
    for child in children:
        bp.register_blueprint(child)
    return bp


def _connect():
    if request.endpoint == "lms.home.healthz":
        return  # the health check opens its own connection and reports failure as 503
    # Remember whether this request opened the connection: one opened by the caller (a test,
    # a CLI command, the host) is left for the caller to close.
    g.lms_opened_db = database.connect(reuse_if_open=True)


def _close(exc):
    if g.pop("lms_opened_db", False) and not database.is_closed():
        database.close()


def _security_headers(response):
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


def template_context():
    """What every LMS template may use (also passed explicitly to app-level error pages)."""
    user = current_user()
    return {
        "_": gettext, "gettext": gettext, "ngettext": ngettext, "lazy_gettext": lazy_gettext,
        "lms_user": user,
        "lms_unread": unread_count(user) if user is not None else 0,
        "lms_nav": navigation(user),
        "lms_layout": current_app.config["LMS_BASE_TEMPLATE"],
        "lms_owns_login": current_app.extensions["lms"].owns_login,
        "current_locale": current_locale, "csrf_token": generate_csrf,
        "role_label": role_label, "tier_label": tier_label, "check_label": check_label, "markdown": render_markdown,
        "import_status_label": import_status_label, "kpi_label": kpi_label,
        "authored_credit": credit_of,  # "by <author>" on content a mentor authored (incubation)
    }


def error_page(error):
    """A page that names the error and leaks nothing (JSON under the API)."""
    if not isinstance(error, HTTPException):
        error = InternalServerError()
    if request.blueprint and request.blueprint.startswith("lms.api"):
        return {"error": error.name, "status": error.code}, error.code
    if request.blueprint and request.blueprint.startswith("lms"):
        return render_template("lms/error.html", error=error), error.code
    # An app-level error (e.g. no route matched): our blueprint hooks did not run.
    with database.connection_context():
        return render_template("lms/error.html", error=error, **template_context()), error.code
