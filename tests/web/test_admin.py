"""Admin pages: people, roles, teams, tiers, scopes, sign-in resets, sites and teams."""
import re

import pytest

from lms.models import AuditLog, Membership, RoleScope, Site, Team, TierChange, User

from ..factories import csrf_token, login, make_site, make_team, make_user


@pytest.fixture
def admin_client(app):
    client = app.test_client()
    login(client, make_user(("admin",), None, "ADM", name="管理员"))
    return client


def _post(client, path, data, page=None):
    data = dict(data, csrf_token=csrf_token(client, page or path))
    return client.post(path, data=data)


def test_create_user_with_team_and_default_tier(admin_client, conn):
    team = make_team()
    response = _post(admin_client, "/admin/users/new", {
        "employee_no": "A500", "name": "王芳", "email": "Wang@Example.com", "hire_date": "2026-10-12",
        "roles": ["agent"], "team": str(team.id), "tier": "", "locale": ""})
    assert response.status_code == 302
    user = User.get(User.employee_no == "A500")
    assert user.email == "wang@example.com" and user.tier == "newcomer" and user.must_change_password
    assert Membership.get(Membership.user == user).team_id == team.id
    assert TierChange.get(TierChange.user == user).effective_on.isoformat() == "2026-10-12"


@pytest.mark.parametrize("field, value", [
    ("employee_no", ""), ("employee_no", "A 5/0"), ("name", ""), ("roles", []), ("hire_date", "12/10/2026"),
    ("tier", "guru"), ("roles", ["wizard"]),
])
def test_bad_user_input_is_rejected_and_nothing_written(admin_client, conn, field, value):
    data = {"employee_no": "A501", "name": "李雷", "roles": ["agent"], "team": "0", "tier": "", "locale": ""}
    data[field] = value
    before = User.select().count()
    response = _post(admin_client, "/admin/users/new", data)
    assert response.status_code == 400
    assert User.select().count() == before


def test_duplicate_employee_no_is_refused(admin_client, conn):
    make_user(employee_no="A502")
    response = _post(admin_client, "/admin/users/new", {"employee_no": "A502", "name": "重复", "roles": ["agent"],
                                                        "team": "0", "tier": "", "locale": ""})
    assert response.status_code == 400 and "A502" in response.get_data(as_text=True)


def test_edit_moves_team_keeping_history_and_changes_tier(admin_client, conn):
    old, new = make_team("在线一组"), make_team("电话一组")
    user = make_user(("agent",), old, "A503")
    response = _post(admin_client, f"/admin/users/{user.id}", {
        "employee_no": "A503", "name": "改名", "roles": ["agent", "mentor"], "team": str(new.id),
        "tier": "advanced", "locale": "en"})
    assert response.status_code == 302
    user = User.get_by_id(user.id)
    assert user.name == "改名" and user.tier == "advanced" and user.locale == "en"
    assert user.role_names == {"agent", "mentor"}
    rows = list(Membership.select().where(Membership.user == user).order_by(Membership.id))
    assert [(r.team_id, r.ended_on is None) for r in rows] == [(old.id, False), (new.id, True)]
    assert [t.tier for t in TierChange.select().where(TierChange.user == user).order_by(TierChange.id)] == [
        "newcomer", "advanced"]


def test_employee_no_cannot_change(admin_client, conn):
    user = make_user(employee_no="A504")
    response = _post(admin_client, f"/admin/users/{user.id}", {
        "employee_no": "B504", "name": "x", "roles": ["agent"], "team": "0", "tier": "", "locale": ""})
    assert response.status_code == 400 and User.get_by_id(user.id).employee_no == "A504"


def test_reset_shows_a_one_time_password_that_works_once(app, admin_client, conn):
    user = make_user(employee_no="A505")
    page = _post(admin_client, f"/admin/users/{user.id}/reset", {}, page=f"/admin/users/{user.id}")
    secret = re.search(r"<code>([^<]+)</code>", page.get_data(as_text=True)).group(1)
    assert User.get_by_id(user.id).must_change_password
    fresh = app.test_client()
    assert login(fresh, user, secret).headers["Location"].endswith("/password")
    assert secret not in (User.get_by_id(user.id).password_hash or "")


