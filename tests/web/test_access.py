"""Every route x every role -> the expected answer; object-level access (IDOR).

The table below is the access policy. A route added without an entry here, or whose
declared rule differs from the entry, fails test_every_route_is_in_the_table.
"""
import re

import pytest

from lms.models import User

from ..factories import csrf_token, login, make_site, make_team, make_user

ROLES = ("anonymous", "agent", "mentor", "trainer", "manager", "admin")
PUBLIC, SIGNED_IN, TOKEN = "public", "signed_in", "token"

ACCESS = {
    "lms.static": PUBLIC,
    "lms.home.healthz": PUBLIC,
    "lms.auth.login": PUBLIC,
    "lms.auth.redeem_link": PUBLIC,
    "lms.auth.set_locale": PUBLIC,
    "lms.auth.logout": SIGNED_IN,
    "lms.auth.change_password": SIGNED_IN,
    "lms.home.index": SIGNED_IN,
    "lms.home.profile": SIGNED_IN,
    "lms.learn.index": SIGNED_IN,
    "lms.kpi.agent": SIGNED_IN,
    "lms.kpi.upload": ("trainer", "manager"),
    "lms.kpi.export": ("trainer", "manager"),
    "lms.kpi.import_status": ("trainer", "manager"),
    "lms.timeline.agent": SIGNED_IN,
    "lms.profile.mine": SIGNED_IN,
    "lms.profile.agent": SIGNED_IN,
    "lms.profile.evidence": SIGNED_IN,
    "lms.profile.rate": ("trainer",),
    "lms.path.index": ("agent",),
    "lms.notifications.index": SIGNED_IN,
    "lms.notifications.read": SIGNED_IN,
    "lms.tasks.index": ("agent",),
    "lms.briefings.index": SIGNED_IN,
    "lms.cases.index": ("trainer", "mentor", "manager"),
    "lms.reviews.index": SIGNED_IN,
    "lms.reviews.new_set": ("trainer",),
    "lms.reviews.show_set": ("trainer", "manager", "mentor"),
    "lms.reviews.assignment": ("agent",),
    "lms.reviews.grading": ("trainer", "mentor"),
    "lms.reviews.grade": ("trainer", "mentor"),
    "lms.reviews.dispute": ("agent",),
    "lms.reviews.disputes": ("trainer", "manager"),
    "lms.reviews.peer": ("agent",),
    "lms.mentoring.index": ("manager", "trainer", "mentor"),
    "lms.mentoring.pair": ("manager", "trainer"),
    "lms.mentoring.end": ("manager", "trainer"),
    "lms.mentoring.sessions": ("agent",),
    "lms.incubation.mine": ("agent",),
    "lms.incubation.new": ("agent",),
    "lms.incubation.edit": ("agent",),
    "lms.incubation.show": ("agent", "trainer"),
    "lms.incubation.submit": ("agent",),
    "lms.incubation.comment": ("agent", "trainer"),
    "lms.incubation.decide": ("trainer",),
    "lms.incubation.queue": ("trainer",),
    "lms.second_output.show": ("agent", "trainer", "manager"),
    "lms.reviews.flag_technique": ("trainer",),
    "lms.reviews.techniques": SIGNED_IN,
    "lms.scripts.index": SIGNED_IN,
    "lms.scripts.show": SIGNED_IN,
    "lms.scripts.practise": ("agent",),
    "lms.scripts.new": ("trainer",),
    "lms.scripts.edit": ("trainer",),
    "lms.scripts.approve": ("trainer",),
    "lms.scripts.retire": ("trainer",),
    "lms.scripts.techniques": ("trainer",),
    "lms.scripts.propose": ("mentor", "trainer"),
    "lms.scripts.propose_new": ("mentor", "trainer"),
    "lms.scripts.proposals": ("trainer", "mentor"),
    "lms.scripts.decide": ("trainer",),
    "lms.reviews.calibration_rounds": ("trainer",),
    "lms.reviews.calibration_round": ("trainer", "mentor"),
    "lms.cases.new": ("trainer", "mentor"),
    "lms.cases.upload": ("trainer", "mentor"),
    "lms.cases.show": ("trainer", "mentor", "manager"),
    "lms.cases.attach": ("trainer", "mentor"),
    "lms.cases.attachment": SIGNED_IN,
    "lms.briefings.new": ("trainer",),
    "lms.briefings.show": SIGNED_IN,
    "lms.tasks.task": ("agent",),
    "lms.dashboard.index": ("manager", "trainer"),
    "lms.dashboard.site": ("manager", "trainer"),
    "lms.dashboard.team": ("manager", "trainer"),
    "lms.impact.index": ("manager", "trainer"),
    "lms.impact.skills": ("manager", "trainer"),
    "lms.learn.track": SIGNED_IN,
    "lms.learn.activity": SIGNED_IN,
    "lms.learn.complete": SIGNED_IN,
    "lms.learn.certificate": SIGNED_IN,
    "lms.quiz.bank": ("agent",),
    "lms.quiz.start": ("agent",),
    "lms.quiz.attempt": ("agent",),
    "lms.quiz.result": ("agent",),
    "lms.quiz.banks": ("trainer",),
    "lms.drills.index": ("agent",),
    "lms.drills.drill": ("agent",),
    "lms.drills.queue": ("trainer", "mentor"),
    "lms.drills.grade": ("trainer", "mentor"),
    "lms.quiz.analysis": ("trainer",),
    "lms.banks.bank": ("trainer",),
    "lms.banks.question": ("trainer",),
    "lms.banks.publish": ("trainer",),
    "lms.placement.index": ("manager",),
    "lms.placement.approve": ("manager",),
    "lms.placement.move_down": ("manager",),
    "lms.people.index": ("trainer", "manager"),
    "lms.people.detail": ("trainer", "manager"),
    "lms.authoring.index": ("trainer",),
    "lms.authoring.track_new": ("trainer",),
    "lms.authoring.track": ("trainer",),
    "lms.authoring.track_edit": ("trainer",),
    "lms.authoring.module_new": ("trainer",),
    "lms.authoring.module_edit": ("trainer",),
    "lms.authoring.activity_new": ("trainer",),
    "lms.authoring.activity_edit": ("trainer",),
    "lms.authoring.move": ("trainer",),
    "lms.authoring.publish": ("trainer",),
    "lms.authoring.preview": ("trainer",),
    "lms.admin.users": ("admin",),
    "lms.admin.user_edit": ("admin",),
    "lms.admin.scope_add": ("admin",),
    "lms.admin.scope_delete": ("admin",),
    "lms.admin.user_reset": ("admin",),
    "lms.admin.user_active": ("admin",),
    "lms.admin.org": ("admin",),
    "lms.admin.site_create": ("admin",),
    "lms.admin.team_create": ("admin",),
    "lms.admin.org_active": ("admin",),
    "lms.roster.upload": ("admin",),
    "lms.tokens.index": ("admin",),
    "lms.tokens.revoke": ("admin",),
    "lms.privacy.export_json": ("admin",),
    "lms.privacy.export_zip": ("admin",),
    "lms.privacy.erase": ("admin",),
    "lms.audit.index": ("admin",),
    "lms.audit.csv": ("admin",),
    "lms.api.push_kpi": TOKEN,
}


