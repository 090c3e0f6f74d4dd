"""An agent's timeline page: KPIs, assessment results and tier events side by side, for the
agent, their mentor, trainer and manager (the same people who may see the agent's KPIs)."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template

from .. import authz
from ..i18n import gettext as _
from ..labels import tier_label
from ..models import User
from ..services import clock
from ..services.timeline import timeline
from .access import current_user, signed_in
from .charts import timeline_chart

bp = Blueprint("timeline", __name__, url_prefix="/timeline")


@bp.route("/")
@bp.route("/<int:user_id>")
@signed_in
def agent(user_id=None):
    person = current_user() if user_id is None else User.get_or_none(User.id == user_id)
    if person is None or not authz.can(current_user(), "view_kpis", person):
        abort(404)
    line = timeline(person, current_app.extensions["lms"].settings, 26, clock.today())
    labels = {"title": _("Timeline of %(name)s", name=person.name), "fcr": "FCR", "csat": "CSAT",
              "quiz": _("Quiz"), "drill": _("Scenario drill"), "tier": _("Tier"), "module": _("Module finished")}
    events = [(event, tier_label(event.label) if event.kind == "tier" else event.label) for event in line.events]
    return render_template("lms/timeline/agent.html", person=person, line=line, labels=labels, events=events,
                           chart=timeline_chart(line.start, line.end, line.weeks, line.events, labels))
