"""Roster import page: upload a CSV/XLSX, see every problem by row, or what was done.

Nothing is kept on the server: a dry run shows what would change, and the real import is
a second upload of the same file. New credentials are shown once, with a CSV download
built into the page as a data: link.
"""
from __future__ import annotations

import base64

from flask import Blueprint, current_app, render_template, url_for
from werkzeug.exceptions import RequestEntityTooLarge

from ..i18n import gettext as _
from ..services import roster
from ..services.credentials import credentials_csv
from .access import current_user, requires
from .forms import RosterUploadForm

bp = Blueprint("roster", __name__, url_prefix="/admin/roster")
MAX_PROBLEMS_SHOWN = 500


@bp.route("", methods=["GET", "POST"])
@requires("admin")
def upload():
    try:
        form = RosterUploadForm()  # on POST this parses the upload, which may be too large
    except RequestEntityTooLarge:
        return _page(RosterUploadForm(formdata=None), 413,
                     error=_("The file is too large: the limit is %(mb)d MB. Split it into smaller files.",
                             mb=_limit_mb() or 0))
    if not form.is_submitted():
        return _page(form, 200)
    if not form.validate():
        error = _("The form has expired: reload the page and upload the file again.") \
            if form.csrf_token.errors else None
        return _page(form, 400, error=error)
    upload = form.file.data
    plan = roster.plan_upload(upload.read(), upload.filename or "upload.csv", actor=current_user())
    if not plan.ok:
        return _page(form, 400, plan=plan)
    try:
        result = roster.apply_plan(
            plan, deactivate_missing=form.deactivate_missing.data, credentials=form.credentials.data,
            invite_ttl_hours=current_app.config["LMS_SECURITY_INVITE_TTL_HOURS"], actor=current_user(),
            dry_run=form.dry_run.data)
    except roster.RosterError as exc:
        return _page(form, 409, error=_("Nothing was written: %(reason)s", reason=str(exc)))
    credentials, download = [], None
    if result.credentials:
        def link(token):
            return url_for("lms.auth.redeem_link", token=token, _external=True)

        credentials = [(c.employee_no, c.name, c.secret if c.kind == "password" else link(c.secret))
                       for c in result.credentials]
        data = credentials_csv(result.credentials, link=link, invite_column="invite_link")
        download = "data:text/csv;charset=utf-8;base64," + base64.b64encode(data).decode("ascii")
    if not result.dry_run:
        form = RosterUploadForm(formdata=None)  # the next upload starts as a check again
    response = _page(form, 200, plan=plan, result=result, credentials=credentials, download=download)
    if credentials:
        response.headers["Cache-Control"] = "no-store"  # the secrets must not linger in a cache
    return response


def _limit_mb() -> int | None:
    limit = current_app.config.get("MAX_CONTENT_LENGTH")  # a host app may set none
    return limit // (1024 * 1024) if limit else None


def _page(form, status, **context):
    context = {"plan": None, "result": None, "error": None, "credentials": [], "download": None, **context}
    html = render_template("lms/admin/roster.html", form=form, max_problems=MAX_PROBLEMS_SHOWN,
                           max_mb=_limit_mb(), **context)
    return current_app.make_response((html, status))
