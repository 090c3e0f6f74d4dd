"""An agent's service KPIs: weekly FCR, AHT and CSAT with the target bands, for the agent,
their mentor, trainer and manager."""
from __future__ import annotations

import datetime as dt

import uuid
from pathlib import Path

from flask import Blueprint, Response, abort, current_app, redirect, render_template, request, url_for
from werkzeug.exceptions import RequestEntityTooLarge

from .. import authz
from ..labels import kpi_label
from ..models import KpiImport, Membership, Team, User
from ..services import background, clock
from ..services.kpi_report import REGISTRY, band, bands, weekly
from ..services import kpi_import
from ..services.kpi_export import export_csv
from ..services.kpi_rows import all_mappings
from ..services.tabular import parse_date
from .access import current_user, requires, signed_in
from .forms import KpiUploadForm, choices
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
                              REGISTRY[key].higher_is_better, _format(key), kpi_label(key))
              for key in REGISTRY}
    latest = next((w for w in reversed(weeks) if w.contacts), None)
    current = {key: (latest.values[key], band(settings, key, latest.values[key]), latest.too_few[key],
                     latest.provisional[key]) for key in REGISTRY} if latest else {}
    return render_template("lms/kpi/agent.html", person=person, weeks=weeks, charts=charts, latest=latest,
                           current=current, formats={k: _format(k) for k in REGISTRY},
                           provisional_days=settings["kpi.provisional_days"])


@bp.route("/import", methods=["GET", "POST"])
@requires("trainer", "manager")
def upload():
    """Trainers, managers and admins upload the platform's daily KPI export. A small file is
    imported during the request; a big one in the background while its page shows progress."""
    extra = current_app.extensions["lms"].settings["kpi.mappings"]
    try:
        form = KpiUploadForm()
    except RequestEntityTooLarge:
        form = KpiUploadForm(formdata=None)
        return _upload_page(form, extra, too_large=True), 413
    form.mapping.choices = form.mapping.choices + choices([(name, name) for name in extra])
    if request.method == "GET":
        return _upload_page(form, extra)
    if not form.validate_on_submit():
        return _upload_page(form, extra), 400
    upload_file = form.file.data
    filename = Path(upload_file.filename or "kpi.csv").name
    record = kpi_import.start_record("web", filename, current_user())
    folder = Path(current_app.extensions["lms"].settings["paths.uploads"]) / "kpi-imports"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{record.id}-{uuid.uuid4().hex}{Path(filename).suffix.lower()[:8]}"
    upload_file.save(path)
    options = {"mapping": form.mapping.data or None, "extra_mappings": extra, "today": clock.today(),
               "skip_invalid": form.skip_invalid.data, "dry_run": form.dry_run.data}
    if path.stat().st_size <= INLINE_MAX_BYTES:
        _import_saved(record, path, filename, options)
    else:
        background.start(f"kpi-import-{record.id}", _import_saved, record, path, filename, options)
    return redirect(url_for("lms.kpi.import_status", import_id=record.id))


INLINE_MAX_BYTES = 1 << 20


def _import_saved(record, path: Path, filename: str, options: dict) -> None:
    """Import a saved upload, then delete it: a KPI file holds personal data."""
    try:
        with path.open("rb") as stream:
            kpi_import.import_file(stream, filename, source="web", record=record, **options)
    except Exception:
        kpi_import.mark_failed(record)
        raise
    finally:
        path.unlink(missing_ok=True)


def _upload_page(form, extra, too_large=False):
    mine = KpiImport.select().order_by(KpiImport.id.desc()).limit(20)
    if not authz.is_admin(current_user()):
        mine = mine.where(KpiImport.actor == current_user())
    return render_template("lms/kpi/import.html", form=form, too_large=too_large, imports=list(mine),
                           mappings=all_mappings(extra))


@bp.route("/imports/<int:import_id>")
@requires("trainer", "manager")
def import_status(import_id):
    """One import: progress while it runs (the page refreshes itself), then counts and problems."""
    record = KpiImport.get_or_none(KpiImport.id == import_id)
    if record is None or not authz.can(current_user(), "view_import", record):
        abort(404)
    running = record.status in ("checking", "writing")
    stalled = running and (record.heartbeat_at is None
                           or clock.utcnow() - record.heartbeat_at > dt.timedelta(minutes=STALLED_MINUTES))
    return render_template("lms/kpi/import_status.html", record=record, running=running and not stalled,
                           stalled=stalled, problems=kpi_import.reported_problems(record))


STALLED_MINUTES = 10  # a running import updates its heartbeat every second while it reads


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
