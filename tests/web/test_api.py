"""The platform pushes KPI rows to /api/v1/kpi with a bearer token: good, wrong, expired, revoked."""
import datetime as dt
import re

import pytest

from lms.models import ApiToken, KpiDaily
from lms.services import api_tokens, clock

from ..factories import csrf_token, login, make_user

ROW = {"employee_no": "A1", "date": "2026-11-02", "contacts": 30, "resolved_first_contact": 20,
       "handle_seconds": 9000, "csat_responses": 5, "csat_positive": 4}


@pytest.fixture
def token(app, conn):
    clock.freeze(dt.datetime(2026, 11, 24, 2))
    make_user(employee_no="A1", hire_date=dt.date(2026, 1, 5))
    return api_tokens.issue("呼叫中心平台", "kpi:write", None)[1]


def _push(client, body, token=None):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return client.post("/api/v1/kpi", json=body, headers=headers)


def test_good_token_pushes_rows_and_reimport_changes_nothing(client, token):
    response = _push(client, {"rows": [ROW]}, token)
    assert response.status_code == 200 and response.get_json()["added"] == 1
    again = _push(client, {"rows": [ROW]}, token).get_json()
    assert again["unchanged"] == 1 and KpiDaily.select().count() == 1
    assert ApiToken.get().last_used_at is not None


def test_bad_rows_are_reported_and_nothing_written(client, token):
    response = _push(client, {"rows": [ROW, {**ROW, "employee_no": "NOPE"}, {**ROW, "date": "2026-11-03",
                                                                             "contacts": -1}]}, token)
    body = response.get_json()
    assert response.status_code == 422 and not body["ok"]
    assert {(p["row"], p["column"]) for p in body["problems"]} == {(2, "employee_no"), (3, "contacts")}
    assert KpiDaily.select().count() == 0
    partial = _push(client, {"rows": [ROW, {**ROW, "employee_no": "NOPE"}], "skip_invalid": True}, token)
    assert partial.get_json()["added"] == 1 and partial.get_json()["rejected"] == 1


@pytest.mark.parametrize("body", [None, [], {"rows": "x"}, {"rows": [1, 2]}])
def test_malformed_bodies_are_400(client, token, body):
    response = client.post("/api/v1/kpi", data="not json" if body is None else None, json=body,
                           headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 400 and "error" in response.get_json()


def test_wrong_revoked_and_expired_tokens_are_401(client, token):
    assert _push(client, {"rows": [ROW]}).status_code == 401
    assert _push(client, {"rows": [ROW]}, "lms_wrong").status_code == 401
    api_tokens.revoke(ApiToken.get(), None)
    assert _push(client, {"rows": [ROW]}, token).status_code == 401
    _, short = api_tokens.issue("短期", "kpi:write", None, days=1)
    assert _push(client, {"rows": [ROW]}, short).status_code == 200
    clock.freeze(dt.datetime(2026, 11, 26, 2))
    assert _push(client, {"rows": [ROW]}, short).status_code == 401
    assert KpiDaily.select().count() == 1


def test_a_signed_in_session_is_not_a_token(app, token):
    client = app.test_client()
    login(client, make_user(("admin",)))
    assert _push(client, {"rows": [ROW]}).status_code == 401


def test_admin_issues_and_revokes_tokens(app, token):
    client = app.test_client()
    login(client, make_user(("admin",)))
    page = client.post("/admin/tokens/", data={"csrf_token": csrf_token(client, "/admin/tokens/"), "name": "平台二",
                                               "days": "30"})
    issued = re.search(r"<code>(lms_[^<]+)</code>", page.get_data(as_text=True)).group(1)
    assert _push(app.test_client(), {"rows": [ROW]}, issued).status_code == 200
    row = ApiToken.get(ApiToken.name == "平台二")
    assert issued not in row.token_hash
    client.post(f"/admin/tokens/{row.id}/revoke", data={"csrf_token": csrf_token(client, "/admin/tokens/")})
    assert _push(app.test_client(), {"rows": [ROW]}, issued).status_code == 401
    bad = client.post("/admin/tokens/", data={"csrf_token": csrf_token(client, "/admin/tokens/"), "name": ""})
    assert bad.status_code == 400
