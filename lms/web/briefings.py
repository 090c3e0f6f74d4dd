"""Briefings (知识更新): trainers publish, agents read and acknowledge, staff see who has not."""
from __future__ import annotations

import json

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for

from .. import authz
from ..i18n import gettext as _
from ..models import Briefing
from ..services import briefings, clock, notify
from .access import current_user, requires, signed_in
from .forms import BriefingForm, PostForm, choices

bp = Blueprint("briefings", __name__, url_prefix="/briefings")


def _staff(user) -> bool:
    return authz.is_admin(user) or user.has_role("trainer", "manager")


def _visible_to_staff(briefing: Briefing, user) -> bool:
    """Staff see a briefing that reaches any of their teams (admins: all)."""
    scope = authz.scoped_team_ids(user)
    if scope is None:
        return True
    return briefing.team_ids is None or bool(scope & set(json.loads(briefing.team_ids)))


@bp.route("/")
@signed_in
def index():
    user = current_user()
    if _staff(user):
        shown = [b for b in Briefing.select().order_by(Briefing.created_at.desc()).limit(100)
                 if _visible_to_staff(b, user)]
        counts = {b.id: briefings.status(b, authz.scoped_team_ids(user)) for b in shown}
        return render_template("lms/briefings/staff.html", briefings=shown, counts=counts, today=clock.today())
    mine = briefings.for_agent(user)
    done = {b.id for b in mine if briefings.acknowledged(b, user)}
    return render_template("lms/briefings/agent.html", briefings=mine, done=done, today=clock.today())


@bp.route("/new", methods=["GET", "POST"])
@requires("trainer")
def new():
    user = current_user()
    form = BriefingForm()
    form.teams.choices = choices([(t.id, f"{t.site.name} · {t.name}") for t in authz.visible_teams(user)])
    if form.validate_on_submit():
        scope = authz.scoped_team_ids(user)
        teams = set(form.teams.data or []) or scope  # none chosen: every team the trainer looks after
        if scope is not None and not teams <= scope:
            abort(403)
        try:
            settings = current_app.extensions["lms"].settings
            briefing = briefings.publish(user, title=form.title.data.strip(), body=form.body.data, tiers=form.tiers.data,
                                         team_ids=teams, deadline=form.deadline.data, questions=form.questions(),
                                         settings=settings)
            notify.announce(settings, f"briefing:{briefing.id}",
                            _("New briefing: %(title)s (acknowledge by %(date)s)", title=briefing.title,
                              date=briefing.deadline.isoformat()))
        except briefings.BriefingError as exc:
            flash(_(str(exc)), "error")
        else:
            flash(_("Briefing published to %(n)d agents.", n=briefings.audience(briefing).count()), "success")
            return redirect(url_for("lms.briefings.show", briefing_id=briefing.id))
    status = 400 if request.method == "POST" else 200
    return render_template("lms/briefings/new.html", form=form), status


@bp.route("/<int:briefing_id>", methods=["GET", "POST"])
@signed_in
def show(briefing_id):
    user = current_user()
    briefing = Briefing.get_or_none(Briefing.id == briefing_id)
    if briefing is None:
        abort(404)
    questions = json.loads(briefing.questions)
    if _staff(user):
        if not _visible_to_staff(briefing, user):
            abort(404)
        done, waiting = briefings.status(briefing, authz.scoped_team_ids(user))
        return render_template("lms/briefings/show.html", briefing=briefing, questions=questions, done=done,
                               waiting=waiting, staff=True, form=None, ack=None)
    if briefing.id not in {b.id for b in briefings.for_agent(user)}:
        abort(404)
    form = PostForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        answers = []
        for index in range(len(questions)):
            value = request.form.get(f"q{index}", "")
            answers.append(int(value) if value.isdigit() else None)
        try:
            briefings.acknowledge(briefing, user, answers)
        except briefings.BriefingError as exc:
            flash(_(str(exc)), "error")
            return render_template("lms/briefings/show.html", briefing=briefing, questions=questions, staff=False,
                                   form=form, ack=None), 400
        return redirect(url_for("lms.briefings.show", briefing_id=briefing.id))
    return render_template("lms/briefings/show.html", briefing=briefing, questions=questions, staff=False, form=form,
                           ack=briefings.acknowledged(briefing, user))
