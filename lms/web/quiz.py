"""Agents take quizzes: the rules and past attempts, an attempt with a server-side time limit,
and the graded result with feedback per answer."""
from __future__ import annotations

import json

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from peewee import fn

from ..i18n import gettext as _
from ..models import Bank, Question, QuizAttempt
from ..services import clock, item_analysis, quizzes
from .access import current_user, open_or_404, requires
from .forms import PostForm

bp = Blueprint("quiz", __name__, url_prefix="/quiz")



def _own_attempt(attempt_id: int) -> QuizAttempt:
    attempt = QuizAttempt.get_or_none(QuizAttempt.id == attempt_id)
    if attempt is None or attempt.user_id != current_user().id:
        abort(404)  # someone else's attempt does not exist for you
    return attempt


@bp.route("/<slug>")
@requires("agent")
def bank(slug):
    bank = open_or_404(Bank, slug)
    attempts = quizzes.attempts_of(current_user(), bank)
    used = len([a for a in attempts if a.submitted_at is not None])
    return render_template("lms/quiz/bank.html", bank=bank, attempts=attempts, post_form=PostForm(),
                           grade=quizzes.bank_grade(current_user(), bank),
                           left=None if not bank.attempts else max(bank.attempts - used, 0),
                           open_attempt=quizzes.open_attempt(current_user(), bank))


@bp.route("/<slug>/start", methods=["POST"])
@requires("agent")
def start(slug):
    bank = open_or_404(Bank, slug)
    if not PostForm().validate_on_submit():
        abort(400)
    try:
        attempt = quizzes.start(current_user(), bank)
    except quizzes.QuizError as exc:
        flash(_(str(exc)), "error")
        return redirect(url_for("lms.quiz.bank", slug=slug)), 303
    return redirect(url_for("lms.quiz.attempt", attempt_id=attempt.id)), 303


def _parse_answers(shown, form) -> dict[int, object]:
    answers = {}
    for item in shown:
        name, kind = f"q{item.question.id}", item.question.type
        try:
            if kind == "single" and form.get(name, "") != "":
                answers[item.question.id] = int(form[name])
            elif kind == "multiple":
                answers[item.question.id] = sorted(int(v) for v in form.getlist(name))
            elif kind == "true_false" and form.get(name) in ("true", "false"):
                answers[item.question.id] = form[name] == "true"
            elif kind == "ordering":
                positions = {i: int(form.get(f"{name}_{i}", "0") or 0) for i in range(len(item.spec["items"]))}
                answers[item.question.id] = sorted(positions, key=lambda i: (positions[i] or 99, i))
            elif kind == "short_text":
                answers[item.question.id] = form.get(name, "")[:500]
        except ValueError:
            continue  # a tampered value counts as no answer
    return answers


@bp.route("/attempts/<int:attempt_id>", methods=["GET", "POST"])
@requires("agent")
def attempt(attempt_id):
    attempt = _own_attempt(attempt_id)
    if attempt.submitted_at is not None:
        return redirect(url_for("lms.quiz.result", attempt_id=attempt.id))
    shown = quizzes.shown_questions(attempt)
    form = PostForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        try:
            quizzes.submit(attempt, _parse_answers(shown, request.form))
        except quizzes.QuizError as exc:
            flash(_(str(exc)), "error")
        return redirect(url_for("lms.quiz.result", attempt_id=attempt.id)), 303
    return render_template("lms/quiz/attempt.html", attempt=attempt, shown=shown, form=form,
                           seconds_left=quizzes.seconds_left(attempt), now=clock.utcnow())


@bp.route("/attempts/<int:attempt_id>/result")
@requires("agent")
def result(attempt_id):
    attempt = _own_attempt(attempt_id)
    if attempt.submitted_at is None:
        return redirect(url_for("lms.quiz.attempt", attempt_id=attempt.id))
    shown = quizzes.shown_questions(attempt)
    responses = {r.question_id: (r, json.loads(r.answer)) for r in attempt.responses}
    return render_template("lms/quiz/result.html", attempt=attempt, shown=shown, responses=responses)


@bp.route("/banks")
@requires("trainer")
def banks():
    rows = list(Bank.select().order_by(Bank.tier, Bank.slug))
    counts = dict(Question.select(Question.bank, fn.COUNT(Question.id)).group_by(Question.bank).tuples())
    return render_template("lms/quiz/banks.html", banks=rows, counts=counts)


@bp.route("/<slug>/analysis")
@requires("trainer")
def analysis(slug):
    bank = Bank.get_or_none(Bank.slug == slug)
    if bank is None:
        abort(404)
    return render_template("lms/quiz/analysis.html", bank=bank, result=item_analysis.analysis(bank),
                           limits=item_analysis)
