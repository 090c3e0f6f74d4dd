"""Security headers on every kind of response (pages, error pages, JSON, static files, CSV and
other downloads), session cookie flags in development and production, and templates without
inline script, event handlers or inline styles."""
from __future__ import annotations

import io
import re
from pathlib import Path

import pytest

from lms import create_app
from lms.db import database
from lms.services import api_tokens
from lms.resources import shipped_dir

from ..factories import client_for, csrf_token, login, make_user
from .world import build, path_of

PRODUCTION_SECRET = "a-production-secret-key-of-more-than-24-characters"


def header_problems(response) -> list[str]:
    """What is missing or weak in one response's security headers."""
    problems = []
    csp = response.headers.get("Content-Security-Policy", "")
    directives = {part.split()[0]: part.split()[1:] for part in (p.strip() for p in csp.split(";")) if part}
    scripts = directives.get("script-src", directives.get("default-src"))
    if scripts is None:
        problems.append("no script-src (nor default-src) in the CSP")
    elif set(scripts) & {"'unsafe-inline'", "'unsafe-eval'", "*", "data:", "http:", "https:"}:
        problems.append(f"script-src allows {scripts}")
    if directives.get("frame-ancestors") not in (["'self'"], ["'none'"]):
        problems.append(f"frame-ancestors is {directives.get('frame-ancestors')}")
    if directives.get("object-src") != ["'none'"]:
        problems.append("object-src is not 'none'")
    if response.headers.get("X-Content-Type-Options") != "nosniff":
        problems.append("no X-Content-Type-Options: nosniff")
    if response.headers.get("X-Frame-Options") not in ("SAMEORIGIN", "DENY"):
        problems.append("no X-Frame-Options")
    if not response.headers.get("Referrer-Policy"):
        problems.append("no Referrer-Policy")
    return problems


def test_every_get_route_answers_with_the_headers(app):
    """Generated from the URL map: every GET rule, signed in (an admin passes every role check) and
    signed out (the redirect to sign in, or 401 from the API)."""
    world = build(app)
    failures, kinds = [], set()
    for client in (client_for(app, world["admin"]), app.test_client()):
        for rule in app.url_map.iter_rules():
            if rule.endpoint.startswith("lms.") and "GET" in rule.methods:
                response = client.get(path_of(rule, world))
                kinds.add(response.mimetype)
                failures += [f"GET {path_of(rule, world)} ({response.status_code}): {p}"
                             for p in header_problems(response)]
    assert not failures, "\n".join(failures)
    # The kinds of response the sweep met: pages, style sheets, images, JSON, CSV and zip downloads.
    assert {"text/html", "text/css", "image/png", "application/json", "text/csv", "application/zip"} <= kinds, kinds


def test_error_pages_and_the_api_carry_the_headers(app, monkeypatch):
    agent = make_user(employee_no="H1")
    client = client_for(app, agent)
    with database.connection_context():
        token = api_tokens.issue("平台", "kpi:write", None)[1]
    responses = {
        "404 no such route": app.test_client().get("/no/such/page"),
        "404 signed in": client.get("/no/such/page"),
        "405": client.post("/healthz"),
        "400 no CSRF token": client.post("/logout"),
        "403": client.get("/admin/users"),
        "401 API": app.test_client().post("/api/v1/kpi", json={"rows": []}),
        "400 API": app.test_client().post("/api/v1/kpi", data="x", headers={"Authorization": f"Bearer {token}"}),
    }
    app.config["MAX_CONTENT_LENGTH"] = 1024
    trainer = client_for(app, make_user(("trainer",), employee_no="H2"))
    responses["413"] = trainer.post("/kpi/import", data={"csrf_token": csrf_token(trainer, "/kpi/import"),
                                                         "file": (io.BytesIO(b"x" * 4096), "kpi.csv")},
                                    content_type="multipart/form-data")
    app.config["LMS_SECURITY_ACCOUNT_MAX_FAILURES"] = 1
    stranger = app.test_client()
    login(stranger, agent, "wrong-password-1")
    responses["429"] = login(stranger, agent)

    def broken():
        raise RuntimeError("boom: /secret/path")

    monkeypatch.setitem(app.view_functions, "lms.learn.index", broken)
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)
    responses["500"] = client.get("/learn/")
    failures = []
    for name, response in responses.items():
        expected = int(name[:3])
        if response.status_code != expected:
            failures.append(f"{name}: status {response.status_code}")
        failures += [f"{name}: {p}" for p in header_problems(response)]
    assert not failures, "\n".join(failures)
    body = responses["500"].get_data(as_text=True)
    assert "boom" not in body and "Traceback" not in body and "/secret/path" not in body
    assert responses["401 API"].is_json and responses["400 API"].is_json


