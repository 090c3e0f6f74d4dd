"""Each signed-in person's own notifications: newest first, unread highlighted, mark as read."""
from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, abort, redirect, render_template, request, url_for

from ..models.notify import Notification
from ..services import clock
from ..services.notify import ALL, mark_read, page_of, safe_link, unread_count
from .access import current_user, signed_in
from .forms import PostForm

bp = Blueprint("notifications", __name__, url_prefix="/notifications")

PAGE_SIZE = 50


@dataclass(frozen=True)
class Shown:
    """A notification as the page shows it: local time, and a link only when it stays inside."""
    id: int
    title: str
    body: str
    href: str
    when: str
    unread: bool


def _shown(notification: Notification, lms_root: str) -> Shown:
    path = safe_link(notification.link)  # checked again here: rows may come from anywhere
    return Shown(id=notification.id, title=notification.title, body=notification.body,
                 href=lms_root + path if path else "",
                 when=clock.local(notification.created_at).strftime("%Y-%m-%d %H:%M"),
                 unread=notification.read_at is None)


@bp.route("/")
@signed_in
def index():
    user = current_user()
    page = max(request.args.get("page", 1, type=int), 1)
    rows, has_next = page_of(user, page, PAGE_SIZE)
    # Links are stored as paths inside the LMS; mounted in a host app it lives under a prefix.
    lms_root = url_for("lms.home.index").rstrip("/")
    return render_template("lms/notifications/index.html", items=[_shown(n, lms_root) for n in rows],
                           unread=unread_count(user), page=page, has_next=has_next, form=PostForm())


@bp.route("/read", methods=["POST"])
@signed_in
def read():
    """Mark one (`id`) or all (`all`) of one's own notifications read, then back to the list."""
    if not PostForm().validate_on_submit():
        abort(400)
    ident = request.form.get("id", "")
    if request.form.get("all"):
        mark_read(current_user(), ALL)
    elif ident.isdigit():
        mark_read(current_user(), [int(ident)])
    else:
        abort(400)
    return redirect(url_for("lms.notifications.index")), 303
