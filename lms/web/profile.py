"""Capability profiles: an agent's skill scores as a radar against the team median, the evidence
behind each number, and trainers' manual ratings. The agent sees their own; staff who may see
the agent (authz view_user) and the agent's current mentor see theirs."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_wtf import FlaskForm
from wtforms import IntegerField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange

from .. import authz
from ..i18n import gettext as _
from ..i18n import lazy_gettext as _l
from ..models import Evidence, Skill, User
from ..services import capability, clock, skill_evidence
from .access import current_user, requires, signed_in
from .radar import radar_chart

bp = Blueprint("profile", __name__, url_prefix="/profile")


class RatingForm(FlaskForm):
    score = IntegerField(_l("Score (0-100)"), validators=[
        InputRequired(message=_l("Give a score from 0 to 100.")),
        NumberRange(0, 100, message=_l("The score must be between 0 and 100."))])
    note = TextAreaField(_l("Note: why this rating"), validators=[
        DataRequired(message=_l("Write a note explaining the rating.")),
        Length(max=skill_evidence.MAX_NOTE, message=_l("The note is longer than 2000 characters."))])


def _settings() -> dict:
    return current_app.extensions["lms"].settings


def _visible_or_404(user_id: int) -> User:
    person = User.get_or_none(User.id == user_id)
    if person is None or not authz.can(current_user(), "view_skills", person):
        abort(404)  # someone you may not see does not exist for you
    return person


@bp.route("/skills")
@signed_in
def mine():
    return _profile_page(current_user())


@bp.route("/skills/<int:user_id>")
@signed_in
def agent(user_id):
    return _profile_page(_visible_or_404(user_id))


def _profile_page(person: User):
    found = capability.profile(person, _settings())
    names = [s.name for s in found.skills]
    mine = [getattr(found.scores.get(s.slug), "score", None) for s in found.skills]
    team = [found.median.get(s.slug) for s in found.skills]
    chart = radar_chart(names, mine, team, _("Skills of %(name)s against the team median", name=person.name),
                        person.name, _("Team median")) if found.skills else None
    return render_template("lms/profile/skills.html", person=person, profile=found, chart=chart,
                           ratings=skill_evidence.ratings_of(person), local=clock.local,
                           skill_names={s.slug: s.name for s in found.skills},
                           half_life=_settings()["profile.half_life_days"],
                           min_evidence=_settings()["profile.min_evidence"],
                           own=person.id == current_user().id)


@bp.route("/skills/<int:user_id>/<skill>")
@signed_in
def evidence(user_id, skill):
    person = _visible_or_404(user_id)
    return _evidence_page(person, _skill_or_404(person, skill), RatingForm())


def _skill_or_404(person: User, slug: str) -> Skill:
    skill = Skill.get_or_none(Skill.slug == slug)
    if skill is None:
        if not Evidence.select().where((Evidence.user == person) & (Evidence.skill == slug)).exists():
            abort(404)
        skill = Skill(slug=slug, name=slug)  # evidence of a skill no longer in the framework
    return skill


def _evidence_page(person: User, skill: Skill, form: RatingForm, status: int = 200):
    settings = _settings()
    rows, total = skill_evidence.evidence_rows(person, skill.slug, settings)
    found = capability.profile(person, settings)
    return render_template("lms/profile/evidence.html", person=person, skill=skill, rows=rows, total=total,
                           score=found.scores.get(skill.slug), median=found.median.get(skill.slug),
                           median_n=found.median_n.get(skill.slug, 0),
                           ratings=skill_evidence.ratings_of(person, skill.slug), local=clock.local,
                           skill_names={skill.slug: skill.name},
                           form=form if skill.id and authz.can(current_user(), "rate_skills", person) else None,
                           min_evidence=settings["profile.min_evidence"]), status


@bp.route("/skills/<int:user_id>/<skill>/rate", methods=["POST"])
@requires("trainer")
def rate(user_id, skill):
    person = _visible_or_404(user_id)
    found = _skill_or_404(person, skill)
    if not authz.can(current_user(), "rate_skills", person) or not found.id:
        abort(404)
    form = RatingForm()
    if not form.validate_on_submit():
        flash(_("Not recorded: check the score and the note."), "error")
        return _evidence_page(person, found, form, 400)
    try:
        skill_evidence.rate(person, found.slug, form.score.data, form.note.data, current_user())
    except skill_evidence.RatingError as exc:
        flash(_("Not recorded: %(reason)s", reason=_(str(exc))), "error")
        return _evidence_page(person, found, form, 400)
    flash(_("Rating recorded: %(skill)s %(score)d%%.", skill=found.name, score=form.score.data), "success")
    return redirect(url_for("lms.profile.evidence", user_id=person.id, skill=found.slug)), 303
