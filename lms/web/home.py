"""The signed-in user's home, their own profile, and the health check."""
from __future__ import annotations

import json

from flask import Blueprint, current_app, render_template

from .. import authz
from ..db import healthy
from ..models import TierChange
from ..services import accounts, badges, kpi_triggers, learning_path, mentoring, microtasks, progress
from ..services.second_output import of_mentor
from .access import current_user, public, signed_in

bp = Blueprint("home", __name__)


@bp.route("/")
@signed_in
def index():
    user = current_user()
    team_count = None
    if authz.can(user, "view_people"):
        team_ids = authz.scoped_team_ids(user)
        team_count = len(team_ids) if team_ids is not None else authz.visible_teams(user).count()
    track_state = plan = None
    track = progress.my_track(user) if user.has_role("agent") else None
    if track is not None:
        track_state = progress.progress(user, track)
        plan = progress.newcomer_plan(user, track_state)
    today_task = streak = None
    assignments, recs = [], []
    if user.has_role("agent"):
        today_task, streak = microtasks.today_task(user), microtasks.streak(user)
        assignments = [(a, json.loads(a.reason)) for a in kpi_triggers.open_assignments(user)]
        recs = learning_path.recommendations(user, current_app.extensions["lms"].settings)
    mentee_cards = mentoring.cards(user, current_app.extensions["lms"].settings) if user.has_role("mentor") else []
    return render_template("lms/home/index.html", user=user, team=accounts.current_team(user),
                           team_count=team_count, track_state=track_state, plan=plan, today_task=today_task,
                           streak=streak, assignments=assignments, recs=recs, mentee_cards=mentee_cards)


@bp.route("/me")
@signed_in
def profile():
    user = current_user()
    tiers = TierChange.select().where(TierChange.user == user).order_by(TierChange.effective_on.desc())
    return render_template("lms/home/profile.html", person=user, team=accounts.current_team(user),
                           tier_changes=list(tiers), **badges.profile_context(user),
                           output=of_mentor(user, current_app.extensions["lms"].settings))


@bp.route("/healthz")
@public
def healthz():
    ok = healthy()
    return {"status": "ok" if ok else "unavailable", "database": ok}, 200 if ok else 503
