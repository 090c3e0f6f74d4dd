"""Scenario drills: agents reply to a customer and see the script checker's reading at once;
trainers grade the replies of their teams with the drill's rubric."""
from __future__ import annotations

import json

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for

from .. import authz
from ..i18n import gettext as _
from ..models import Drill, DrillReply
from ..resources import content_dir
from ..services import drills as drill_service
from ..services import rubrics
from .access import current_user, open_or_404, requires
from .forms import PostForm

bp = Blueprint("drills", __name__)


def _rules_path():
    return content_dir("assessments", current_app.config["LMS_PATHS_ASSESSMENTS"])



@bp.route("/drills/")
@requires("agent")
def index():
    rows = [d for d in Drill.select().where(Drill.published == True).order_by(Drill.tier, Drill.slug)  # noqa: E712
            if authz.can(current_user(), "open_content", d)]
    return render_template("lms/drills/index.html", drills=rows)


@bp.route("/drills/<slug>", methods=["GET", "POST"])
@requires("agent")
def drill(slug):
    drill = open_or_404(Drill, slug)
    form = PostForm()
    status, text = 200, ""
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        text = request.form.get("reply", "")
        try:
            reply = drill_service.submit(current_user(), drill, text, _rules_path())
        except drill_service.DrillError as exc:
            flash(_(str(exc)), "error")
            status = 400
        else:
            return redirect(url_for("lms.drills.drill", slug=slug, _anchor=f"reply-{reply.id}")), 303
    replies = list(DrillReply.select().where((DrillReply.user == current_user()) & (DrillReply.drill == drill))
                   .order_by(DrillReply.submitted_at.desc()))
    return render_template("lms/drills/drill.html", drill=drill, form=form, text=text, replies=replies,
                           checks={r.id: json.loads(r.checker) for r in replies},
                           grades={r.id: _criteria_grades(r) for r in replies if r.graded_at}), status


def _criteria_grades(reply: DrillReply) -> list[tuple[dict, int | None]]:
    """Each criterion of the rubric version used, with the level given (None: not applicable)."""
    levels = json.loads(reply.levels or "{}")
    return [(criterion, levels.get(criterion["id"])) for criterion in rubrics.criteria_of(reply.rubric_version)]


@bp.route("/grading/")
@requires("trainer", "mentor")
def queue():
    return render_template("lms/drills/queue.html", replies=list(drill_service.queue(current_user())))


@bp.route("/grading/<int:reply_id>", methods=["GET", "POST"])
@requires("trainer", "mentor")
def grade(reply_id):
    reply = DrillReply.get_or_none(DrillReply.id == reply_id)
    if reply is None or not drill_service.may_grade(current_user(), reply):
        abort(404)
    version = rubrics.current_version(reply.drill.rubric)
    form = PostForm()
    status = 200
    if request.method == "POST" and reply.graded_at is None:
        if not form.validate_on_submit():
            abort(400)
        levels = {}
        for criterion in rubrics.criteria_of(version) if version else []:
            raw = request.form.get(f"level_{criterion['id']}", "")
            levels[criterion["id"]] = None if raw == "na" else int(raw) if raw.lstrip("-").isdigit() else -1
        try:
            drill_service.grade(reply, current_user(), levels, request.form.get("comment", ""),
                                current_app.extensions["lms"].settings)
        except (drill_service.DrillError, rubrics.RubricError) as exc:
            message = exc.message if isinstance(exc, rubrics.RubricError) else str(exc)
            flash(_(message, criterion=getattr(exc, "criterion", "")), "error")
            status = 400
        else:
            flash(_("Graded."), "info")
            return redirect(url_for("lms.drills.queue")), 303
    used = reply.rubric_version or version
    return render_template("lms/drills/grade.html", reply=reply, check=json.loads(reply.checker),
                           criteria=rubrics.criteria_of(used) if used else [], version=used, form=form,
                           levels=json.loads(reply.levels) if reply.levels else {}), status
