"""Trainers' curriculum authoring: tracks, modules and activities; order, publishing, live preview.

The views validate forms and hand the work to lms.services.authoring; a user mistake comes back
as an AuthoringError and is shown on the form with a 400.
"""
from __future__ import annotations

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for

from .. import authz
from ..i18n import gettext as _
from ..i18n import lazy_gettext as _l
from ..labels import tier_label
from ..markup import render_markdown
from ..models import TIERS, Activity, Module, ModulePrerequisite, Track
from ..services import authoring, clock
from .access import current_user, requires
from .forms import (ACTIVITY_KIND_LABELS, ActivityForm, ModuleForm, MoveForm, NewActivityForm, NewModuleForm,
                    NewTrackForm, PostForm, PreviewForm, PublishForm, TrackForm, choices)

bp = Blueprint("authoring", __name__, url_prefix="/authoring")
MODELS = {"tracks": Track, "modules": Module, "activities": Activity}
ACTION_LABELS = {"created": _l("created"), "web_edit": _l("edited"), "moved": _l("moved"),
                 "published": _l("published"), "unpublished": _l("unpublished"),
                 "load:created": _l("loaded from a pack (new)"), "load:updated": _l("loaded from a pack"),
                 "load:retired": _l("retired by a pack load")}
KIND_LABELS = {"track": _l("track"), "module": _l("module"), "activity": _l("activity")}


def _get(model, slug: str):
    row = model.get_or_none(model.slug == slug)
    if row is None:
        abort(404)
    return row


def _track_url(track: Track, anchor: str | None = None) -> str:
    return url_for("lms.authoring.track", slug=track.slug, _anchor=anchor)


def _form_page(form, template: str, save, done, **context):
    """GET: the form. POST: validate, save through the service, redirect; or the form again, 400."""
    status = 200
    if request.method == "POST":
        status = 400
        if form.validate_on_submit():
            try:
                result = save()
            except authoring.AuthoringError as exc:
                message = _(exc.message, **exc.params)
                field = form._fields.get(exc.field) if exc.field else None
                if field is not None:
                    field.errors = [*field.errors, message]
                else:
                    flash(message, "error")
            else:
                return done(result)
        elif "csrf_token" in form.errors:
            flash(_("The form expired; please submit it again."), "error")
    return render_template(template, form=form, **context), status


@bp.route("/")
@requires("trainer")
def index():
    tracks = sorted(Track.select(), key=lambda t: authz.tier_rank(t.tier))
    counts = {t.id: t.modules.count() for t in tracks}
    free_tiers = [t for t in TIERS if t not in {track.tier for track in tracks}]
    return render_template("lms/authoring/index.html", tracks=tracks, counts=counts, free_tiers=free_tiers)


@bp.route("/tracks/new", methods=["GET", "POST"])
@requires("trainer")
def track_new():
    form = NewTrackForm()
    taken = {t.tier for t in Track.select(Track.tier)}
    form.tier.choices = choices((t, tier_label(t)) for t in TIERS if t not in taken)

    def save():
        return authoring.create_track(current_user(), slug=form.slug.data, tier=form.tier.data,
                                      title=form.title.data, summary=form.summary.data, weeks=form.weeks.data)

    def done(track):
        flash(_("Track %(title)s created.", title=track.title), "info")
        return redirect(_track_url(track)), 303

    return _form_page(form, "lms/authoring/track_form.html", save, done, track=None)


@bp.route("/tracks/<slug>")
@requires("trainer")
def track(slug):
    track = _get(Track, slug)
    modules = list(track.modules.order_by(Module.position, Module.id))
    ids = [m.id for m in modules] or [0]
    activities = {m.id: [] for m in modules}
    for activity in Activity.select().where(Activity.module.in_(ids)).order_by(Activity.position, Activity.id):
        activities[activity.module_id].append(activity)
    titles = {m.id: m.title for m in modules}
    requires_ = {m.id: [] for m in modules}
    for link in ModulePrerequisite.select().where(ModulePrerequisite.module.in_(ids)):
        requires_[link.module_id].append(titles.get(link.requires_id, "?"))
    return render_template("lms/authoring/track.html", track=track, modules=modules, activities=activities,
                           prerequisites=requires_, history=authoring.history(track), post_form=PostForm(),
                           action_labels=ACTION_LABELS, kind_labels=KIND_LABELS,
                           activity_kinds=ACTIVITY_KIND_LABELS, local=clock.local)


@bp.route("/tracks/<slug>/edit", methods=["GET", "POST"])
@requires("trainer")
def track_edit(slug):
    track = _get(Track, slug)
    form = TrackForm(obj=track)

    def save():
        return authoring.update_track(current_user(), track, title=form.title.data, summary=form.summary.data,
                                      weeks=form.weeks.data)

    return _form_page(form, "lms/authoring/track_form.html", save, lambda changed: _saved(changed, track),
                      track=track)


def _saved(changed: list[str], track: Track, anchor: str | None = None):
    flash(_("Saved.") if changed else _("Nothing changed."), "info")
    return redirect(_track_url(track, anchor)), 303