def test_reset_link(app, admin_client, conn):
    user = make_user(employee_no="A506")
    page = _post(admin_client, f"/admin/users/{user.id}/reset", {"kind": "link"}, page=f"/admin/users/{user.id}")
    link = re.search(r"<code>([^<]+)</code>", page.get_data(as_text=True)).group(1)
    path = "/" + link.split("/", 3)[3]
    assert app.test_client().get(path).status_code == 200


def test_deactivate_and_reactivate_keep_history(admin_client, conn):
    user = make_user(employee_no="A507")
    _post(admin_client, f"/admin/users/{user.id}/active", {}, page=f"/admin/users/{user.id}")
    assert not User.get_by_id(user.id).active
    assert TierChange.select().where(TierChange.user == user).exists()
    _post(admin_client, f"/admin/users/{user.id}/active", {}, page=f"/admin/users/{user.id}")
    assert User.get_by_id(user.id).active
    assert AuditLog.select().where(AuditLog.action == "account.deactivate").count() == 1


def test_admin_cannot_deactivate_themselves(admin_client, conn):
    me = User.get(User.employee_no == "ADM")
    _post(admin_client, f"/admin/users/{me.id}/active", {}, page=f"/admin/users/{me.id}")
    assert User.get_by_id(me.id).active


def test_scopes_for_trainers(admin_client, conn):
    site = make_site()
    team = make_team(site=site)
    trainer = make_user(("trainer",), None, "T500")
    page = f"/admin/users/{trainer.id}"
    _post(admin_client, f"/admin/users/{trainer.id}/scopes", {"role": "trainer", "target": f"team:{team.id}"}, page)
    _post(admin_client, f"/admin/users/{trainer.id}/scopes", {"role": "trainer", "target": f"site:{site.id}"}, page)
    _post(admin_client, f"/admin/users/{trainer.id}/scopes", {"role": "manager", "target": f"site:{site.id}"}, page)
    scopes = list(RoleScope.select().where(RoleScope.user == trainer))
    assert sorted((s.role, s.team_id or 0) for s in scopes) == [("trainer", 0), ("trainer", team.id)]
    # The same whole-site scope twice is kept once (NULL team ids are not unique in SQL).
    _post(admin_client, f"/admin/users/{trainer.id}/scopes", {"role": "trainer", "target": f"site:{site.id}"}, page)
    assert RoleScope.select().where(RoleScope.user == trainer).count() == 2
    scope = scopes[0]
    _post(admin_client, f"/admin/users/{trainer.id}/scopes/{scope.id}/delete", {}, page)
    assert RoleScope.select().where(RoleScope.user == trainer).count() == 1


def test_sites_and_teams(admin_client, conn):
    _post(admin_client, "/admin/sites", {"name": "成都中心"}, "/admin/org")
    _post(admin_client, "/admin/sites", {"name": "成都中心"}, "/admin/org")
    site = Site.get(Site.name == "成都中心")
    assert Site.select().where(Site.name == "成都中心").count() == 1
    _post(admin_client, "/admin/teams", {"site": str(site.id), "name": "电话二组"}, "/admin/org")
    team = Team.get(Team.name == "电话二组")
    assert team.site_id == site.id
    _post(admin_client, f"/admin/team/{team.id}/active", {}, "/admin/org")
    assert not Team.get_by_id(team.id).active
    assert "电话二组" in admin_client.get("/admin/org").get_data(as_text=True)


def test_user_list_search_and_free_text_is_escaped(admin_client, conn):
    make_user(employee_no="A508", name="<script>alert(1)</script>")
    page = admin_client.get("/admin/users?q=A508").get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert(1)" not in page
    assert "A508" in page
