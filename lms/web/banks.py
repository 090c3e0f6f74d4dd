"""Trainers edit question banks: the bank's rules, its questions, publishing."""
from __future__ import annotations

import json

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from ..i18n import gettext as _
from ..models import Bank, Question, Skill
from ..services import bank_authoring as service
from ..services.assessment_pack import GRADING
from ..services.messages import N_
from ..services.question_types import QUESTION_TYPES
from .access import current_user, requires
from .forms import PostForm

bp = Blueprint("banks", __name__, url_prefix="/banks")


def _bank(slug: str) -> Bank:
    bank = Bank.get_or_none(Bank.slug == slug)
    if bank is None:
        abort(404)
    return bank


def _int(name: str, default: int | None = 0) -> int | None:
    raw = request.form.get(name, "").strip()
    if raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise service.BankError(N_("%(name)s: a whole number."), name, name=name) from None


def _error(exc: service.BankError) -> str:
    return _(exc.message, **exc.params)


@bp.route("/<slug>", methods=["GET", "POST"])
@requires("trainer")
def bank(slug):
    bank = _bank(slug)
    form, status, error = PostForm(), 200, None
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        try:
            service.update_bank(bank, current_user(), title=request.form.get("title", ""),
                                pass_mark=_int("pass_mark", 0), draw=_int("draw", None),
                                attempts=_int("attempts"), time_limit_minutes=_int("time_limit_minutes"),
                                grading=request.form.get("grading", ""))
        except service.BankError as exc:
            error, status = _error(exc), 400
        else:
            flash(_("Saved."), "info")
            return redirect(url_for("lms.banks.bank", slug=slug)), 303
    questions = list(bank.questions.order_by(Question.position))
    return render_template("lms/banks/bank.html", bank=bank, questions=questions, form=form, error=error,
                           grading=GRADING, types=list(QUESTION_TYPES)), status


@bp.route("/<slug>/questions/new", methods=["GET", "POST"])
@bp.route("/questions/<question_slug>", methods=["GET", "POST"])
@requires("trainer")
def question(slug=None, question_slug=None):
    question = None
    if question_slug is not None:
        question = Question.get_or_none(Question.slug == question_slug)
        if question is None:
            abort(404)
        bank = question.bank
    else:
        bank = _bank(slug)
    kind = question.type if question else request.values.get("type", "single")
    if kind not in QUESTION_TYPES:
        abort(404)
    form, status, error = PostForm(), 200, None
    values = ({"slug": question.slug, "skill": question.skill, "difficulty": question.difficulty,
               "tags": ", ".join(json.loads(question.tags)), "prompt": question.prompt,
               "feedback": question.feedback, **service.spec_to_form(kind, json.loads(question.spec))}
              if question else {"difficulty": 1, "match": "exact", "answer": ""})
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        values = request.form.to_dict()
        try:
            saved = service.save_question(
                bank, current_user(), question, slug=values.get("slug", ""), kind=kind,
                skill=values.get("skill", ""), difficulty=_int("difficulty", 0), tags=values.get("tags", ""),
                prompt=values.get("prompt", ""), feedback=values.get("feedback", ""), form=values)
        except service.BankError as exc:
            error, status = _error(exc), 400
        else:
            flash(_("Saved."), "info")
            return redirect(url_for("lms.banks.question", question_slug=saved.slug)), 303
    skills = list(Skill.select().order_by(Skill.slug))
    return render_template("lms/banks/question.html", bank=bank, question=question, kind=kind, values=values,
                           skills=skills, form=form, error=error), status


@bp.route("/questions/<question_slug>/publish", methods=["POST"])
@requires("trainer")
def publish(question_slug):
    question = Question.get_or_none(Question.slug == question_slug)
    if question is None:
        abort(404)
    if not PostForm().validate_on_submit():
        abort(400)
    service.set_published(question, current_user(), request.form.get("published") == "1")
    return redirect(url_for("lms.banks.bank", slug=question.bank.slug)), 303
