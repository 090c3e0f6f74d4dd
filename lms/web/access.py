"""Who is signed in, and the access rule every route declares.

Each view is wrapped by exactly one of @public, @signed_in or @requires(*roles); the rule is
kept on the view so that a test can walk the URL map and fail on a route without one.
"""
from __future__ import annotations

import functools

from flask import abort, current_app, g, redirect, request, url_for
from flask_login import current_user as login_user_proxy

from .. import authz
from ..models import User

# Pages a user who must still choose a password may reach.
PASSWORD_CHANGE_ENDPOINTS = {"lms.auth.change_password", "lms.auth.logout", "lms.auth.set_locale"}


def current_user() -> User | None:
    """The LMS user of this request (in a host app: the host's user mapped to ours)."""
    if "lms_user" not in g:
        g.lms_user = _resolve()
    return g.lms_user


def _resolve() -> User | None:
    state = current_app.extensions["lms"]
    principal = login_user_proxy._get_current_object() if login_user_proxy else None
    if principal is None or not getattr(principal, "is_authenticated", False):
        return None
    if isinstance(principal, User):
        return principal if principal.active else None
    user = state.resolve_host_user(principal) if state.resolve_host_user else None
    return user if user is not None and user.active else None


def _login_redirect():
    if request.blueprint and request.blueprint.startswith("lms.api"):
        abort(401)
    return redirect(url_for(current_app.extensions["lms"].login_endpoint, next=request.full_path.rstrip("?")))


def _rule(kind: str, roles: tuple[str, ...] = ()):
    def decorate(view):
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            if kind != "public":
                user = current_user()
                if user is None:
                    return _login_redirect()
                if user.must_change_password and request.endpoint not in PASSWORD_CHANGE_ENDPOINTS \
                        and current_app.extensions["lms"].owns_login:
                    return redirect(url_for("lms.auth.change_password"))
                if roles and not (user.has_role(*roles) or authz.is_admin(user)):
                    abort(403)
            return view(*args, **kwargs)

        wrapper.lms_access = (kind, roles)
        return wrapper

    return decorate


public = _rule("public")
signed_in = _rule("signed_in")


def requires(*roles: str):
    """Signed in and holding one of these roles (admins pass every role check)."""
    return _rule("roles", roles)


def api_token(scope: str):
    """An API route: a live bearer token with this scope, or 401 (no session cookie involved)."""
    def decorate(view):
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            from ..services.api_tokens import authenticate

            header = request.headers.get("Authorization", "")
            token = header[7:].strip() if header.lower().startswith("bearer ") else None
            g.api_token = authenticate(token, scope)
            if g.api_token is None:
                abort(401)
            return view(*args, **kwargs)

        wrapper.lms_access = ("token", (scope,))
        return wrapper

    return decorate


def open_or_404(model, slug: str):
    """A published track, bank or drill of a tier this user may open; anything else is a 404."""
    row = model.get_or_none((model.slug == slug) & (model.published == True))  # noqa: E712
    if row is None or not authz.can(current_user(), "open_content", row):
        abort(404)
    return row


def allowed_or_404(user: User, action: str, obj) -> None:
    """Object-level check: a record the user may not see is answered as if it did not exist."""
    if not authz.can(user, action, obj):
        abort(404)
