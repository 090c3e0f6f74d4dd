"""Mentor incubation: elite agents and mentors draft drills, quiz questions and cases; trainers
who oversee the author review them (preview as an agent sees it, comment, ask for changes,
publish or reject). A draft is seen by its author and its reviewers only; to anyone else it does
not exist (404). Also the mentor's "second output" page."""
from __future__ import annotations

import json
import random

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for

from .. import authz
from ..i18n import gettext as _
from ..models import (AUTHORED_KINDS, TIERS, AuthoredItem, Bank, Case, Drill, Membership, Question, Rubric, Skill,
                      Team, User)
from ..services import incubation as service
from ..services.assessment_pack import SCENARIOS
from ..services.incubation_payload import form_values
from ..services.question_types import QUESTION_TYPES
from ..services.quizzes import ShownQuestion
from ..services.second_output import of_mentor, second_output
from .access import current_user, requires
from .cases import case_view
from .forms import PostForm

bp = Blueprint("incubation", __name__, url_prefix="/incubation")
output_bp = Blueprint("second_output", __name__, url_prefix="/mentoring/output")


def _settings():
    return current_app.extensions["lms"].settings


def _item(item_id: int, allowed) -> AuthoredItem:
    """The draft, if this user may see it in this way; to anyone else it does not exist."""
    item = AuthoredItem.get_or_none(AuthoredItem.id == item_id)
    if item is None or not allowed(current_user(), item):
        abort(404)
    return item


def _csrf():
    if not PostForm().validate_on_submit():
        abort(400)


def _problems(exc: service.Invalid) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for p in exc.problems:
        found.setdefault(p.field or "", []).append(_(p.message, **p.params) if p.params else _(p.message))
    return found


def _choices(kind: str) -> dict:
    """The options the editing form offers for this kind."""
    if kind == "drill":
        return {"tiers": TIERS, "scenarios": SCENARIOS, "skills": list(Skill.select().order_by(Skill.slug)),
                "rubrics": list(Rubric.select().order_by(Rubric.slug))}
    if kind == "question":
        return {"banks": list(Bank.select().order_by(Bank.tier, Bank.slug)), "types": list(QUESTION_TYPES),
                "skills": list(Skill.select().order_by(Skill.slug))}
    teams = Team.select().join(Membership).where((Membership.user == current_user()) & Membership.ended_on.is_null())
    return {"teams": list(teams)}


def _editor(kind: str, item: AuthoredItem | None):
    """The editing form of a new draft or a revision: on POST, save (every problem named by field)."""
    values = form_values(kind, json.loads(item.payload)) if item else {"difficulty": 1, "match": "exact",
                                                                        "kind": "failure"}
    if kind == "question":
        values.setdefault("type", request.args.get("type", "single"))
        if values["type"] not in QUESTION_TYPES:
            abort(404)
    problems, status = {}, 200
    if request.method == "POST":
        _csrf()
        kept_type = values.get("type")
        values = request.form.to_dict()
        if kind == "question":  # a revision keeps its type; a new question's comes with the form or the URL
            values["type"] = kept_type if item else values.get("type") or kept_type
        try:
            saved = service.save(current_user(), kind, values, _settings(), item)
        except service.Invalid as exc:
            problems, status = _problems(exc), 400
        except service.IncubationError as exc:
            flash(_(exc.message, **exc.params), "error")
            status = 400
        else:
            flash(_("Draft saved."), "success")
            return redirect(url_for("lms.incubation.show", item_id=saved.id)), 303
    return render_template("lms/incubation/edit.html", kind=kind, item=item, values=values, problems=problems,
                           form=PostForm(), **_choices(kind)), status


@bp.route("/")
@requires("agent")
def mine():
    user = current_user()
    return render_template("lms/incubation/mine.html", items=list(service.items_of(user)),
                           may_author=service.may_author(user), kinds=AUTHORED_KINDS)


@bp.route("/new/<kind>", methods=["GET", "POST"])
@requires("agent")
def new(kind):
    if kind not in AUTHORED_KINDS or not service.may_author(current_user()):
        abort(404)
    return _editor(kind, None)


@bp.route("/<int:item_id>/edit", methods=["GET", "POST"])
@requires("agent")
def edit(item_id):
    item = _item(item_id, lambda user, it: it.author_id == user.id and it.status in service.EDITABLE)
    return _editor(item.kind, item)


def preview_of(item: AuthoredItem):
    """The unsaved Drill, question or case the draft would be, for the agent's-eye preview."""
    payload = json.loads(item.payload)
    if item.kind == "drill":
        return Drill(**{k: v for k, v in payload.items() if k != "tags"}, tags=json.dumps(payload.get("tags", [])))
    if item.kind == "question":
        question = Question(type=payload["type"], prompt=payload["prompt"], spec=json.dumps(payload["spec"]))
        shown = QUESTION_TYPES[payload["type"]].present(payload["spec"], random.Random(item.id))
        return ShownQuestion(question, payload["spec"], shown.get("order", []))
    case = Case(title=payload["title"], kind=payload["kind"], summary=payload["summary"], ticket="{}",
                record=json.dumps({"customer": payload["customer"]} if payload.get("customer") else {},
                                  ensure_ascii=False), emotion=json.dumps(payload.get("emotion", [])))
    return case_view(case)


@bp.route("/<int:item_id>")
@requires("agent", "trainer")
def show(item_id):
    item = _item(item_id, service.may_view)
    content = item.drill or item.question or item.case if item.status == "published" else None
    return render_template("lms/incubation/show.html", item=item, preview=preview_of(item), content=content,
                           payload=json.loads(item.payload),
                           thread=service.thread(item), form=PostForm(), is_author=item.author_id == current_user().id,
                           may_review=service.may_review(current_user(), item), editable=service.EDITABLE)


def _step(item: AuthoredItem, action) -> object:
    try:
        action()
    except service.Invalid as exc:
        for field, messages in _problems(exc).items():
            flash(f"{field}: {'; '.join(messages)}", "error")
    except service.IncubationError as exc:
        flash(_(exc.message, **exc.params), "error")
    return redirect(url_for("lms.incubation.show", item_id=item.id)), 303


@bp.route("/<int:item_id>/submit", methods=["POST"])
@requires("agent")
def submit(item_id):
    item = _item(item_id, lambda user, it: it.author_id == user.id)
    _csrf()
    return _step(item, lambda: service.submit(item, current_user(), _settings(), request.form.get("body", "")))


@bp.route("/<int:item_id>/comment", methods=["POST"])
@requires("agent", "trainer")
def comment(item_id):
    item = _item(item_id, service.may_view)
    _csrf()
    return _step(item, lambda: service.comment(item, current_user(), request.form.get("body", "")))


@bp.route("/<int:item_id>/decide", methods=["POST"])
@requires("trainer")
def decide(item_id):
    item = _item(item_id, service.may_review)
    _csrf()
    return _step(item, lambda: service.decide(item, current_user(), request.form.get("decision", ""),
                                              request.form.get("body", ""), _settings()))


@bp.route("/review")
@requires("trainer")
def queue():
    return render_template("lms/incubation/queue.html", items=list(service.queue(current_user())))


@output_bp.route("/<int:user_id>", endpoint="show")
@requires("agent", "trainer", "manager")
def output_page(user_id):
    author = User.get_or_none(User.id == user_id)
    if author is None or not authz.can(current_user(), "view_user", author):
        abort(404)
    output = of_mentor(author, _settings()) or second_output(author)
    return render_template("lms/incubation/output.html", output=output)
