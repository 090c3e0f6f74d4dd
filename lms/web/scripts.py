"""The golden-script library: everyone searches and reads the published scripts, copies them
and practises them as drills; trainers create, edit, approve and retire scripts and promote
techniques from case reviews. Proposals from mentors: lms/web/script_proposals.py."""
from __future__ import annotations

import json

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for

from .. import authz
from ..i18n import gettext as _
from ..models import SCRIPT_CHANNELS, GoldenScript, Technique
from ..resources import content_dir
from ..services import script_library as library
from ..services import script_search
from ..services.assessment_pack import SCENARIOS
from ..services.script_check import check_reply
from ..services.script_pack import TOPIC, topic_label
from ..services.script_rules import RulesError
from .access import current_user, requires, signed_in
from .forms import PostForm
from .script_forms import (CHANNEL_LABELS, ELEMENTS, SCENARIO_LABELS, STATUS_LABELS, ScriptForm,
                           put_problems)

bp = Blueprint("scripts", __name__, url_prefix="/scripts")
LABELS = {"scenario_labels": SCENARIO_LABELS, "channel_labels": CHANNEL_LABELS, "status_labels": STATUS_LABELS,
          "topic_label": topic_label}


def _script_or_404(slug: str) -> GoldenScript:
    script = library.visible(current_user(), slug)
    if script is None:
        abort(404)
    return script


def _arg(name: str, allowed) -> str:
    value = request.args.get(name, "").strip()
    return value if value in allowed else ""


@bp.route("/")
@signed_in
def index():
    user = current_user()
    statuses = library.statuses_for(user)
    status = _arg("status", statuses)
    topic = request.args.get("topic", "").strip()
    filters = script_search.Filters(
        scenario=_arg("scenario", SCENARIOS), topic=topic if TOPIC.match(topic) else "",
        channel=_arg("channel", SCRIPT_CHANNELS), element=_arg("element", ELEMENTS),
        statuses=(status,) if status else tuple(s for s in statuses if s != "retired"))
    query = request.args.get("q", "")[:200]
    hits = script_search.search(query, filters)
    topics = sorted({t for (t,) in GoldenScript.select(GoldenScript.topic).distinct()
                    .where(GoldenScript.status.in_(statuses)).tuples()})
    return render_template("lms/scripts/index.html", hits=hits, query=query, filters=filters, status=status,
                           topics=topics, statuses=statuses, elements=ELEMENTS,
                           curate=authz.can(user, "curate_scripts"), **LABELS)


def _segments(text: str, spans: dict) -> list[tuple[str, str | None]]:
    """The text cut at the elements' spans (the first of overlapping ones kept), for marking."""
    cuts, last = [], 0
    for (start, end), name in sorted((span, name) for name, span in spans.items() if span):
        if start < last:
            continue
        cuts += [(text[last:start], None), (text[start:end], name)]
        last = end
    return [piece for piece in cuts + [(text[last:], None)] if piece[0]]


@bp.route("/<slug>")
@signed_in
def show(slug):
    user = current_user()
    script = _script_or_404(slug)
    rules = content_dir("assessments", current_app.config["LMS_PATHS_ASSESSMENTS"])
    try:
        check = check_reply(script.after, script.scenario, rules)
    except (RulesError, ValueError):
        check = None  # rules missing or broken: the wording is shown unmarked
    declared = json.loads(script.elements or "[]")
    spans = {name: span for name, span in check.element_spans.items() if name in declared} if check else {}
    return render_template("lms/scripts/show.html", script=script, check=check, declared=declared,
                           segments=_segments(script.after, spans), improvements=library.improvements(script),
                           curate=authz.can(user, "curate_scripts"), propose=authz.can(user, "propose_scripts"),
                           practise=user.has_role("agent"), form=PostForm(), **LABELS)


@bp.route("/<slug>/practise", methods=["POST"])
@requires("agent")
def practise(slug):
    script = _script_or_404(slug)
    if not PostForm().validate_on_submit():
        abort(400)
    drill = library.practice_drill(script)
    return redirect(url_for("lms.drills.drill", slug=drill.slug)), 303


def _form(script: GoldenScript | None = None, technique: Technique | None = None):
    """The script form: what was posted, else the script's fields, else a technique's."""
    start = None
    if request.method != "POST" and script is not None:
        start = {**{name: getattr(script, name) for name in library.EDITABLE},
                 "elements": json.loads(script.elements or "[]")}
    elif request.method != "POST" and technique is not None:
        start = library.from_technique(technique)
    form = ScriptForm(data=start)
    form.fill_choices()
    return form


def _technique(raw) -> Technique | None:
    if not raw:
        return None
    technique = Technique.get_or_none(Technique.id == int(raw)) if str(raw).isdigit() else None
    if technique is None:
        abort(404)
    return technique


@bp.route("/new", methods=["GET", "POST"])
@requires("trainer")
def new():
    technique = _technique(request.values.get("technique"))
    form = _form(technique=technique)
    if technique is not None:
        form.technique.data = str(technique.id)
    if form.validate_on_submit():
        author = library.technique_author(technique) if technique else current_user()
        try:
            script = library.create(form.data_dict(), current_user(), source="technique" if technique else "web",
                                    author=author, technique=technique)
        except library.ScriptInvalid as exc:
            put_problems(form, exc.problems)
        else:
            flash(_("Draft saved. Check it, then approve it to publish."), "success")
            return redirect(url_for("lms.scripts.show", slug=script.slug)), 303
    status = 400 if request.method == "POST" else 200
    return render_template("lms/scripts/form.html", form=form, script=None, technique=technique), status


@bp.route("/<slug>/edit", methods=["GET", "POST"])
@requires("trainer")
def edit(slug):
    script = _script_or_404(slug)
    form = _form(script)
    if form.validate_on_submit():
        try:
            script = library.update(script, form.data_dict(), current_user())
        except library.ScriptInvalid as exc:
            put_problems(form, exc.problems)
        else:
            flash(_("Saved."), "success")
            return redirect(url_for("lms.scripts.show", slug=script.slug)), 303
    status = 400 if request.method == "POST" else 200
    return render_template("lms/scripts/form.html", form=form, script=script, technique=None), status


@bp.route("/<slug>/approve", methods=["POST"])
@requires("trainer")
def approve(slug):
    script = _script_or_404(slug)
    if not PostForm().validate_on_submit():
        abort(400)
    library.approve(script, current_user())
    flash(_("Approved and published."), "success")
    return redirect(url_for("lms.scripts.show", slug=slug)), 303


@bp.route("/<slug>/retire", methods=["POST"])
@requires("trainer")
def retire(slug):
    script = _script_or_404(slug)
    if not PostForm().validate_on_submit():
        abort(400)
    library.retire(script, current_user())
    flash(_("Retired: agents no longer see it."), "info")
    return redirect(url_for("lms.scripts.show", slug=slug)), 303


@bp.route("/techniques")
@requires("trainer")
def techniques():
    """Techniques kept from case reviews, each promotable into a draft script (once)."""
    found = list(Technique.select().order_by(Technique.flagged_at.desc()).limit(200))
    promoted = {s.technique_id: s for s in GoldenScript.select().where(
        GoldenScript.technique.in_([t.id for t in found] or [0]))}
    return render_template("lms/scripts/techniques.html", techniques=found, promoted=promoted)


from . import script_proposals  # noqa: E402,F401  (its routes are on this blueprint)
