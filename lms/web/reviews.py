"""Weekly case reviews: trainers build and assign sets; agents answer each case along the
three dimensions and propose a technique; staff follow who has submitted."""
from __future__ import annotations

import json

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for

from .. import authz
from ..i18n import gettext as _
from ..models import (DIMENSIONS, CalibrationRound, CalibrationScore, Dispute, PeerReview, ReviewAssignment,
                      ReviewGrade, ReviewSet, ReviewSubmission, Technique, User, UserRole)
from ..services import calibration, clock, peer_review, review_grading, reviews, rubrics
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
    resubmitting = review_grading.may_resubmit(item) and request.args.get("resubmit") == "1"
    grades = []
    for sub in ReviewSubmission.select().where(ReviewSubmission.assignment == item).order_by(ReviewSubmission.version):
        found = review_grading.grade_of(sub)
        disputed = {d.criterion: d for d in found.disputes} if found else {}
        grades.append((sub, found, json.loads(found.levels) if found else {}, disputed))
    peers = peer_review.peer_scores(submission) if submission is not None else []
    return render_template("lms/reviews/assignment.html", item=item, views=views, form=form,
                           submission=None if resubmitting else submission,
                           answers=json.loads(submission.answers) if submission and not resubmitting else {},
                           draft=request.form, dimensions=DIMENSIONS, today=clock.today(), grades=grades,
                           criteria=_criteria(), may_resubmit=review_grading.may_resubmit(item), peers=peers), status


def _levels_from_form() -> dict[str, int]:
    """The rubric level chosen for each criterion (-1 when missing or tampered: the rubric says which)."""
    return {cid: (int(request.form[f"level_{cid}"]) if request.form.get(f"level_{cid}", "").isdigit() else -1)
            for cid in _criteria()}


def _flash_grading_error(exc: Exception) -> None:
    if isinstance(exc, rubrics.RubricError):
        flash(_(exc.message, criterion=exc.criterion), "error")
    else:
        flash(_(str(exc)), "error")


def _criteria() -> dict:
    version = rubrics.current_version(review_grading.RUBRIC)
    return {c["id"]: c for c in rubrics.criteria_of(version)} if version else {}


@bp.route("/grading")
@requires("trainer", "mentor")
def grading():
    return render_template("lms/reviews/grading.html", queue=review_grading.queue(current_user()))


@bp.route("/submissions/<int:submission_id>/grade", methods=["GET", "POST"])
@requires("trainer", "mentor")
def grade(submission_id):
    submission = ReviewSubmission.get_or_none(ReviewSubmission.id == submission_id)
    if submission is None or not authz.can(current_user(), "grade", submission.assignment.user):
        abort(404)
    form = PostForm()
    criteria = _criteria()
    status = 200
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        levels = _levels_from_form()
        try:
            review_grading.grade(submission, current_user(), levels, request.form.get("comment", ""),
                                 current_app.extensions["lms"].settings)
        except (review_grading.GradingError, rubrics.RubricError) as exc:
            _flash_grading_error(exc)
            status = 400
        else:
            flash(_("Graded."), "success")
            return redirect(url_for("lms.reviews.grading"))
    return render_template("lms/reviews/grade.html", submission=submission, criteria=criteria, form=form,
                           graded=review_grading.grade_of(submission),
                           peers=peer_review.peer_scores(submission),
                           waiting=peer_review.waiting_for_peers(submission, current_app.extensions["lms"].settings),
                           views=[case_view(c) for c in reviews.cases_of(submission.assignment.review_set)],
                           answers=json.loads(submission.answers), dimensions=DIMENSIONS), status


@bp.route("/grades/<int:grade_id>/dispute", methods=["POST"])
@requires("agent")
def dispute(grade_id):
    grade_row = ReviewGrade.get_or_none(ReviewGrade.id == grade_id)
    if grade_row is None or grade_row.submission.assignment.user_id != current_user().id:
        abort(404)
    if not PostForm().validate_on_submit():
        abort(400)
    try:
        review_grading.open_dispute(grade_row, current_user(), request.form.get("criterion", ""),
                                    request.form.get("comment", ""),
                                    current_app.extensions["lms"].settings["reviews.dispute_days"])
    except review_grading.GradingError as exc:
        flash(_(str(exc)), "error")
    else:
        flash(_("Your dispute was sent to a trainer."), "success")
    return redirect(url_for("lms.reviews.assignment", assignment_id=grade_row.submission.assignment_id))


@bp.route("/disputes", methods=["GET", "POST"])
@requires("trainer", "manager")
def disputes():
    if request.method == "POST":
        if not PostForm().validate_on_submit():
            abort(400)
        found = Dispute.get_or_none(Dispute.id == request.form.get("dispute", type=int))
        if found is None:
            abort(404)
        level = request.form.get("new_level", "")
        try:
            review_grading.resolve(found, current_user(), request.form.get("outcome", ""),
                                   int(level) if level.isdigit() else None, request.form.get("resolution", ""))
        except review_grading.GradingError as exc:
            flash(_(str(exc)), "error")
        else:
            flash(_("Dispute resolved."), "success")
        return redirect(url_for("lms.reviews.disputes"))
    shown = review_grading.disputes_in(authz.scoped_team_ids(current_user()))
    return render_template("lms/reviews/disputes.html", disputes=shown, stats=review_grading.dispute_stats(shown),
                           criteria=_criteria(), form=PostForm())


