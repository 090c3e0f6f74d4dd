"""Agents' learning: their track with progress and locks, lessons, completing them."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for

from .. import authz
from ..db import database
from ..i18n import gettext as _
from ..models import Activity, Module, Track, User
from ..services import progress as progress_service
from .access import allowed_or_404, current_user, open_or_404, signed_in
from .forms import PostForm

bp = Blueprint("learn", __name__, url_prefix="/learn")



@bp.route("/")
@signed_in
def index():
    user = current_user()
    tracks = [t for t in Track.select().where(Track.published == True)  # noqa: E712
              if authz.can(user, "open_content", t)]
    tracks.sort(key=lambda t: authz.tier_rank(t.tier))
    mine = progress_service.my_track(user)
    if mine is not None and len(tracks) == 1:
        return redirect(url_for("lms.learn.track", slug=mine.slug))
    return render_template("lms/learn/index.html", tracks=tracks, mine=mine)


@bp.route("/tracks/<slug>")
@signed_in
def track(slug):
    user = current_user()
    track = open_or_404(Track, slug)
    state = progress_service.progress(user, track)
    plan = progress_service.newcomer_plan(user, state) if user.tier == track.tier else None
    return render_template("lms/learn/track.html", track=track, state=state, plan=plan,
                           passed=progress_service.passed_track(user, track))


@bp.route("/activities/<slug>")
@signed_in
def activity(slug):
    user = current_user()
    item = (Activity.select(Activity, Module).join(Module)
            .where((Activity.slug == slug) & (Activity.published == True)  # noqa: E712
                   & (Module.published == True)).first())  # noqa: E712
    if item is None:
        abort(404)
    track = open_or_404(Track, item.module.track.slug)
    state = progress_service.progress(user, track)
    module_state = state.state_of(item.module_id)
    if module_state.locked:
        return render_template("lms/learn/locked.html", track=track, activity=item, state=module_state), 403
    return render_template("lms/learn/activity.html", track=track, activity=item, state=module_state,
                           done=item.id in module_state.done, post_form=PostForm(),
                           can_complete=user.has_role("agent"))


@bp.route("/activities/<slug>/complete", methods=["POST"])
@signed_in
def complete(slug):
    user = current_user()
    if not PostForm().validate_on_submit():
        abort(400)
    item = Activity.get_or_none(Activity.slug == slug)
    if item is None:
        abort(404)
    open_or_404(Track, item.module.track.slug)
    try:
        with database.atomic():
            progress_service.complete_lesson(user, item)
    except progress_service.ProgressError as exc:
        flash(_("Not recorded: %(reason)s", reason=_(str(exc))), "error")
        return redirect(url_for("lms.learn.activity", slug=slug)), 303
    flash(_("Done: %(title)s", title=item.title), "info")
    following = progress_service.progress(user, item.module.track).next_activity
    if following is not None:
        return redirect(url_for("lms.learn.activity", slug=following.slug)), 303
    return redirect(url_for("lms.learn.track", slug=item.module.track.slug)), 303


@bp.route("/certificate")
@bp.route("/certificate/<int:user_id>")
@signed_in
def certificate(user_id=None):
    """The go-live certification (上岗认证): the newcomer track passed, printable."""
    viewer = current_user()
    person = viewer if user_id is None else User.get_or_none(User.id == user_id)
    if person is None:
        abort(404)
    allowed_or_404(viewer, "view_user", person)
    track = progress_service.track_of_tier("newcomer")
    certified_on = progress_service.certified_on(person, track) if track is not None else None
    return render_template("lms/learn/certificate.html", person=person, track=track,
                           certified_on=certified_on), 200 if certified_on else 404