def access_table_problems(app, table) -> list[str]:
    """What is wrong between the app's URL map and an access table (empty: they agree).
    Shared with tests/security/test_route_matrix.py, which shows it catches a bad route."""
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules() if rule.endpoint.startswith("lms.")}
    problems = [f"route without an access entry: {e}" for e in sorted(endpoints - set(table))]
    problems += [f"stale access entry: {e}" for e in sorted(set(table) - endpoints)]
    for endpoint in sorted(endpoints & set(table) - {"lms.static"}):
        declared = getattr(app.view_functions[endpoint], "lms_access", None)
        if declared is None:
            problems.append(f"{endpoint} declares no access rule (@public, @signed_in, @requires, @api_token)")
            continue
        kind, roles = declared
        if (kind if kind != "roles" else roles) != table[endpoint]:
            problems.append(f"{endpoint} declares {kind} {roles}, the table says {table[endpoint]}")
        if kind == TOKEN and not endpoint.startswith("lms.api."):
            problems.append(f"{endpoint}: token routes live under /api/v1/")
    return problems


def test_every_route_is_in_the_table(app):
    assert not access_table_problems(app, ACCESS), "\n".join(access_table_problems(app, ACCESS))


@pytest.fixture
def world(app):
    site = make_site("上海中心")
    team = make_team("在线一组", site)
    other_team = make_team("电话一组", site)
    people = {
        "agent": make_user(("agent",), team, "A1"),
        "mentor": make_user(("agent", "mentor"), team, "A2"),
        "trainer": make_user(("trainer",), None, "T1", scopes=[team]),
        "manager": make_user(("manager",), None, "M1", scopes=[site]),
        "admin": make_user(("admin",), None, "ADM"),
    }
    people["outsider"] = make_user(("agent",), other_team, "A9", name="外组员工")
    return {"site": site, "team": team, "people": people}


