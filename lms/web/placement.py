"""Managers: proposed promotions with every rule, approving them, moving an agent down."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for

from .. import authz
from ..db import database
from ..i18n import gettext as _
from ..models import TIERS, User, UserRole
from ..services import accounts, placement
from ..services.second_output import of_mentor
from .access import allowed_or_404, current_user, requires
from .forms import MoveDownForm, PostForm, choices

bp = Blueprint("placement", __name__, url_prefix="/placement")


def _agents_in_scope() -> list[User]:
    agents = UserRole.select(UserRole.user).where(UserRole.role == "agent")
    return list(authz.visible_users(current_user()).where(User.active & User.id.in_(agents))
                .order_by(User.employee_no))


def _reviewer() -> placement.Reviewer:
    return placement.Reviewer(current_app.extensions["lms"].settings)


def _agent(user_id: int) -> User:
    agent = User.get_or_none(User.id == user_id)
    if agent is None:
        abort(404)
    allowed_or_404(current_user(), "view_user", agent)
    return agent


@bp.route("/")
@requires("manager")
def index():
    proposals = _reviewer().review(_agents_in_scope())
    proposals.sort(key=lambda p: (not p.ready, p.agent.employee_no))
    show = request.args.get("show", "ready")
    if show == "ready":
        shown = [p for p in proposals if p.ready]
    else:
        shown = proposals
    return render_template("lms/placement/index.html", proposals=shown, show=show,
                           ready_count=sum(p.ready for p in proposals), total=len(proposals),
                           post_form=PostForm())


@bp.route("/<int:user_id>/approve", methods=["POST"])
@requires("manager")
def approve(user_id):
    if not PostForm().validate_on_submit():
        abort(400)
    agent = _agent(user_id)
    with database.atomic():
        # The rules are checked again now: the page may be stale, the client is not trusted.
        proposal = next(iter(_reviewer().review([agent])), None)
        if proposal is None or not proposal.ready:
            flash(_("%(name)s does not meet every rule now; nothing was changed.", name=agent.name), "error")
            return redirect(url_for("lms.placement.index")), 303
        placement.apply(proposal, actor=current_user(), note=request.form.get("note", "")[:100])
    flash(_("%(name)s moved up to %(tier)s.", name=agent.name, tier=proposal.proposed), "info")
    return redirect(url_for("lms.placement.index")), 303


@bp.route("/<int:user_id>/down", methods=["GET", "POST"])
@requires("manager")
def move_down(user_id):
    agent = _agent(user_id)
    form = MoveDownForm()
    lower = TIERS[:TIERS.index(agent.tier)] if agent.tier in TIERS else ()
    form.tier.choices = choices((t, t) for t in lower)
    status = 200
    if form.validate_on_submit():
        try:
            with database.atomic():
                placement.move_down(agent, form.tier.data, current_user(), form.reason.data)
        except accounts.AccountError as exc:
            flash(_("Not changed: %(reason)s", reason=str(exc)), "error")
            status = 400
        else:
            flash(_("%(name)s moved to %(tier)s; the reason is recorded.", name=agent.name, tier=form.tier.data),
                  "info")
            return redirect(url_for("lms.people.detail", user_id=agent.id)), 303
    elif request.method == "POST":
        status = 400
    output = of_mentor(agent, current_app.extensions["lms"].settings)  # the elite tier's review weighs it
    return render_template("lms/placement/down.html", agent=agent, form=form, lower=lower, output=output), status