def _prerequisite_choices(form: ModuleForm, track: Track, module: Module | None) -> None:
    others = track.modules.order_by(Module.position)
    form.prerequisites.choices = choices((m.slug, m.title) for m in others if module is None or m.id != module.id)


@bp.route("/tracks/<slug>/modules/new", methods=["GET", "POST"])
@requires("trainer")
def module_new(slug):
    track = _get(Track, slug)
    form = NewModuleForm()
    _prerequisite_choices(form, track, None)

    def save():
        return authoring.create_module(current_user(), track, slug=form.slug.data, title=form.title.data,
                                       summary=form.summary.data, week=form.week.data,
                                       prerequisites=form.prerequisites.data)

    def done(module):
        flash(_("Module %(title)s created.", title=module.title), "info")
        return redirect(_track_url(track, f"module-{module.slug}")), 303

    return _form_page(form, "lms/authoring/module_form.html", save, done, track=track, module=None)


@bp.route("/modules/<slug>", methods=["GET", "POST"])
@requires("trainer")
def module_edit(slug):
    module = _get(Module, slug)
    form = ModuleForm(obj=module)
    _prerequisite_choices(form, module.track, module)
    if request.method == "GET":
        form.prerequisites.data = authoring.prerequisite_slugs(module)

    def save():
        return authoring.update_module(current_user(), module, title=form.title.data, summary=form.summary.data,
                                       week=form.week.data, prerequisites=form.prerequisites.data)

    return _form_page(form, "lms/authoring/module_form.html", save,
                      lambda changed: _saved(changed, module.track, f"module-{module.slug}"),
                      track=module.track, module=module)


def _activity_page(form, module: Module, activity: Activity | None, save, done):
    context = {"module": module, "activity": activity, "track": module.track,
               "activity_kinds": ACTIVITY_KIND_LABELS, "preview": render_markdown(form.body.data)}
    if request.method == "POST" and "preview" in request.form:
        # The no-JS preview: render what was typed, save nothing.
        return render_template("lms/authoring/activity_form.html", form=form, **context)
    return _form_page(form, "lms/authoring/activity_form.html", save, done, **context)


@bp.route("/modules/<slug>/activities/new", methods=["GET", "POST"])
@requires("trainer")
def activity_new(slug):
    module = _get(Module, slug)
    form = NewActivityForm()

    def save():
        return authoring.create_activity(current_user(), module, slug=form.slug.data, kind=form.kind.data,
                                         title=form.title.data, minutes=form.minutes.data,
                                         required=form.required.data, body=form.body.data, ref=form.ref.data)

    def done(activity):
        flash(_("Activity %(title)s created.", title=activity.title), "info")
        return redirect(_track_url(module.track, f"module-{module.slug}")), 303

    return _activity_page(form, module, None, save, done)


@bp.route("/activities/<slug>", methods=["GET", "POST"])
@requires("trainer")
def activity_edit(slug):
    activity = _get(Activity, slug)
    form = ActivityForm(obj=activity)

    def save():
        return authoring.update_activity(current_user(), activity, title=form.title.data,
                                         minutes=form.minutes.data, required=form.required.data,
                                         body=form.body.data, ref=form.ref.data)

    module = activity.module
    return _activity_page(form, module, activity, save,
                          lambda changed: _saved(changed, module.track, f"module-{module.slug}"))


def _back_to(row):
    if isinstance(row, Track):
        return _track_url(row)
    module = row if isinstance(row, Module) else row.module
    return _track_url(module.track, f"module-{module.slug}")


@bp.route("/<kind>/<slug>/move", methods=["POST"])
@requires("trainer")
def move(kind, slug):
    if kind not in ("modules", "activities"):
        abort(404)
    row = _get(MODELS[kind], slug)
    form = MoveForm()
    if not form.validate_on_submit():
        abort(400)
    if not authoring.move(current_user(), row, form.direction.data):
        flash(_("%(title)s is already at the end.", title=row.title), "info")
    return redirect(_back_to(row)), 303


@bp.route("/<kind>/<slug>/publish", methods=["POST"])
@requires("trainer")
def publish(kind, slug):
    if kind not in MODELS:
        abort(404)
    row = _get(MODELS[kind], slug)
    form = PublishForm()
    if not form.validate_on_submit():
        abort(400)
    published = form.published.data == "1"
    authoring.set_published(current_user(), row, published)
    if published:
        flash(_("%(title)s is published.", title=row.title), "info")
    else:
        flash(_("%(title)s is unpublished; agents no longer see it.", title=row.title), "info")
    return redirect(_back_to(row)), 303


@bp.route("/preview", methods=["POST"])
@requires("trainer")
def preview():
    """The lesson preview for preview.js: sanitised HTML, rendered only by render_markdown."""
    form = PreviewForm()
    if not form.validate_on_submit():
        abort(400)
    return jsonify(html=str(render_markdown(form.body.data)))
