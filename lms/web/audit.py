"""Admins read the audit log: filtered, paginated, and as CSV. No route changes an entry."""
from __future__ import annotations

import datetime as dt

from flask import Blueprint, Response, render_template, request

from ..i18n import gettext as _
from ..services import audit_log, clock
from ..services.tabular import excel_csv
from .access import requires

bp = Blueprint("audit", __name__, url_prefix="/admin")


def _date(name: str, errors: list[str]) -> dt.date | None:
    value = request.args.get(name, "").strip()
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        errors.append(_("%(value)s is not a date (YYYY-MM-DD).", value=value))
        return None


def _filters() -> tuple[audit_log.Filters, list[str]]:
    errors: list[str] = []
    filters = audit_log.Filters(
        action=request.args.get("action", "").strip()[:64], actor=request.args.get("actor", "").strip()[:100],
        target=request.args.get("target", "").strip()[:100],
        start=_date("from", errors), end=_date("to", errors))
    if filters.start and filters.end and filters.start > filters.end:
        errors.append(_("The start date is after the end date."))
    return filters, errors


@bp.route("/audit")
@requires("admin")
def index():
    filters, errors = _filters()
    number = max(request.args.get("page", 1, type=int), 1)
    entries, has_next = ([], False) if errors else audit_log.page(filters, number)
    return render_template("lms/admin/audit.html", entries=entries, filters=filters, errors=errors,
                           actions=audit_log.actions(), page=number, has_next=has_next,
                           target_text=audit_log.target_text, person=audit_log.person,
                           args=request.args, local=clock.local), 400 if errors else 200


@bp.route("/audit.csv")
@requires("admin")
def csv():
    filters, errors = _filters()
    if errors:
        return Response("\n".join(errors), status=400, mimetype="text/plain")
    headers = [_("Time"), _("Actor"), _("Action"), _("Target"), _("Detail")]
    return Response(excel_csv(headers, audit_log.csv_rows(filters)), mimetype="text/csv",
                    headers={"Content-Disposition": 'attachment; filename="audit-log.csv"'})
