"""An agent's service KPIs: weekly FCR, AHT and CSAT with the target bands, for the agent,
their mentor, trainer and manager."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template

from .. import authz
from ..models import User
from ..services import clock
from ..services.kpi_report import REGISTRY, band, bands, weekly
from .access import current_user, signed_in
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
