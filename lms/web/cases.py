"""Review cases: trainers and mentors build them from the centre's records or by hand; the
customer's personal data is masked before it is stored; the original (when config keeps it)
is for trainers' eyes only."""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, send_file, url_for
from werkzeug.exceptions import RequestEntityTooLarge

from .. import authz
from ..i18n import gettext as _
from ..models import Case, CaseAttachment, ReviewAssignment, ReviewSetCase, Team
from ..services import attachments, cases, clock
from ..services.case_records import fields_of, read_case_rows
from .access import current_user, requires, signed_in
from .charts import emotion_chart
from .forms import CaseForm, CaseImportForm, PostForm, choices

bp = Blueprint("cases", __name__, url_prefix="/cases")
BUILDERS = ("trainer", "mentor")


def _settings():
    return current_app.extensions["lms"].settings


def _team_ids():
    """The teams whose cases this user sees: a trainer's or manager's scope, a mentor's own team."""
    user = current_user()
    if authz.is_admin(user) or user.has_role("trainer", "manager"):
        return authz.scoped_team_ids(user)
    return {m.team_id for m in user.memberships if m.ended_on is None}


def _visible():
    team_ids = _team_ids()
    query = Case.select().order_by(Case.created_at.desc())
    return query if team_ids is None else query.where(Case.team.is_null() | Case.team.in_(list(team_ids) or [0]))


def _team_choices(form):
    teams = authz.visible_teams(current_user()) if current_user().has_role("trainer", "manager", "admin") else \
        Team.select().where(Team.id.in_(list(_team_ids()) or [0]))
    form.team.choices = choices([(0, _("whole centre"))] + [(t.id, t.name) for t in teams])


def _team_of(form) -> Team | None:
    if not form.team.data:
        return None
    team = Team.get_or_none(Team.id == form.team.data)
    if team is None or (_team_ids() is not None and team.id not in _team_ids()):
        abort(400)
    return team


@bp.route("/")
@requires("trainer", "mentor", "manager")
def index():
    return render_template("lms/cases/index.html", cases=list(_visible().limit(200)))


@bp.route("/new", methods=["GET", "POST"])
@requires(*BUILDERS)
def new():
    form = CaseForm()
    _team_choices(form)
    if form.validate_on_submit():
        try:
            case = cases.build(title=form.title.data, kind=form.kind.data, author=current_user(), settings=_settings(),
                               team=_team_of(form), summary=form.summary.data,
                               record={"customer": form.customer.data.strip()} if form.customer.data else None,
                               emotion=cases.parse_emotion(form.emotion.data))
        except cases.CaseError as exc:
            flash(_(str(exc)), "error")
        else:
            return redirect(url_for("lms.cases.show", case_id=case.id))
    return render_template("lms/cases/new.html", form=form), 400 if request.method == "POST" else 200


@bp.route("/import", methods=["GET", "POST"])
@requires(*BUILDERS)
def upload():
    try:
        form = CaseImportForm()
    except RequestEntityTooLarge:
        form = CaseImportForm(formdata=None)
        _team_choices(form)
        flash(_("The file is too large."), "error")
        return render_template("lms/cases/import.html", form=form, problems=None), 413
    _team_choices(form)
    problems = None
    if form.validate_on_submit():
        rows = read_case_rows(form.file.data.read(), form.file.data.filename or "records.csv", today=clock.today())
        if rows.problems:
            problems = rows.problems
        else:
            made = cases.import_rows(rows, kind=form.kind.data, author=current_user(), settings=_settings(),
                                     team=_team_of(form))
            flash(_("%(n)d case(s) built; personal data was masked.", n=len(made)), "success")
            return redirect(url_for("lms.cases.index"))
    status = 400 if request.method == "POST" else 200
    return render_template("lms/cases/import.html", form=form, problems=problems), status


@bp.route("/<int:case_id>")
@requires("trainer", "mentor", "manager")
def show(case_id):
    case = _visible().where(Case.id == case_id).first()
    if case is None:
        abort(404)
    original = None
    if case.original and (authz.is_admin(current_user()) or current_user().has_role("trainer")):
        original = json.loads(case.original)
    return render_template("lms/cases/show.html", view=case_view(case), original=original, form=PostForm(),
                           can_attach=current_user().has_role(*BUILDERS) or authz.is_admin(current_user()))


@dataclass
class CaseView:
    """What a case page shows: the masked case, its record and ticket fields, its emotion chart."""
    case: Case
    record: dict
    ticket: dict
    record_fields: dict
    ticket_fields: dict
    chart: object


def case_view(case: Case) -> CaseView:
    emotion = json.loads(case.emotion)
    return CaseView(case, json.loads(case.record), json.loads(case.ticket), fields_of("record"), fields_of("ticket"),
                    emotion_chart(emotion, _("Customer emotion")) if emotion else None)


def _uploads() -> Path:
    return Path(_settings()["paths.uploads"]).resolve()  # send_file reads relative paths from the package


@bp.route("/<int:case_id>/attachments", methods=["POST"])
@requires(*BUILDERS)
def attach(case_id):
    case = _visible().where(Case.id == case_id).first()
    if case is None:
        abort(404)
    if not PostForm().validate_on_submit():
        abort(400)
    upload_file = request.files.get("file")
    try:
        attachments.save(case, upload_file.read() if upload_file else b"", upload_file.filename if upload_file else "",
                         current_user(), _uploads())
    except attachments.AttachmentError as exc:
        flash(_(str(exc)), "error")
    else:
        flash(_("Attached."), "success")
    return redirect(url_for("lms.cases.show", case_id=case.id))


@bp.route("/<int:case_id>/attachments/<int:attachment_id>")
@signed_in
def attachment(case_id, attachment_id):
    """Served to those who see the case: staff of its team, and agents given it in a review set."""
    found = CaseAttachment.get_or_none((CaseAttachment.id == attachment_id) & (CaseAttachment.case == case_id))
    if found is None or not _may_open(found.case):
        abort(404)
    return send_file(attachments.path_of(found, _uploads()), mimetype=found.content_type,
                     download_name=found.filename, max_age=0)


def _may_open(case: Case) -> bool:
    user = current_user()
    if user.has_role("trainer", "mentor", "manager", "admin") and _visible().where(Case.id == case.id).exists():
        return True
    given = (ReviewSetCase.select().join(ReviewAssignment, on=(ReviewAssignment.review_set == ReviewSetCase.review_set))
             .where((ReviewSetCase.case == case) & (ReviewAssignment.user == user)))
    return given.exists()
