"""Mentorship: managers and trainers pair elite mentors with newcomers in their teams; a
mentor sees their mentees' progress, today's micro-task, KPIs and what awaits a grade."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for

from .. import authz
from ..i18n import gettext as _
from ..models import CoachingSession, MentorPairing, Skill, User, UserRole
from ..services import mentee_growth, mentoring
from .access import current_user, requires
from .forms import CoachingForm, PostForm, choices

bp = Blueprint("mentoring", __name__, url_prefix="/mentoring")


def _in_scope(role: str, tier: str) -> list[User]:
    holders = UserRole.select(UserRole.user).where(UserRole.role == role)
    return list(authz.visible_users(current_user()).where(User.active & (User.tier == tier) & User.id.in_(holders))
                .order_by(User.employee_no))


@bp.route("/")
@requires("manager", "trainer", "mentor")
def index():
    user = current_user()
    settings = current_app.extensions["lms"].settings
    if not (authz.is_admin(user) or user.has_role("manager", "trainer")):
        return render_template("lms/mentoring/mine.html", cards=mentoring.cards(user, settings),
                               growth=mentee_growth.for_mentors([user], settings))
    visible = {u.id for u in authz.visible_users(user).select(User.id)}
    pairs = [p for p in MentorPairing.select().order_by(MentorPairing.ended_on.is_null(False), MentorPairing.id.desc())
             .limit(300) if p.mentee_id in visible]
    mentors = _in_scope("mentor", "elite")
    return render_template("lms/mentoring/index.html", pairs=pairs, mentors=mentors,
                           mentees=_in_scope("agent", "newcomer"), form=PostForm(),
                           growth=mentee_growth.for_mentors(mentors, settings),
                           max_mentees=settings["mentoring.max_mentees"])


@bp.route("/pair", methods=["POST"])
@requires("manager", "trainer")
def pair():
    if not PostForm().validate_on_submit():
        abort(400)
    mentor = User.get_or_none(User.id == request.form.get("mentor", type=int))
    mentee = User.get_or_none(User.id == request.form.get("mentee", type=int))
    if mentor is None or mentee is None or not authz.can(current_user(), "view_user", mentor) \
            or not authz.can(current_user(), "view_user", mentee):
        abort(404)
    try:
        mentoring.pair(mentor, mentee, current_user(), current_app.extensions["lms"].settings)
    except mentoring.MentoringError as exc:
        flash(_(str(exc)), "error")
    else:
        flash(_("%(mentor)s now coaches %(mentee)s.", mentor=mentor.name, mentee=mentee.name), "success")
    return redirect(url_for("lms.mentoring.index"))


@bp.route("/<int:pairing_id>/end", methods=["POST"])
@requires("manager", "trainer")
def end(pairing_id):
    pairing = MentorPairing.get_or_none(MentorPairing.id == pairing_id)
    if pairing is None or not authz.can(current_user(), "view_user", pairing.mentee):
        abort(404)
    if not PostForm().validate_on_submit():
        abort(400)
    mentoring.end(pairing)
    return redirect(url_for("lms.mentoring.index"))


@bp.route("/sessions", methods=["GET", "POST"])
@requires("agent")
def sessions():
    """A mentor logs coaching sessions with their mentees; a mentee reads and acknowledges theirs."""
    user = current_user()
    form = CoachingForm()
    mentees = mentoring.mentees_of(user) if user.has_role("mentor") else []
    form.mentee.choices = choices([(m.id, f"{m.name} ({m.employee_no})") for m in mentees])
    form.skill.choices = choices([("", "—")] + [(s.slug, s.name) for s in Skill.select().order_by(Skill.slug)])
    status = 200
    if request.method == "POST" and request.form.get("acknowledge"):
        if not PostForm().validate_on_submit():
            abort(400)
        session = CoachingSession.get_or_none(CoachingSession.id == request.form.get("acknowledge", type=int))
        if session is None or session.mentee_id != user.id:
            abort(404)
        mentoring.acknowledge(session, user)
        return redirect(url_for("lms.mentoring.sessions"))
    if request.method == "POST":
        if not mentees:
            abort(403)
        if form.validate_on_submit():
            mentee = next(m for m in mentees if m.id == form.mentee.data)
            try:
                mentoring.log_session(user, mentee, held_on=form.held_on.data, topic=form.topic.data,
                                      skill=form.skill.data or "", notes=form.notes.data or "",
                                      action=form.action.data or "", follow_up_on=form.follow_up_on.data)
            except mentoring.MentoringError as exc:
                flash(_(str(exc)), "error")
                status = 400
            else:
                flash(_("Session logged."), "success")
                return redirect(url_for("lms.mentoring.sessions"))
        else:
            status = 400
    logged = list(CoachingSession.select().where(CoachingSession.mentor == user)
                  .order_by(CoachingSession.held_on.desc()).limit(100)) if mentees or user.has_role("mentor") else []
    mine = list(CoachingSession.select().where(CoachingSession.mentee == user).order_by(CoachingSession.held_on.desc()))
    return render_template("lms/mentoring/sessions.html", form=form, mentees=mentees, logged=logged, mine=mine,
                           post_form=PostForm()), status
