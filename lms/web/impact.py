"""The training impact report for managers and trainers: a unit, a KPI, the estimate for the
agents of their teams, explained in plain words (an estimate, not proof)."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template, request

from .. import authz
from ..models import Skill
from ..services import impact, skill_links
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


@bp.route("/skills")
@requires("manager", "trainer")
def skills():
    """Which skills go with which KPI across the agents of the user's teams."""
    settings = current_app.extensions["lms"].settings
    found = skill_links.links(authz.scoped_team_ids(current_user()), settings, DAYS)
    table = {}
    for link in found:
        table.setdefault((link.kind, link.measure), {})[link.kpi] = link
    # Criteria measured on enough agents for some KPI, and clearly linked to none.
    silent = [measure for (kind, measure), row in table.items() if kind == "criterion"
              and any(link.r is not None for link in row.values()) and not any(link.clear for link in row.values())]
    names = {s.slug: s.name for s in Skill.select()}
    return render_template("lms/impact/skills.html", table=table, kpis=skill_links.KPIS, silent=silent,
                           names=names, days=DAYS, min_n=skill_links.MIN_N)


DAYS = 90  # the evidence and KPIs compared: the last 90 days
