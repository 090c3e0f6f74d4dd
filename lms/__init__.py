"""Tiered LMS: skills training for contact-center agents, tied to their real service KPIs.

`create_app()` builds the standalone application; a host Flask app mounts the same product
with `LMS().init_app(host, url_prefix="/training")`.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from flask import Flask
from flask_babel import Babel
from flask_login import LoginManager

from . import db
from .config import ConfigError, Settings, load_settings
from .services import clock

__all__ = ["LMS", "create_app", "ConfigError"]


@dataclass
class LMSState:
    """What the extension keeps per app, in app.extensions["lms"] (never on the LMS object)."""
    settings: Settings
    url_prefix: str
    owns_login: bool  # False when the host's Flask-Login manager signs people in
    login_endpoint: str
    resolve_host_user: Callable | None = None


def _default_host_user_resolver(principal):
    """Map a host app's signed-in user to ours by employee no., else by e-mail."""
    from .models import User

    employee_no = getattr(principal, "employee_no", None)
    if employee_no:
        return User.get_or_none(User.employee_no == str(employee_no))
    email = getattr(principal, "email", None)
    return User.get_or_none(User.email == email) if email else None


class LMS:
    """The Flask extension: blueprints, CLI, templates and database hooks of the product."""

    def __init__(self, app: Flask | None = None, **kwargs):
        if app is not None:
            self.init_app(app, **kwargs)

    def init_app(self, app: Flask, url_prefix: str | None = None, config_path=None,
                 settings: Settings | None = None, user_resolver: Callable | None = None, **overrides):
        # 1. Settings: the host's LMS_* keys and explicit overrides over the config file.
        if settings is None:
            from_host = {key[4:].lower(): value for key, value in app.config.items()
                         if key.startswith("LMS_") and key != "LMS_CONFIG"}
            settings = load_settings(config_path, {**from_host, **overrides})
        app.config.update(settings.flask_config())
        clock.set_timezone(settings["timezone"])

        # 2. Database: bind the proxy now; connections open per request on our blueprint.
        db.bind(settings["database.url"], pool_size=settings["database.pool_size"],
                busy_timeout_ms=settings["database.busy_timeout_ms"])

        # 3. Sign-in: reuse the host's Flask-Login manager if it has one.
        owns_login = not hasattr(app, "login_manager")
        if owns_login:
            manager = LoginManager(app)
            manager.login_view = "lms.auth.login"
            manager.user_loader(_load_user)
            login_endpoint = "lms.auth.login"
        else:
            login_endpoint = app.login_manager.login_view or "lms.auth.login"
        app.extensions["lms"] = LMSState(
            settings=settings, url_prefix=url_prefix or "", owns_login=owns_login,
            login_endpoint=login_endpoint,
            resolve_host_user=None if owns_login else (user_resolver or _default_host_user_resolver))

        # 4. Translations: our own domain; install Babel only if the host has none.
        if "babel" not in app.extensions:
            from .i18n import select_locale
            from .web.access import current_user

            Babel(app, default_locale=settings["default_locale"],
                  default_timezone=settings["timezone"],
                  locale_selector=lambda: select_locale(current_user()))

        # 5. Routes and commands.
        from .commands import cli
        from .web import create_blueprint

        app.register_blueprint(create_blueprint(), url_prefix=url_prefix)
        app.cli.add_command(cli, "lms")
        return app


def _load_user(user_id: str):
    from .models import User

    ident, _, version = user_id.partition(".")
    if not ident.isdigit() or not version.isdigit():
        return None
    user = User.get_or_none(User.id == int(ident))
    # A session from before a password change or deactivation no longer counts.
    if user is None or str(user.session_version) != version or not user.active:
        return None
    return user


def create_app(config_path=None, **overrides) -> Flask:
    """The standalone application: settings from the file/env/arguments, the LMS at `/`."""
    flask_keys = {k: v for k, v in overrides.items() if k.isupper()}
    settings = load_settings(config_path, {k: v for k, v in overrides.items() if not k.isupper()})
    app = Flask(__name__, static_folder=None, instance_path=str(Path("instance").resolve()),
                template_folder=None)
    app.config.update(
        SECRET_KEY=settings["secret_key"],
        SESSION_COOKIE_NAME="lms_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings["env"] == "production",
        REMEMBER_COOKIE_SECURE=settings["env"] == "production",
        REMEMBER_COOKIE_HTTPONLY=True,
        PERMANENT_SESSION_LIFETIME=dt.timedelta(hours=settings["security.session_hours"]),
        MAX_CONTENT_LENGTH=settings["security.max_upload_mb"] * 1024 * 1024,
    )
    app.config.update(flask_keys)
    LMS().init_app(app, settings=settings)
    _register_error_pages(app)
    return app


def _register_error_pages(app: Flask) -> None:
    """App-wide error pages: the standalone app only (a host keeps its own)."""
    from .web import error_page, security_headers

    for code in (400, 403, 404, 405, 413, 429, 500):
        app.register_error_handler(code, error_page)
    # A URL no route matches never reaches our blueprint's hooks: its page needs the headers too.
    app.after_request(security_headers)
