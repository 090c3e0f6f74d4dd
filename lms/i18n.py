"""Translations in our own Flask-Babel domain, so a host's catalogs and ours never mix.

The Chinese catalog sits under `zh`: Babel reads the setting zh_CN as zh_Hans_CN and falls
back to the bare language, so one catalog serves every Chinese locale.
"""
from __future__ import annotations

from pathlib import Path

from flask import current_app, request
from flask_babel import Domain, get_locale

LOCALES = ("zh_CN", "en")
domain = Domain(translation_directories=[str(Path(__file__).parent / "translations")], domain="lms")
gettext = domain.gettext
ngettext = domain.ngettext
lazy_gettext = domain.lazy_gettext
_ = gettext


def current_locale() -> str:
    """The interface language of this request as one of LOCALES (Babel says zh_Hans_CN)."""
    return "zh_CN" if get_locale() is not None and get_locale().language == "zh" else "en"


def select_locale(user=None) -> str:
    """The user's own setting, then the browser's preference, then the configured default."""
    if user is not None and user.locale in LOCALES:
        return user.locale
    chosen = request.cookies.get("lms_locale") if request else None
    if chosen in LOCALES:
        return chosen
    if request:
        best = request.accept_languages.best_match(["zh_CN", "zh", "en"])
        if best:
            return "zh_CN" if best.startswith("zh") else "en"
    return current_app.config["LMS_DEFAULT_LOCALE"]
