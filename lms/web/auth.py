"""Signing in and out, first-login and own password changes, invite links, language."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import (Blueprint, abort, current_app, flash, redirect, render_template, request,
                   url_for)
from flask_login import login_user, logout_user

from ..db import database, write_transaction
from ..i18n import gettext as _
from ..i18n import LOCALES
from ..models import User
from ..services import accounts, clock, throttle
from .access import current_user, public, signed_in
from .client import client_address
from .forms import ChangePasswordForm, LoginForm, NewPasswordForm, PostForm

bp = Blueprint("auth", __name__)


def _limits() -> throttle.Limits:
    c = current_app.config
    return throttle.Limits(c["LMS_SECURITY_ACCOUNT_MAX_FAILURES"], c["LMS_SECURITY_ADDRESS_MAX_FAILURES"],
                           c["LMS_SECURITY_FAILURE_WINDOW_MINUTES"], c["LMS_SECURITY_LOCKOUT_MINUTES"])


def safe_next(target: str | None) -> str:
    """Only a path on this site: never an absolute or scheme-relative URL (open redirect)."""
    default = url_for("lms.home.index")
    if not target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") \
            or "\\" in target or any(ord(c) < 0x20 or ord(c) == 0x7f for c in target):
        return default  # control characters: browsers drop some, and a newline breaks the header (500)
    return target


def _find_account(identifier: str) -> User | None:
    identifier = identifier.strip()
    user = User.get_or_none(User.employee_no == identifier)
    if user is None and "@" in identifier:
        user = User.select().where(User.email == identifier.lower()).first()
    return user


def _password_rules_error(form, user) -> str | None:
    problem = accounts.password_problem(form.password.data, current_app.config["LMS_SECURITY_MIN_PASSWORD_LENGTH"],
                                        user)
    if problem is None:
        return None
    template, values = problem
    return _("Password not accepted: %(problem)s.", problem=_(template, **values))


@bp.route("/login", methods=["GET", "POST"])
@public
def login():
    if not current_app.extensions["lms"].owns_login:
        abort(404)  # the host app signs people in
    if current_user() is not None:
        return redirect(safe_next(request.args.get("next")))
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        account, address, limits = form.employee_no.data.strip(), client_address(), _limits()
        user = _find_account(account)
        # Failures count against the account however it was typed (employee no. or e-mail).
        account = user.employee_no if user is not None else account
        if throttle.blocked(account, address, limits):
            flash(_("Too many failed attempts. Try again in %(minutes)d minutes.",
                    minutes=limits.lockout_minutes), "error")
            return render_template("lms/auth/login.html", form=form), 429
        # Read and check the password (scrypt, ~0.1 s) outside any transaction, then write in a
        # short one that takes SQLite's write lock at BEGIN: a transaction that read first and
        # wrote afterwards failed with "database is locked" under concurrent sign-ins.
        if user is not None and user.active and accounts.check_password(user, form.password.data):
            with write_transaction():
                throttle.record_success(account)
                user.last_login_at = clock.utcnow()
                # Only this column: saving the whole row would undo a concurrent admin change.
                User.update(last_login_at=user.last_login_at).where(User.id == user.id).execute()
            login_user(user)
            if user.must_change_password:
                return redirect(url_for("lms.auth.change_password"))
            return redirect(safe_next(request.args.get("next")))
        throttle.record_failure(account, address)  # one statement: atomic by itself
        # The same words whether the account exists or not: no user enumeration.
        flash(_("Employee no. or password is wrong, or the account is inactive."), "error")
        status = 401
    elif request.method == "POST":
        status = 400
    return render_template("lms/auth/login.html", form=form), status


@bp.route("/logout", methods=["POST"])
@signed_in
def logout():
    if not PostForm().validate_on_submit():
        abort(400)
    logout_user()
    flash(_("You have signed out."), "info")
    if not current_app.extensions["lms"].owns_login:
        return redirect("/")
    return redirect(url_for("lms.auth.login"))


@bp.route("/password", methods=["GET", "POST"])
@signed_in
def change_password():
    user = current_user()
    if not current_app.extensions["lms"].owns_login:
        abort(404)
    first_login = user.must_change_password
    form = NewPasswordForm() if first_login else ChangePasswordForm()
    status = 200
    if form.validate_on_submit():
        error = _password_rules_error(form, user)
        if not first_login and not accounts.check_password(user, form.current.data):
            error = _("The current password is wrong.")
        elif first_login and accounts.check_password(user, form.password.data):
            error = _("Choose a password different from the one you were given.")
        if error is None:
            with database.atomic():
                accounts.set_password(user, form.password.data)
                accounts.audit("account.password_changed", user.employee_no, user)
            login_user(user)  # the session id carries the new session version
            flash(_("Your password has been changed."), "info")
            return redirect(url_for("lms.home.index"))
        flash(error, "error")
        status = 400
    elif request.method == "POST":
        status = 400
    return render_template("lms/auth/password.html", form=form, first_login=first_login), status


@bp.route("/welcome/<token>", methods=["GET", "POST"])
@public
def redeem_link(token):
    """An invite or reset link: choose a password, then sign in. Works once, until it expires."""
    if not current_app.extensions["lms"].owns_login:
        abort(404)
    row = accounts.find_link_token(token)
    if row is None:
        return render_template("lms/auth/link_invalid.html"), 410
    form = NewPasswordForm()
    status = 200
    if form.validate_on_submit():
        error = _password_rules_error(form, row.user)
        if error is None:
            try:
                user = accounts.redeem_link_token(token, form.password.data)
            except accounts.AccountError:
                return render_template("lms/auth/link_invalid.html"), 410
            login_user(user)
            flash(_("Welcome! Your password is set."), "info")
            return redirect(url_for("lms.home.index"))
        flash(error, "error")
        status = 400
    elif request.method == "POST":
        status = 400
    return render_template("lms/auth/welcome.html", form=form, user=row.user), status


@bp.route("/locale/<code>", methods=["POST"])
@public
def set_locale(code):
    """Switch the interface language: saved on the account, or in a cookie before sign-in."""
    if code not in LOCALES or not PostForm().validate_on_submit():
        abort(400)
    user = current_user()
    if user is not None:
        user.locale = code
        user.save()
    response = redirect(safe_next(request.form.get("next")))
    response.set_cookie("lms_locale", code, max_age=365 * 24 * 3600, samesite="Lax", httponly=True,
                        secure=current_app.config.get("SESSION_COOKIE_SECURE", False))
    return response
