"""An agent's service KPIs: weekly FCR, AHT and CSAT with the target bands, for the agent,
their mentor, trainer and manager."""
from __future__ import annotations

import datetime as dt

from flask import Blueprint, Response, abort, current_app, render_template, request
from werkzeug.exceptions import RequestEntityTooLarge

from .. import authz
from ..models import Membership, Team, User
from ..services import clock
from ..services.kpi_report import REGISTRY, band, bands, weekly
from ..services import kpi_import
from ..services.kpi_export import export_csv
from ..services.tabular import parse_date
from .access import current_user, requires, signed_in
from .forms import KpiUploadForm
from .charts import line_chart

bp = Blueprint("kpi", __name__, url_prefix="/kpi")


def _format(key: str):
    return (lambda v: f"{v:.0%}") if REGISTRY[key].unit == "%" else (lambda v: f"{v:.0f}s")


@bp.route("/")
@bp.route("/<int:user_id>")
@signed_in
def agent(user_id=None):
    person = current_user() if user_id is None else User.get_or_none(User.id == user_id)
    if person is None or not authz.can(current_user(), "view_kpis", person):
        abort(404)
    settings = current_app.extensions["lms"].settings
    weeks = weekly(person, settings, 12, clock.today())
    labels = [w.start.strftime("%m-%d") for w in weeks]
    charts = {key: line_chart(labels, [w.values[key] for w in weeks], bands(settings, key),
                              REGISTRY[key].higher_is_better, _format(key), key.upper())
              for key in REGISTRY}
    latest = next((w for w in reversed(weeks) if w.contacts), None)
    current = {key: (latest.values[key], band(settings, key, latest.values[key]), latest.too_few[key])
               for key in REGISTRY} if latest else {}
    return render_template("lms/kpi/agent.html", person=person, weeks=weeks, charts=charts, latest=latest,
                           current=current, formats={k: _format(k) for k in REGISTRY})


@bp.route("/import", methods=["GET", "POST"])
@requires("trainer", "manager")
def upload():
    """Trainers, managers and admins upload the platform's daily KPI export."""
    try:
        form = KpiUploadForm()
    except RequestEntityTooLarge:
        return render_template("lms/kpi/import.html", form=KpiUploadForm(formdata=None), plan=None, result=None,
                               too_large=True), 413
    plan = result = None
    status = 200
    if request.method == "POST":
        if not form.validate_on_submit():
            return render_template("lms/kpi/import.html", form=form, plan=None, result=None), 400
        upload_file = form.file.data
        plan = kpi_import.plan_import(upload_file.read(), upload_file.filename or "kpi.csv",
                                      mapping=form.mapping.data or None, today=clock.today())
        if plan.problems and (not form.skip_invalid.data or not plan.rows):
            status = 400
        else:
            result = kpi_import.apply_plan(plan, source="web", actor=current_user(),
                                           skip_invalid=form.skip_invalid.data, dry_run=form.dry_run.data)
    return render_template("lms/kpi/import.html", form=form, plan=plan, result=result), status


@bp.route("/export.csv")
@requires("trainer", "manager")
def export():
    """Agent-days of the people in scope (optionally one team), from/to inclusive; default 30 days."""
    end = parse_date(request.args.get("to", "")) or clock.today()
    start = parse_date(request.args.get("from", "")) or end - dt.timedelta(days=29)
    if start > end or (end - start).days > 366:
        abort(400)
    people = authz.visible_users(current_user())
    team_id = request.args.get("team", type=int)
    if team_id:
        team = Team.get_or_none(Team.id == team_id)
        if team is None or not authz.can(current_user(), "view_team", team):
            abort(404)
        people = people.where(User.id.in_(Membership.select(Membership.user).where(
            (Membership.team == team) & Membership.ended_on.is_null())))
    data = export_csv(people.select(User.id), start, end)
    name = f"kpi-{start.isoformat()}-{end.isoformat()}.csv"
    return Response(data, mimetype="text/csv", headers={"Content-Disposition": f'attachment; filename="{name}"'})
