"""Weekly case reviews: trainers build and assign sets; agents answer each case along the
three dimensions and propose a technique; staff follow who has submitted."""
from __future__ import annotations

import json

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from .. import authz
from ..i18n import gettext as _
from ..models import DIMENSIONS, ReviewAssignment, ReviewSet
from ..services import clock, reviews
from .access import current_user, requires, signed_in
from .cases import _visible as visible_cases, case_view
from .forms import PostForm, ReviewSetForm, choices

bp = Blueprint("reviews", __name__, url_prefix="/reviews")


def _staff(user) -> bool:
    return authz.is_admin(user) or user.has_role("trainer", "manager")


def _set_visible(review_set: ReviewSet, user) -> bool:
    scope = authz.scoped_team_ids(user)
    return scope is None or review_set.team_ids is None or bool(scope & set(json.loads(review_set.team_ids)))


@bp.route("/")
@signed_in
def index():
    user = current_user()
    if _staff(user):
        sets = [s for s in ReviewSet.select().order_by(ReviewSet.week.desc()).limit(100) if _set_visible(s, user)]
        scope = authz.scoped_team_ids(user)
        return render_template("lms/reviews/sets.html", sets=sets,
                               progress={s.id: reviews.progress_of(s, scope) for s in sets}, today=clock.today())
    return render_template("lms/reviews/mine.html", items=reviews.for_agent(user), today=clock.today())


@bp.route("/sets/new", methods=["GET", "POST"])
@requires("trainer")
def new_set():
    user = current_user()
    form = ReviewSetForm()
    form.cases.choices = choices([(c.id, f"{c.title}") for c in visible_cases().limit(200)])
    form.teams.choices = choices([(t.id, f"{t.site.name} · {t.name}") for t in authz.visible_teams(user)])
    if form.validate_on_submit():
        scope = authz.scoped_team_ids(user)
        teams = set(form.teams.data or []) or scope
        try:
            review_set = reviews.create_set(user, title=form.title.data.strip(), week=form.week.data,
                                            due_on=form.due_on.data, case_ids=form.cases.data, tiers=form.tiers.data,
                                            team_ids=teams)
        except reviews.ReviewError as exc:
            flash(_(str(exc)), "error")
        else:
            if review_set.week <= clock.today():
                count = reviews.assign(review_set)
                flash(_("Assigned to %(n)d agents.", n=count), "success")
            else:
                flash(_("It will be assigned on %(date)s.", date=review_set.week.isoformat()), "success")
            return redirect(url_for("lms.reviews.show_set", set_id=review_set.id))
    return render_template("lms/reviews/new_set.html", form=form), 400 if request.method == "POST" else 200


@bp.route("/sets/<int:set_id>")
@requires("trainer", "manager", "mentor")
def show_set(set_id):
    review_set = ReviewSet.get_or_none(ReviewSet.id == set_id)
    if review_set is None or not _set_visible(review_set, current_user()):
        abort(404)
    assigned, submitted, late = reviews.progress_of(review_set, authz.scoped_team_ids(current_user()))
    return render_template("lms/reviews/set.html", review_set=review_set, cases=reviews.cases_of(review_set),
                           assigned=assigned, submitted=submitted, late=late)


@bp.route("/<int:assignment_id>", methods=["GET", "POST"])
@requires("agent")
def assignment(assignment_id):
    item = (ReviewAssignment.select(ReviewAssignment, ReviewSet).join(ReviewSet)
            .where((ReviewAssignment.id == assignment_id) & (ReviewAssignment.user == current_user())).first())
    if item is None:
        abort(404)
    views = [case_view(c) for c in reviews.cases_of(item.review_set)]
    form = PostForm()
    status = 200
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        answers = {v.case.id: {d: request.form.get(f"c{v.case.id}_{d}", "") for d in DIMENSIONS} for v in views}
        try:
            reviews.submit(item, answers, request.form.get("technique", ""))
        except reviews.ReviewError as exc:
            flash(_(str(exc)), "error")
            status = 400
        else:
            return redirect(url_for("lms.reviews.assignment", assignment_id=item.id))
    submission = reviews.latest(item)
    return render_template("lms/reviews/assignment.html", item=item, views=views, form=form, submission=submission,
                           answers=json.loads(submission.answers) if submission else {}, draft=request.form,
                           dimensions=DIMENSIONS, today=clock.today()), status
