"""Admins issue and revoke the platform's API tokens."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from ..i18n import gettext as _
from ..models import ApiToken
from ..services import api_tokens
from .access import current_user, requires
from .forms import PostForm

bp = Blueprint("tokens", __name__, url_prefix="/admin/tokens")


@bp.route("/", methods=["GET", "POST"])
@requires("admin")
def index():
    form, issued, status = PostForm(), None, 200
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        name = request.form.get("name", "").strip()
        days = request.form.get("days", "").strip()
        if not name or (days and not days.isdigit()):
            flash(_("Give the token a name; the lifetime is a number of days (empty: no expiry)."), "error")
            status = 400
        else:
            _row, issued = api_tokens.issue(name, "kpi:write", current_user(), int(days) if days else None)
    tokens = list(ApiToken.select().order_by(ApiToken.created_at.desc()))
    return render_template("lms/admin/tokens.html", tokens=tokens, form=form, issued=issued), status


@bp.route("/<int:token_id>/revoke", methods=["POST"])
@requires("admin")
def revoke(token_id):
    row = ApiToken.get_or_none(ApiToken.id == token_id)
    if row is None:
        abort(404)
    if not PostForm().validate_on_submit():
        abort(400)
    api_tokens.revoke(row, current_user())
    flash(_("Token %(name)s revoked.", name=row.name), "info")
    return redirect(url_for("lms.tokens.index")), 303
