"""The product's web surface: one parent blueprint with a child per audience.

Every hook here sits on *our* blueprint, so a host app's own routes, hooks and error
handlers are untouched when the LMS is mounted into it.
"""
from __future__ import annotations

from pathlib import Path

from flask import Blueprint, abort, current_app, g, render_template, request
from werkzeug.exceptions import HTTPException, InternalServerError, RequestEntityTooLarge

from flask_wtf.csrf import generate_csrf

from ..db import database
from ..db import unavailable as db_unavailable
from ..services.notify import unread_count
from ..services.incubation import credit_of
from ..labels import check_label, import_status_label, kpi_label, role_label, tier_label
from ..markup import render_markdown
from ..i18n import current_locale, gettext, lazy_gettext, ngettext
from ..resources import shipped_dir
from .access import current_user
from .nav import navigation
from . import unavailable

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
    from . import audit, privacy

    bp = Blueprint("lms", __name__, template_folder=str(shipped_dir("templates")),
                   static_folder=str(Path(__file__).parent.parent / "static"),
                   static_url_path="/static")
    bp.before_request(_connect)
    bp.before_request(_refuse_nul)
    bp.teardown_request(_close)
    bp.after_request(security_headers)
    bp.context_processor(template_context)
    for code in (400, 401, 403, 404, 405, 413, 429, 500):  # 401: the token API answers in JSON
        bp.register_error_handler(code, error_page)
    unavailable.register(bp)  # database busy or down: 503, not a 500 traceback
    children = (auth.bp, home.bp, kpi.bp, learn.bp, quiz.bp, banks.bp, drills.bp,
                people.bp, placement.bp, admin.bp, roster.bp, authoring.bp, tokens.bp, api.bp, dashboard.bp,
                timeline.bp, impact.bp, tasks.bp, notifications.bp, briefings.bp, cases.bp, reviews.bp, mentoring.bp,
                scripts.bp, profile.bp, learning_path.bp,
                incubation.bp, incubation.output_bp, privacy.bp, audit.bp)
    for child in children:
        bp.register_blueprint(child)
    return bp


def _connect():
    if request.endpoint == "lms.home.healthz":
        return  # the health check opens its own connection and reports failure as 503
    # Remember whether this request opened the connection: one opened by the caller (a test,
    # a CLI command, the host) is left for the caller to close.
    g.lms_opened_db = database.connect(reuse_if_open=True)


def _refuse_nul():
    """400 for a NUL character in the URL, a form or a JSON body: no one types it, and PostgreSQL
    cannot store or even compare it (the query would fail with a 500)."""
    values = [*(request.view_args or {}).values(), *(v for _k, vs in request.args.lists() for v in vs)]
    if request.method in ("POST", "PUT", "PATCH", "DELETE"):
        try:
            values += [v for _k, vs in request.form.lists() for v in vs]
            values += [f.filename or "" for _k, fs in request.files.lists() for f in fs]
        except RequestEntityTooLarge:
            if request.content_length is None:
                raise  # read part-way already: the view could not read it again
            return  # refused before reading: the view says so on its own page
        if request.is_json:
            values.append(request.get_json(silent=True))
    if any(_has_nul(v) for v in values):
        abort(400)


def _has_nul(value) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


def _close(exc):
    if g.pop("lms_opened_db", False) and not database.is_closed():
        database.close()


def security_headers(response):
    """On every response of ours (the standalone app adds it for URLs no route matches)."""
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
    try:
        with database.connection_context():
            return render_template("lms/error.html", error=error, **template_context()), error.code
    except Exception as exc:
        if not db_unavailable(exc):
            raise
        return unavailable.unavailable_response()
