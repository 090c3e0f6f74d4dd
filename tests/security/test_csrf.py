"""CSRF on every state-changing route, generated from the URL map.

For each rule accepting POST/PUT/PATCH/DELETE (the token API aside: it refuses cookies), a
signed-in user whom the route admits posts what its form would post, minus the CSRF token:
400, and no table changes. Then the same post with CSRF checking switched off must be taken
(another status, or a change), which shows the 400 came from the missing token and not from
the data. The form is read from the route's own page where it has one (tests/security/routes.py).
"""
from __future__ import annotations

from ..factories import csrf_token, login, make_user
from .routes import Poster, changed_tables, posting_world, write_rules
from .world import snapshot

def test_every_state_changing_route_refuses_a_post_without_the_token(app):
    poster = Poster(app, posting_world(app))
    failures, weak = [], []
    for rule in write_rules(app):
        role, _client, path, method, send = poster.prepare(rule)
        before = snapshot()
        refused = send()
        changed = changed_tables(before, snapshot())
        if refused.status_code != 400 or changed:
            failures.append(f"{role} {method} {path} without a token: {refused.status_code}, changed {changed}")
            continue
        app.config["WTF_CSRF_ENABLED"] = False
        try:
            taken = send()
        finally:
            app.config["WTF_CSRF_ENABLED"] = True
        if taken.status_code == 400 and not changed_tables(before, snapshot()):
            weak.append(f"{role} {method} {path}: 400 even with CSRF off (the data is refused, not the token)")
    assert not failures, "\n".join(failures)
    assert not weak, "\n".join(weak)


def test_a_token_from_another_session_is_refused(app):
    """A token is bound to its session: one lifted from another user's page does not work."""
    mallory, victim = make_user(employee_no="MAL"), make_user(employee_no="VIC")
    attacker, target = app.test_client(), app.test_client()
    login(attacker, mallory)
    login(target, victim)
    stolen = csrf_token(attacker, "/")
    assert target.post("/logout", data={"csrf_token": stolen}).status_code == 400
    assert target.get("/").status_code == 200  # still signed in


def test_logout_and_login_without_the_token_keep_the_session_as_it_was(app):
    user = make_user()
    client = app.test_client()
    login(client, user)
    assert client.post("/logout").status_code == 400
    assert client.get("/").status_code == 200
    anonymous = app.test_client()
    assert anonymous.post("/login", data={"employee_no": user.employee_no, "password": "Train1ng-pass"}) \
        .status_code == 400
    assert anonymous.get("/").status_code == 302