def _url(rule, world):
    values = {}
    for arg in rule.arguments:
        if arg == "filename":
            values[arg] = "lms.css"
        elif arg == "token":
            values[arg] = "not-a-real-token"
        elif arg == "code":
            values[arg] = "en"
        elif arg == "kind":
            values[arg] = "team"
        elif arg in ("user_id",):
            values[arg] = world["people"]["agent"].id
        else:
            values[arg] = world["team"].id
    path = rule.rule
    for name, value in values.items():
        path = re.sub(r"<(?:[a-z]+:)?%s>" % name, str(value), path)
    return path


HELD_ROLES = {"mentor": {"agent", "mentor"}}  # a mentor is an agent who also coaches


def _expected_allowed(entry, role):
    if entry == PUBLIC:
        return True
    if role == "anonymous":
        return False
    if entry == SIGNED_IN:
        return True
    return role == "admin" or bool(HELD_ROLES.get(role, {role}) & set(entry))


@pytest.mark.parametrize("role", ROLES)
def test_route_role_matrix(app, world, role):
    client = app.test_client()
    if role != "anonymous":
        login(client, world["people"][role])
    token = csrf_token(client, "/login" if role == "anonymous" else "/")
    failures = []
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("lms."):
            continue
        entry = ACCESS[rule.endpoint]
        method = "GET" if "GET" in rule.methods else "POST"
        path = _url(rule, world)
        if rule.endpoint == "lms.auth.logout":
            continue  # signing out would end the session for the rest of the matrix; see test_auth
        response = client.open(path, method=method, data={"csrf_token": token} if method == "POST" else None)
        if entry == TOKEN:  # a session cookie is never enough for the API
            if response.status_code != 401:
                failures.append(f"{method} {path}: {response.status_code}, expected 401 without a token")
            continue
        allowed = _expected_allowed(entry, role)
        to_login = response.status_code == 302 and "/login" in response.headers.get("Location", "")
        if allowed and (response.status_code in (401, 403) or to_login or response.status_code >= 500):
            failures.append(f"{method} {path}: {response.status_code}, expected access")
        if not allowed and role == "anonymous" and not to_login and response.status_code != 401:
            failures.append(f"{method} {path}: {response.status_code}, expected a redirect to sign in")
        if not allowed and role != "anonymous" and response.status_code != 403:
            failures.append(f"{method} {path}: {response.status_code}, expected 403")
    assert not failures, "\n".join(failures)


def test_agent_cannot_see_another_agents_record(app, world):
    client = app.test_client()
    login(client, world["people"]["agent"])
    other = world["people"]["outsider"]
    assert client.get(f"/people/{other.id}").status_code in (403, 404)
    assert other.name not in client.get("/me").get_data(as_text=True)


def test_trainer_sees_only_their_teams(app, world):
    client = app.test_client()
    login(client, world["people"]["trainer"])
    assert client.get(f"/people/{world['people']['agent'].id}").status_code == 200
    assert client.get(f"/people/{world['people']['outsider'].id}").status_code == 404
    assert client.get(f"/people/{world['people']['admin'].id}").status_code == 404
    listing = client.get("/people/").get_data(as_text=True)
    assert "A1" in listing and "A9" not in listing
    other_team = User.get_by_id(world["people"]["outsider"].id)
    assert client.get(f"/people/?team={other_team.id + 999}").status_code == 404


def test_site_manager_sees_every_team_of_the_site(app, world):
    client = app.test_client()
    login(client, world["people"]["manager"])
    listing = client.get("/people/").get_data(as_text=True)
    assert "A1" in listing and "A9" in listing
    assert client.get(f"/people/{world['people']['outsider'].id}").status_code == 200


def test_scope_grants_nothing_without_the_role(app, world, conn):
    from lms.services import accounts

    trainer = User.get_by_id(world["people"]["trainer"].id)
    accounts.set_roles(trainer, {"trainer", "agent"})
    client = app.test_client()
    login(client, trainer)
    assert client.get(f"/people/{world['people']['agent'].id}").status_code == 200
    accounts.set_roles(trainer, {"agent"})
    assert client.get(f"/people/{world['people']['agent'].id}").status_code == 403


def test_error_pages_leak_nothing(app, world):
    client = app.test_client()
    login(client, world["people"]["agent"])
    page = client.get("/admin/users")
    assert page.status_code == 403
    body = page.get_data(as_text=True)
    assert "Traceback" not in body and "lms/web" not in body
    assert client.get("/no/such/page").status_code == 404
