"""The manager dashboard: the sites and teams in scope, drilled down site → team → agent;
every table also as CSV (UTF-8 with BOM) with ?csv=TABLE."""
from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, render_template, request

from .. import authz
from ..i18n import gettext as _
from ..labels import kpi_label, tier_label
from ..models import TIERS, Site, Team
from ..services import placement
from ..services.dashboard import PROGRESS_BUCKETS, Dashboard
from ..services.kpi_report import REGISTRY
from ..services.tabular import excel_csv
from .access import current_user, requires

bp = Blueprint("dashboard", __name__, url_prefix="/dashboard")
TABLES = ("groups", "agents", "at_risk", "candidates")


def _settings():
    return current_app.extensions["lms"].settings


@bp.route("/")
@requires("manager", "trainer")
def index():
    """Everything in the user's scope: by site when it spans several, else by team."""
    scope = authz.scoped_team_ids(current_user())
    board = Dashboard(_settings(), scope)
    kind = "site" if len({a.site_id for a in board.agents}) > 1 else "team"
    return _page(board, kind, title=_("Dashboard"), level=None)


@bp.route("/site/<int:site_id>")
@requires("manager", "trainer")
def site(site_id):
    place = Site.get_or_none(Site.id == site_id)
    scope = authz.scoped_team_ids(current_user())
    teams = {t.id for t in Team.select(Team.id).where(Team.site == site_id)}
    if place is None or (scope is not None and not teams & scope):
        abort(404)
    board = Dashboard(_settings(), teams if scope is None else teams & scope)
    return _page(board, "team", title=place.name, level=("site", place))


@bp.route("/team/<int:team_id>")
@requires("manager", "trainer")
def team(team_id):
    group = Team.get_or_none(Team.id == team_id)
    if group is None or not authz.can(current_user(), "view_team", group):
        abort(404)
    board = Dashboard(_settings(), {team_id})
    return _page(board, None, title=f"{group.site.name} · {group.name}", level=("team", group))


def _page(board: Dashboard, kind: str | None, title: str, level):
    candidates = board.candidates(placement.Reviewer(_settings(), today=board.today))
    groups = board.groups(kind) if kind else []
    table = request.args.get("csv")
    if table is not None:
        if table not in TABLES:
            abort(404)
        return _csv(table, board, groups, candidates)
    return render_template("lms/dashboard/index.html", board=board, groups=groups, kind=kind, title=title,
                           level=level, candidates=candidates, tiers=TIERS, kpis=list(REGISTRY),
                           buckets=PROGRESS_BUCKETS, overall=board.groups("all") if board.agents else [])


def _percent(value):
    return "" if value is None else f"{value:.4f}"


def _csv(table: str, board: Dashboard, groups, candidates) -> Response:
    kpi_headers = [kpi_label(k) for k in REGISTRY]
    if table == "groups":
        headers = [_("Name"), _("Agents"), *[tier_label(t) for t in TIERS],
                   *[f"{_('Progress')} {low}-{high}%" for low, high in PROGRESS_BUCKETS],
                   _("Newcomers"), _("Behind plan"), _("Micro-tasks due"), _("Micro-tasks done"),
                   _("Case reviews due"), _("Case reviews on time"), _("At risk"), *kpi_headers]
        rows = [[g.name, g.agents, *[g.tiers.get(t, 0) for t in TIERS], *g.progress, g.newcomers, g.behind,
                 g.tasks_due, g.tasks_done, g.reviews_due, g.reviews_on_time, g.at_risk, *[_percent(g.kpis[k][0]) for k in REGISTRY]] for g in groups]
    elif table in ("agents", "at_risk"):
        agents = board.agents if table == "agents" else board.at_risk()
        headers = [_("Employee no."), _("Name"), _("Site"), _("Team"), _("Tier"), _("Progress"), _("Micro-tasks due"),
                   _("Micro-tasks done"), *kpi_headers, _("Reasons")]
        rows = []
        for agent in agents:
            values = board.recent_values(agent)
            rows.append([agent.employee_no, agent.name, agent.site, agent.team, tier_label(agent.tier or ""),
                         agent.progress.percent if agent.progress else "", agent.tasks_due, agent.tasks_done,
                         *[_percent(values.get(k)) for k in REGISTRY],
                         "; ".join(_(r.message, **r.args) for r in agent.risks)])
    else:
        headers = [_("Employee no."), _("Name"), _("Tier"), _("Proposed tier")]
        rows = [[p.agent.employee_no, p.agent.name, tier_label(p.current), tier_label(p.proposed)] for p in candidates]
    return Response(excel_csv(headers, rows), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="dashboard-{table}.csv"'})
