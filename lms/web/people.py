"""Trainers and managers: the people of the teams and sites they oversee."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template, request

from .. import authz
from ..models import Membership, Site, Team, TierChange, User
from ..services import accounts, badges
from ..services.second_output import of_mentor
from .access import allowed_or_404, current_user, requires

bp = Blueprint("people", __name__, url_prefix="/people")
PAGE_SIZE = 50


@bp.route("/")
@requires("trainer", "manager")
def index():
    user = current_user()
    team_id = request.args.get("team", type=int)
    query = authz.visible_users(user).where(User.active == True)  # noqa: E712
    if team_id:
        team = Team.get_or_none(Team.id == team_id)
        if team is None or not authz.can(user, "view_team", team):
            abort(404)
        query = query.where(User.id.in_(Membership.select(Membership.user).where(
            (Membership.team == team) & Membership.ended_on.is_null())))
    page = max(request.args.get("page", 1, type=int), 1)
    people = list(query.order_by(User.employee_no).paginate(page, PAGE_SIZE))
    teams = {m.user_id: m.team for m in Membership.select(Membership, Team, Site).join(Team).join(Site)
             .where(Membership.user.in_([p.id for p in people] or [0]) & Membership.ended_on.is_null())}
    return render_template("lms/people/index.html", people=people, teams=teams,
                           visible_teams=list(authz.visible_teams(user).order_by(Site.name, Team.name)),
                           team_id=team_id, page=page, has_next=len(people) == PAGE_SIZE)


@bp.route("/<int:user_id>")
@requires("trainer", "manager")
def detail(user_id):
    person = User.get_or_none(User.id == user_id)
    if person is None:
        abort(404)
    allowed_or_404(current_user(), "view_user", person)
    tiers = TierChange.select().where(TierChange.user == person).order_by(TierChange.effective_on.desc())
    return render_template("lms/home/profile.html", person=person, team=accounts.current_team(person),
                           tier_changes=list(tiers), **badges.profile_context(person),
                           output=of_mentor(person, current_app.extensions["lms"].settings))