@bp.route("/peer", methods=["GET", "POST"])
@requires("agent")
def peer():
    """Review a peer's submission: the oldest one still needing a peer, held for you a while."""
    user, settings = current_user(), current_app.extensions["lms"].settings
    form = PostForm()
    status = 200
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        lease = PeerReview.get_or_none((PeerReview.id == request.form.get("peer", type=int))
                                       & (PeerReview.reviewer == user))
        if lease is None:
            abort(404)
        levels = _levels_from_form()
        try:
            peer_review.complete(lease, user, levels, request.form.get("comment", ""))
        except (review_grading.GradingError, rubrics.RubricError) as exc:
            _flash_grading_error(exc)
            status = 400
        else:
            flash(_("Thank you: your peer review was saved."), "success")
            return redirect(url_for("lms.reviews.peer"))
    lease = peer_review.next_for(user, settings)
    views = answers = None
    if lease is not None:
        views = [case_view(c) for c in reviews.cases_of(lease.submission.assignment.review_set)]
        answers = json.loads(lease.submission.answers)
    return render_template("lms/reviews/peer.html", lease=lease, views=views, answers=answers, criteria=_criteria(),
                           dimensions=DIMENSIONS, form=form), status


def _graders():
    """Trainers and mentors the user may invite to calibrate (their scope)."""
    staff = UserRole.select(UserRole.user).where(UserRole.role.in_(["trainer", "mentor"]))
    return list(authz.visible_users(current_user()).where(User.active & User.id.in_(staff)).order_by(User.employee_no))


@bp.route("/calibration", methods=["GET", "POST"])
@requires("trainer")
def calibration_rounds():
    user = current_user()
    threshold = current_app.extensions["lms"].settings["reviews.calibration_threshold"]
    graders = _graders()
    if request.method == "POST":
        if not PostForm().validate_on_submit():
            abort(400)
        submission = ReviewSubmission.get_or_none(ReviewSubmission.id == request.form.get("submission", type=int))
        by_id = {g.id: g for g in graders}
        reference = by_id.get(request.form.get("reference", type=int))
        chosen = [by_id[i] for i in request.form.getlist("graders", type=int) if i in by_id]
        if submission is None or reference is None or not authz.can(user, "view_user", submission.assignment.user):
            abort(400)
        try:
            round_ = calibration.start(user, submission, reference, chosen)
        except review_grading.GradingError as exc:
            flash(_(str(exc)), "error")
        else:
            return redirect(url_for("lms.reviews.calibration_round", round_id=round_.id))
    mine = (CalibrationRound.select().join(CalibrationScore)
            .where((CalibrationRound.created_by == user) | (CalibrationScore.grader == user)).distinct()
            .order_by(CalibrationRound.created_at.desc()))
    submissions = [s for s in ReviewSubmission.select().order_by(ReviewSubmission.submitted_at.desc()).limit(200)
                   if authz.can(user, "view_user", s.assignment.user)][:50]
    return render_template("lms/reviews/calibration.html", rounds=list(mine), graders=graders,
                           submissions=submissions, agreement=calibration.agreement(threshold), form=PostForm())


@bp.route("/calibration/<int:round_id>", methods=["GET", "POST"])
@requires("trainer", "mentor")
def calibration_round(round_id):
    user = current_user()
    round_ = CalibrationRound.get_or_none(CalibrationRound.id == round_id)
    if round_ is None or not (round_.created_by_id == user.id or CalibrationScore.select().where(
            (CalibrationScore.round == round_) & (CalibrationScore.grader == user)).exists()):
        abort(404)
    form = PostForm()
    status = 200
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        levels = _levels_from_form()
        try:
            calibration.score(round_, user, levels)
        except (review_grading.GradingError, rubrics.RubricError) as exc:
            _flash_grading_error(exc)
            status = 400
        else:
            return redirect(url_for("lms.reviews.calibration_round", round_id=round_.id))
    threshold = current_app.extensions["lms"].settings["reviews.calibration_threshold"]
    submission = round_.submission
    mine = CalibrationScore.get_or_none((CalibrationScore.round == round_) & (CalibrationScore.grader == user))
    return render_template("lms/reviews/calibration_round.html", round_=round_, form=form, criteria=_criteria(),
                           can_score=mine is not None and mine.levels is None,
                           visible=calibration.may_see(round_, user), threshold=threshold,
                           report=calibration.report(round_, threshold) if calibration.may_see(round_, user) else [],
                           views=[case_view(c) for c in reviews.cases_of(submission.assignment.review_set)],
                           answers=json.loads(submission.answers), dimensions=DIMENSIONS), status


@bp.route("/submissions/<int:submission_id>/technique", methods=["POST"])
@requires("trainer")
def flag_technique(submission_id):
    submission = ReviewSubmission.get_or_none(ReviewSubmission.id == submission_id)
    if submission is None or not authz.can(current_user(), "view_user", submission.assignment.user):
        abort(404)
    if not PostForm().validate_on_submit():
        abort(400)
    try:
        review_grading.flag_technique(submission, current_user())
    except review_grading.GradingError as exc:
        flash(_(str(exc)), "error")
    else:
        flash(_("Kept for the golden-script library."), "success")
    return redirect(url_for("lms.reviews.techniques"))


@bp.route("/techniques")
@signed_in
def techniques():
    """Techniques from graded case reviews, kept for the golden-script library."""
    found = Technique.select().order_by(Technique.flagged_at.desc()).limit(200)
    return render_template("lms/reviews/techniques.html", techniques=list(found))
