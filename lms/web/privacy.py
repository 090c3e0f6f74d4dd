"""Admins: export everything held about one person; erase (anonymise) a departed employee."""
from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, url_for
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from ..i18n import gettext as _
from ..i18n import lazy_gettext as _l
from ..models import User
from ..services import privacy_erase, privacy_export
from .access import current_user, requires

bp = Blueprint("privacy", __name__, url_prefix="/admin/people")


class EraseForm(FlaskForm):
    confirm = StringField(_l("Type the employee no. to confirm"), validators=[DataRequired(), Length(max=64)])


def _person(user_id: int) -> User:
    user = User.get_or_none(User.id == user_id)
    if user is None:
        abort(404)
    return user


def _download(user: User, fmt: str) -> Response:
    data = privacy_export.export(user, fmt, actor=current_user())
    mimetype = "application/json" if fmt == "json" else "application/zip"
    return Response(data, mimetype=mimetype, headers={
        "Content-Disposition": f'attachment; filename="person-{user.id}.{fmt}"', "Cache-Control": "no-store"})


@bp.route("/<int:user_id>/export.json")
@requires("admin")
def export_json(user_id):
    return _download(_person(user_id), "json")


@bp.route("/<int:user_id>/export.zip")
@requires("admin")
def export_zip(user_id):
    return _download(_person(user_id), "zip")


@bp.route("/<int:user_id>/erase", methods=["GET", "POST"])
@requires("admin")
def erase(user_id):
    """Anonymise a deactivated person, once the admin has typed their employee no."""
    user, actor = _person(user_id), current_user()
    form = EraseForm()
    refusal = None
    try:
        privacy_erase.check(user, actor)
    except privacy_erase.ErasureError as exc:
        refusal = _(exc.message, **exc.values)
    erased = privacy_erase.is_erased(user)
    status = 200
    if form.is_submitted():
        status = 400
        if not form.validate():
            pass  # the field's own error is shown
        elif refusal or erased:
            flash(_("Not erased: %(reason)s", reason=refusal or _("this person is already anonymised")), "error")
        elif form.confirm.data.strip() != user.employee_no:
            form.confirm.errors.append(_("That is not %(name)s's employee no.", name=user.name))
        else:
            try:
                result = privacy_erase.erase(user, actor)
            except privacy_erase.ErasureError as exc:
                flash(_("Not erased: %(reason)s", reason=_(exc.message, **exc.values)), "error")
            else:
                flash(_("Erased: the person is now %(pseudonym)s; their figures are kept.",
                        pseudonym=result.pseudonym), "info")
                return redirect(url_for("lms.admin.user_edit", user_id=user.id)), 303
    return render_template("lms/admin/erase.html", user=user, form=form, refusal=refusal, erased=erased), status
