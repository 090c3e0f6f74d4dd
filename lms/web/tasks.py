"""An agent's daily micro-tasks: today's first, doing it, the result and the same-day KPI read-out."""
from __future__ import annotations

import json

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for

from ..i18n import gettext as _
from ..models import MicroTask, MicroTemplate
from ..resources import content_dir
from ..services import clock, microtasks
from .access import current_user, requires
from .forms import PostForm
from .quiz import _parse_answers

bp = Blueprint("tasks", __name__, url_prefix="/tasks")
HISTORY = 30


def _own_task(task_id: int) -> MicroTask:
    task = (MicroTask.select(MicroTask, MicroTemplate).join(MicroTemplate)
            .where((MicroTask.id == task_id) & (MicroTask.user == current_user())).first())
    if task is None:
        abort(404)
    return task


@bp.route("/")
@requires("agent")
def index():
    user = current_user()
    today = clock.today()
    history = list(MicroTask.select(MicroTask, MicroTemplate).join(MicroTemplate)
                   .where(MicroTask.user == user).order_by(MicroTask.day.desc()).limit(HISTORY))
    done = sum(t.status == "done" for t in history)
    return render_template("lms/tasks/index.html", today_task=microtasks.today_task(user, today), history=history,
                           streak=microtasks.streak(user, today), done=done, today=today)


@bp.route("/<int:task_id>", methods=["GET", "POST"])
@requires("agent")
def task(task_id):
    task = _own_task(task_id)
    form = PostForm()
    kind = task.template.kind
    shown = microtasks.shown_items(task) if kind == "quiz" else []
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        try:
            microtasks.complete(task, rules_path=content_dir("assessments", current_app.config["LMS_PATHS_ASSESSMENTS"]),
                                answer=request.form.get("answer", ""), answers=_parse_answers(shown, request.form))
        except microtasks.MicroTaskError as exc:
            flash(_(str(exc)), "error")
            return render_template("lms/tasks/task.html", task=task, form=form, shown=shown, spec=microtasks.spec_of(task),
                                   result=None, readout=None, answer=request.form.get("answer", "")), 400
        return redirect(url_for("lms.tasks.task", task_id=task.id))
    result = json.loads(task.result) if task.result else None
    return render_template("lms/tasks/task.html", task=task, form=form, shown=shown, spec=microtasks.spec_of(task),
                           result=result, readout=microtasks.readout(task) if task.status == "done" else None,
                           answer="")
