"""The training impact report for managers and trainers: a unit, a KPI, the estimate for the
agents of their teams, explained in plain words (an estimate, not proof)."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template, request

from .. import authz
from ..services import impact
from .access import current_user, requires

bp = Blueprint("impact", __name__, url_prefix="/impact")
KPIS = ("fcr", "csat", "aht")


@bp.route("/")
@requires("manager", "trainer")
def index():
    choices = impact.units()
    slug, kpi = request.args.get("unit"), request.args.get("kpi", "fcr")
    found = None
    if slug:
        if kpi not in KPIS:
            abort(400)
        try:
            unit = impact.find_unit(slug)
        except impact.UnknownUnit:
            abort(404)
        found = impact.report(unit, kpi, authz.scoped_team_ids(current_user()),
                              current_app.extensions["lms"].settings)
    return render_template("lms/impact/index.html", units=choices, kpis=KPIS, slug=slug, kpi=kpi, report=found,
                           window=current_app.extensions["lms"].settings["impact.window_days"],
                           min_n=current_app.extensions["lms"].settings["impact.min_n"],
                           bootstrap=current_app.extensions["lms"].settings["impact.bootstrap"])
