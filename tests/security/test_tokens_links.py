"""API tokens (scope, expiry, revocation: what tests/web/test_api.py leaves out) and one-time
links (single use, expiring, replaced by a newer one, useless for a deactivated account)."""
from __future__ import annotations

import datetime as dt
import hashlib
import re

import pytest

from lms.models import ApiToken, AuditLog, KpiDaily, OneTimeToken, User
from lms.services import accounts, api_tokens, clock

from ..factories import client_for, csrf_token, login, make_user

ROW = {"employee_no": "K1", "date": "2026-11-23", "contacts": 30, "resolved_first_contact": 20,
       "handle_seconds": 9000, "csat_responses": 5, "csat_positive": 4}
NOW = dt.datetime(2026, 11, 24, 2, 0)


@pytest.fixture
def world(app, conn):
    clock.freeze(NOW)
    make_user(employee_no="K1", hire_date=dt.date(2026, 1, 5))
    return app


def _token_rules(app):
    return [(rule, app.view_functions[rule.endpoint].lms_access[1][0]) for rule in app.url_map.iter_rules()
            if getattr(app.view_functions[rule.endpoint], "lms_access", ("",))[0] == "token"]


def _push(client, token, headers=None):
    return client.post("/api/v1/kpi", json={"rows": [ROW]},
                       headers=headers if headers is not None else {"Authorization": f"Bearer {token}"})


def test_every_token_route_refuses_a_token_of_another_scope(world):
    """Generated from the URL map: a live token whose scope is not the route's is refused."""
    rules = _token_rules(world)
    assert rules, "no token routes found"
    for rule, scope in rules:
        other = "lms_" + "o" * 40
        ApiToken.create(name="别的用途", token_hash=hashlib.sha256(other.encode()).hexdigest(), scope=f"not-{scope}")
        response = world.test_client().open(rule.rule, method=sorted(rule.methods - {"HEAD", "OPTIONS"})[0],
                                            json={"rows": [ROW]}, headers={"Authorization": f"Bearer {other}"})
        assert response.status_code == 401 and response.is_json, rule.rule
    with pytest.raises(ValueError):
        api_tokens.issue("平台", "admin", None)  # only known scopes are ever issued
    assert KpiDaily.select().count() == 0


def test_the_token_is_taken_only_from_the_authorization_header(world):
    _, token = api_tokens.issue("平台", "kpi:write", None)
    client = world.test_client()
    assert client.post(f"/api/v1/kpi?token={token}", json={"rows": [ROW]}).status_code == 401
    assert client.post("/api/v1/kpi", json={"rows": [ROW], "token": token}).status_code == 401
    client.set_cookie("lms_token", token)
    assert client.post("/api/v1/kpi", json={"rows": [ROW]}).status_code == 401
    assert _push(world.test_client(), token, {"Authorization": f"Basic {token}"}).status_code == 401
    assert _push(world.test_client(), token, {"Authorization": f"Bearer {token}x"}).status_code == 401
    assert _push(world.test_client(), token, {"Authorization": f"bearer {token}"}).status_code == 200


def test_a_token_expires_at_its_moment_and_revocation_is_at_once(world):
    _, token = api_tokens.issue("平台", "kpi:write", None, days=1)
    clock.freeze(NOW + dt.timedelta(days=1) - dt.timedelta(seconds=1))
    assert _push(world.test_client(), token).status_code == 200
    clock.freeze(NOW + dt.timedelta(days=1))
    assert _push(world.test_client(), token).status_code == 401
    clock.freeze(NOW)
    row, live = api_tokens.issue("平台二", "kpi:write", None)
    assert _push(world.test_client(), live).status_code == 200
    api_tokens.revoke(row, None)
    api_tokens.revoke(ApiToken.get_by_id(row.id), None)  # twice: the first revocation time is kept
    assert ApiToken.get_by_id(row.id).revoked_at == NOW
    assert _push(world.test_client(), live).status_code == 401
    assert AuditLog.select().where(AuditLog.action == "api_token.revoke").count() == 2


