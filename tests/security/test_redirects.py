"""Open redirects: every redirect that takes a target from the user (`next=` on sign-in, both
when signing in and when already signed in; `next` on the language switch) stays on the site,
and links stored in notifications never lead off it."""
from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import quote, urlsplit

from lms.models import Notification

from ..factories import csrf_token, login, make_user
from .pages import read

HOSTILE = [
    "//evil.example", "//evil.example/x", "https://evil.example", "http://evil.example/", "HTTPS://evil.example",
    "/\\evil.example", "\\\\evil.example", "/\\/evil.example", "javascript:alert(1)", " javascript:alert(1)",
    "/\t/evil.example", "/\n/evil.example", "///evil.example", "http:evil.example", "https:/evil.example",
    "data:text/html,<script>alert(1)</script>", "evil.example", " //evil.example", "\x00//evil.example",
    "/%0d%0aSet-Cookie:x=1", "/\r\nSet-Cookie: x=1",
]


def _stays_on_site(location: str) -> bool:
    """A Location a browser resolves on this host (the way browsers drop tabs and newlines)."""
    cleaned = location.replace("\t", "").replace("\n", "").replace("\r", "").strip()
    parts = urlsplit(cleaned)
    if parts.scheme not in ("", "http") or "\\" in cleaned:
        return False
    return parts.netloc in ("", "localhost") and cleaned.startswith(("/", "http://localhost/"))


def test_sign_in_never_sends_anyone_off_the_site(app):
    user = make_user(employee_no="R1")
    failures = []
    for target in HOSTILE:
        client = app.test_client()
        response = client.post(f"/login?next={quote(target, safe='')}", data={
            "employee_no": user.employee_no, "password": "Train1ng-pass", "csrf_token": csrf_token(client)})
        if "\x00" in target:  # refused outright (tests/security/test_nul.py)
            if response.status_code != 400:
                failures.append(f"{target!r}: {response.status_code}")
            continue
        if response.status_code != 302 or not _stays_on_site(response.headers["Location"]):
            failures.append(f"{target!r}: {response.status_code} to {response.headers.get('Location')}")
        # Already signed in: /login?next= redirects at once, through the same check.
        again = client.get(f"/login?next={quote(target, safe='')}")
        if again.status_code != 302 or not _stays_on_site(again.headers["Location"]) \
                or any(c.startswith("x=") for c in again.headers.getlist("Set-Cookie")):
            failures.append(f"signed in, {target!r}: {again.status_code} to {again.headers.get('Location')}")
    assert not failures, "\n".join(failures)


def test_the_language_switch_never_sends_anyone_off_the_site(client):
    failures = []
    for target in HOSTILE:
        response = client.post("/locale/en", data={"csrf_token": csrf_token(client), "next": target})
        expected = 400 if "\x00" in target else 302
        if response.status_code != expected or (expected == 302 and not _stays_on_site(response.headers["Location"])):
            failures.append(f"{target!r}: {response.status_code} to {response.headers.get('Location')}")
    assert not failures, "\n".join(failures)


def test_a_target_on_the_site_is_kept(client):
    user = make_user(employee_no="R2")
    response = client.post("/login?next=/learn/%3Fx%3D1", data={
        "employee_no": user.employee_no, "password": "Train1ng-pass", "csrf_token": csrf_token(client)})
    assert response.headers["Location"] == "/learn/?x=1"
    assert client.post("/locale/en", data={"csrf_token": csrf_token(client, "/"), "next": "/me"}) \
        .headers["Location"] == "/me"


def test_the_sign_in_redirect_keeps_the_page_asked_for(client):
    """Signed out, a page sends you to sign in with next= that page (a path, never a URL)."""
    response = client.get("/profile/skills?x=1")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=/profile/skills?x%3D1"


def test_notification_links_never_lead_off_the_site(app, conn):
    user = make_user(employee_no="R3")
    for n, link in enumerate([h for h in HOSTILE if "\x00" not in h] + ["/tasks/"]):
        Notification.create(user=user, kind="task", title=f"通知{n}", link=link)
    client = app.test_client()
    login(client, user)
    page = client.get("/notifications/").get_data(as_text=True)
    hrefs = [dict(attrs).get("href") for tag, attrs in _tags(page) if tag == "a"]
    assert "/tasks/" in hrefs
    assert all(_stays_on_site(h) for h in hrefs if h and not h.startswith("#")), hrefs
    assert not read(page).problems


def _tags(html):
    found = []

    class Collect(HTMLParser):
        def handle_starttag(self, tag, attrs):
            found.append((tag, attrs))

    Collect().feed(html)
    return found
