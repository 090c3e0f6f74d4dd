"""Admin pages for privacy: a person's export (JSON, ZIP), erasure with typed confirmation,
and the audit log (filters, pages, CSV). Dashboard figures are the same before and after."""
import datetime as dt
import io
import json
import zipfile

import pytest

from lms.models import AuditLog, User
from lms.services import accounts

from .. import privacy_world as pw_world
from ..factories import client_for, csrf_token


@pytest.fixture
def world(app):
    return pw_world.build()


@pytest.fixture
def admin(app, world):
    return client_for(app, world["admin"])


def test_admin_downloads_json_and_zip(admin, world, conn):
    agent = world["agent"]
    response = admin.get(f"/admin/people/{agent.id}/export.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert f'filename="person-{agent.id}.json"' in response.headers["Content-Disposition"]
    assert response.headers["Cache-Control"] == "no-store"
    document = json.loads(response.get_data(as_text=True))
    assert document["person"]["employee_no"] == "P100" and document["sections"]["kpi_daily.user"]
    response = admin.get(f"/admin/people/{agent.id}/export.zip")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    with zipfile.ZipFile(io.BytesIO(response.data)) as archive:
        assert "kpi_daily.user.csv" in archive.namelist()
    actions = [e.action for e in AuditLog.select().where(AuditLog.subject == agent).order_by(AuditLog.id)]
    assert actions[-2:] == ["privacy.export", "privacy.export"]
    assert admin.get("/admin/people/999999/export.json").status_code == 404


def test_only_admins_export_erase_or_read_the_log(app, world):
    agent = world["agent"]
    for role in ("agent", "trainer", "manager", "mentor"):
        client = client_for(app, world[role])
        for path in (f"/admin/people/{agent.id}/export.json", f"/admin/people/{agent.id}/export.zip",
                     f"/admin/people/{agent.id}/erase", "/admin/audit", "/admin/audit.csv"):
            assert client.get(path).status_code == 403, (role, path)
    # Not even their own export: an agent asks an admin.
    assert client_for(app, agent).get(f"/admin/people/{agent.id}/export.json").status_code == 403


def _erase(client, user, typed):
    path = f"/admin/people/{user.id}/erase"
    return client.post(path, data={"csrf_token": csrf_token(client, path), "confirm": typed})


def _dashboard(app, world):
    client = client_for(app, world["manager"])
    return {table: client.get(f"/dashboard/?csv={table}").data for table in ("groups", "agents", "at_risk")}


def test_erasure_needs_a_deactivated_account_and_the_typed_number(app, admin, world, conn):
    agent = world["agent"]
    page = admin.get(f"/admin/users/{agent.id}").get_data(as_text=True)
    assert f"/admin/people/{agent.id}/export.json" in page and f"/admin/people/{agent.id}/erase" not in page
    page = admin.get(f"/admin/people/{agent.id}/erase").get_data(as_text=True)
    assert "still active" in page and 'name="confirm"' not in page
    assert _erase(admin, agent, "P100").status_code == 400
    assert User.get_by_id(agent.id).name == "张小明"

    accounts.deactivate(User.get_by_id(agent.id), world["admin"])
    figures = _dashboard(app, world)
    assert f"/admin/people/{agent.id}/erase" in admin.get(f"/admin/users/{agent.id}").get_data(as_text=True)
    page = admin.get(f"/admin/people/{agent.id}/erase").get_data(as_text=True)
    assert 'name="confirm"' in page and "cannot be undone" in page
    wrong = _erase(admin, agent, "P10")
    assert wrong.status_code == 400 and "not 张小明&#39;s employee no." in wrong.get_data(as_text=True)
    assert _erase(admin, agent, "").status_code == 400
    assert User.get_by_id(agent.id).name == "张小明"

    done = _erase(admin, agent, " P100 ")
    assert done.status_code == 303 and f"/admin/users/{agent.id}" in done.headers["Location"]
    erased = User.get_by_id(agent.id)
    assert erased.name.startswith("已离职-")
    assert "now " + erased.name in admin.get(done.headers["Location"]).get_data(as_text=True)
    assert _dashboard(app, world) == figures
    page = admin.get(f"/admin/people/{agent.id}/erase")
    assert "already anonymised" in page.get_data(as_text=True)
    assert _erase(admin, agent, erased.employee_no).status_code == 400
    # The anonymised account cannot sign in with anything.
    client = app.test_client()
    response = client.post("/login", data={"employee_no": erased.employee_no, "password": "Train1ng-pass",
                                           "csrf_token": csrf_token(client)})
    assert response.status_code == 401


def test_an_admin_cannot_erase_themselves(app, world, conn):
    other_admin = User.get_by_id(world["admin"].id)
    client = client_for(app, other_admin)
    page = client.get(f"/admin/people/{other_admin.id}/erase").get_data(as_text=True)
    assert "cannot erase yourself" in page
    assert _erase(client, other_admin, "P500").status_code == 400
    assert User.get_by_id(other_admin.id).employee_no == "P500"


def test_audit_log_filters_and_shows_the_pseudonym_after_erasure(admin, world, conn):
    agent = world["agent"]
    page = admin.get("/admin/audit").get_data(as_text=True)
    assert "Audit log" in page and "tier.change" in page and "张小明 (P100)" in page
    page = admin.get("/admin/audit?action=tier.change&target=P100").get_data(as_text=True)
    assert page.count("<tr>") == 1 + 2  # header + placement at hire + the promotion
    page = admin.get("/admin/audit?actor=赵培训&action=tier.change").get_data(as_text=True)
    assert page.count("<tr>") == 2 and "赵培训 (P400)" in page
    assert "No entries match." in admin.get("/admin/audit?action=privacy.erase").get_data(as_text=True)

    accounts.deactivate(User.get_by_id(agent.id), world["admin"])
    assert _erase(admin, agent, "P100").status_code == 303
    pseudonym = User.get_by_id(agent.id).name
    page = admin.get("/admin/audit").get_data(as_text=True)
    assert "张小明" not in page and "P100" not in page and pseudonym in page
    assert "No entries match." in admin.get("/admin/audit?target=P100").get_data(as_text=True)
    page = admin.get(f"/admin/audit?target={pseudonym}&action=privacy.erase").get_data(as_text=True)
    assert page.count("<tr>") == 2 and "孙管理 (P500)" in page
    page = admin.get("/admin/audit?action=account.").get_data(as_text=True)  # a family of actions
    assert '<option value="account." selected>account.*</option>' in page
    assert "account.deactivate" in page.split("<tbody>")[1] and "tier.change" not in page.split("<tbody>")[1]


def test_audit_log_date_range_pages_and_csv(admin, world, conn):
    rows = [{"at": dt.datetime(2025, 6, 1, 16, 30) + dt.timedelta(minutes=i), "action": "test.bulk",
             "target": f"=cmd|{i}", "detail": ""} for i in range(60)]
    AuditLog.insert_many(rows).execute()
    # 2025-06-01 16:30 UTC is 2025-06-02 00:30 in Shanghai: the range is in local dates.
    assert "No entries match." in admin.get("/admin/audit?action=test.bulk&to=2025-06-01").get_data(as_text=True)
    first = admin.get("/admin/audit?action=test.bulk&from=2025-06-02&to=2025-06-02").get_data(as_text=True)
    assert first.count("<tr>") == 51 and "page=2" in first and "=cmd|59" in first
    second = admin.get("/admin/audit?action=test.bulk&from=2025-06-02&page=2").get_data(as_text=True)
    assert second.count("<tr>") == 11 and "=cmd|9<" in second and "=cmd|0<" in second and "page=3" not in second
    bad = admin.get("/admin/audit?from=2025-13-01")
    assert bad.status_code == 400 and "2025-13-01 is not a date" in bad.get_data(as_text=True)
    assert admin.get("/admin/audit?from=2025-06-03&to=2025-06-01").status_code == 400
    csv = admin.get("/admin/audit.csv?action=test.bulk")
    assert csv.status_code == 200 and csv.mimetype == "text/csv" and csv.data.startswith(b"\xef\xbb\xbf")
    lines = csv.data.decode("utf-8-sig").splitlines()
    assert lines[0] == "Time,Actor,Action,Target,Detail" and len(lines) == 61
    assert lines[1] == "2025-06-02 01:29:00,,test.bulk,'=cmd|59,"  # newest first; a formula kept as text
    assert admin.get("/admin/audit.csv?to=nope").status_code == 400


def test_no_route_changes_the_audit_log(app):
    """Only GET routes read it; nothing under /admin/audit accepts a change."""
    rules = [r for r in app.url_map.iter_rules() if r.endpoint.startswith("lms.audit.")]
    assert rules and all(r.methods <= {"GET", "HEAD", "OPTIONS"} for r in rules)
    client = app.test_client()
    assert client.post("/admin/audit").status_code == 405