def test_an_issued_token_is_shown_once_and_stored_only_as_a_hash(world):
    admin = client_for(world, make_user(("admin",), employee_no="KADM"))
    page = admin.post("/admin/tokens/", data={"csrf_token": csrf_token(admin, "/admin/tokens/"), "name": "平台三",
                                              "days": "30"}).get_data(as_text=True)
    token = re.search(r"(lms_[A-Za-z0-9_-]{20,})", page).group(1)
    assert token not in admin.get("/admin/tokens/").get_data(as_text=True)
    assert not ApiToken.select().where(ApiToken.token_hash.contains(token[4:20])).exists()
    assert _push(world.test_client(), token).status_code == 200


def test_only_admins_issue_or_revoke_tokens(world):
    row, token = api_tokens.issue("平台", "kpi:write", None)
    trainer = client_for(world, make_user(("trainer",), employee_no="KT"))
    assert trainer.post("/admin/tokens/", data={"csrf_token": csrf_token(trainer, "/"), "name": "x"}).status_code == 403
    assert trainer.post(f"/admin/tokens/{row.id}/revoke", data={"csrf_token": csrf_token(trainer, "/")}) \
        .status_code == 403
    assert ApiToken.select().count() == 1 and ApiToken.get().revoked_at is None
    assert _push(world.test_client(), token).status_code == 200


def _redeem(client, token, password="Chosen-pass-42"):
    return client.post(f"/welcome/{token}", data={"password": password, "confirm": password,
                                                  "csrf_token": csrf_token(client, "/login")})


def test_a_link_works_once_even_if_sent_twice(world):
    user = make_user(password=None, employee_no="L1")
    token = accounts.issue_link_token(user, ttl_hours=24)
    assert world.test_client().get(f"/welcome/{token}").status_code == 200  # opening it does not use it up
    first, second = world.test_client(), world.test_client()
    assert _redeem(first, token).status_code == 302
    assert _redeem(second, token, "Another-pass-43").status_code == 410
    assert login(world.test_client(), User.get_by_id(user.id), "Chosen-pass-42").status_code == 302
    assert login(world.test_client(), User.get_by_id(user.id), "Another-pass-43").status_code == 401
    assert not OneTimeToken.select().where(OneTimeToken.token_hash.contains(token[:16])).exists()


def test_a_link_expires_at_its_moment(world):
    token = accounts.issue_link_token(make_user(password=None, employee_no="L2"), ttl_hours=2)
    clock.freeze(NOW + dt.timedelta(hours=2) - dt.timedelta(seconds=1))
    assert world.test_client().get(f"/welcome/{token}").status_code == 200
    clock.freeze(NOW + dt.timedelta(hours=2))
    assert world.test_client().get(f"/welcome/{token}").status_code == 410
    assert _redeem(world.test_client(), token).status_code == 410


def test_a_newer_link_voids_the_older_one_and_deactivation_voids_all(world):
    user = make_user(password=None, employee_no="L3")
    old = accounts.issue_link_token(user, ttl_hours=24, purpose="reset")
    new = accounts.issue_link_token(user, ttl_hours=24, purpose="reset")
    assert _redeem(world.test_client(), old).status_code == 410
    accounts.deactivate(User.get_by_id(user.id))
    assert _redeem(world.test_client(), new).status_code == 410
    assert User.get_by_id(user.id).password_hash is None


def test_every_dead_link_looks_the_same(world):
    """Unknown, used, expired or replaced: one page, so a link reveals nothing about an account."""
    user = make_user(password=None, employee_no="L4")
    used = accounts.issue_link_token(user, ttl_hours=24)
    _redeem(world.test_client(), used)
    expired = accounts.issue_link_token(make_user(password=None, employee_no="L5"), ttl_hours=1)
    clock.freeze(NOW + dt.timedelta(hours=1))
    pages = {re.sub(r'name="csrf_token" value="[^"]*"', "", world.test_client().get(f"/welcome/{token}")
                    .get_data(as_text=True).replace(token, "TOKEN"))
             for token in ("no-such-link", used, expired)}
    assert len(pages) == 1


def test_redeeming_a_reset_link_ends_the_old_sessions(world):
    user = make_user(employee_no="L6")
    old_session = world.test_client()
    login(old_session, user)
    token = accounts.issue_link_token(User.get_by_id(user.id), ttl_hours=24, purpose="reset")
    assert _redeem(world.test_client(), token).status_code == 302
    assert old_session.get("/").status_code == 302  # signed out