def _cookies(response) -> dict[str, str]:
    return {header.split("=", 1)[0]: header for header in response.headers.getlist("Set-Cookie")}


def test_session_cookie_flags_in_development(client):
    user = make_user(employee_no="C1")
    cookie = _cookies(login(client, user))["lms_session"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie  # plain HTTP in development
    locale = _cookies(client.post("/locale/en", data={"csrf_token": csrf_token(client, "/")}))["lms_locale"]
    assert "HttpOnly" in locale and "SameSite=Lax" in locale


def test_cookies_are_secure_in_production(database_url, tmp_path):
    app = create_app(database_url=database_url, secret_key=PRODUCTION_SECRET, env="production",
                     paths_uploads=str(tmp_path / "uploads"))
    assert app.config["SESSION_COOKIE_SECURE"] and app.config["REMEMBER_COOKIE_SECURE"]
    user = make_user(employee_no="C2")
    client = app.test_client()
    # Over HTTPS, as behind the reverse proxy; the test client would not send a Secure cookie over http.
    token = csrf_token(client)
    response = client.post("/login", data={"employee_no": user.employee_no, "password": "Train1ng-pass",
                                           "csrf_token": token}, base_url="https://localhost")
    assert response.status_code == 302
    cookie = _cookies(response)["lms_session"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    locale = _cookies(client.post("/locale/en", data={"csrf_token": csrf_token(client, "/")},
                                  base_url="https://localhost"))["lms_locale"]
    assert "Secure" in locale and "HttpOnly" in locale


TEMPLATE_RULES = {
    "inline <script> (a script without src, or with a body)": re.compile(
        r"<script(?![^>]*\bsrc=)[^>]*>|<script[^>]*>\s*[^<\s]", re.I),
    "event handler attribute (on...=)": re.compile(r"<[^>]*\son[a-z]+\s*=", re.I),
    "style attribute": re.compile(r"<[^>]*\sstyle\s*=", re.I),
    "javascript: URL": re.compile(r"javascript:", re.I),
    "<style> element": re.compile(r"<style[\s>]", re.I),
}


def test_no_template_holds_inline_script_handlers_or_styles():
    """The CSP forbids them (script-src 'self', style-src 'self'): JS and CSS live in lms/static/."""
    folder = Path(shipped_dir("templates"))
    templates = sorted(folder.rglob("*.html"))
    assert len(templates) > 50
    found = [f"{path.relative_to(folder)}: {name}" for path in templates
             for name, pattern in TEMPLATE_RULES.items() if pattern.search(path.read_text(encoding="utf-8"))]
    assert not found, "\n".join(found)


@pytest.mark.parametrize("snippet", ['<script>alert(1)</script>', '<a onclick="x()">', '<p style="color:red">',
                                     '<a href="javascript:x()">', "<style>p{}</style>"])
def test_the_template_scan_catches_each_kind(snippet):
    assert any(pattern.search(snippet) for pattern in TEMPLATE_RULES.values()), snippet
    assert not any(pattern.search('<script src="/static/copy.js" defer></script>')
                   for pattern in TEMPLATE_RULES.values())
