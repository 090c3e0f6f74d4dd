"""Object-level access (IDOR): every URL rule with an id in it, tried by someone who may use
the route but not that record.

IDOR below is the table: rule -> the home roles that probe the far side's record (a user the
route admits, who may not see that record). Rules where no such user can exist are in
NO_FOREIGN_OBJECT with the reason. A rule with an <int:...> argument in neither table fails
test_every_id_rule_is_probed. Each probe expects 403/404 with nothing written (a snapshot of
every table is compared), and the same user on the home record must not get 403/404 (so a
probe cannot pass because its URL was wrong).

How each foreign record is made: tests/security/world.py builds one of every kind per side,
and its ARGS / RULE_ARGS say which record each URL argument names. Ids posted in form fields
(pairings, coaching sessions, notifications, peer leases, disputes ...) are probed by
test_ids_in_forms_reach_no_record_of_another_site, and every page a home person can open is
read for far records by test_lists_and_pages_show_nothing_of_another_site.
"""
from __future__ import annotations

from lms.models import Activity, Bank, Completion, Drill, GoldenScript, Module, ModulePrerequisite, Track

from ..factories import client_for, csrf_token, make_user
from .routes import changed_tables, probe_form
from .world import build, far_markers, path_of, snapshot

ADMIN_ONLY = "only admins may use it, and an admin may act on every person and record"
NO_FOREIGN_OBJECT = {
    "/admin/<kind>/<int:ident>/active": ADMIN_ONLY,
    "/admin/people/<int:user_id>/erase": ADMIN_ONLY,
    "/admin/people/<int:user_id>/export.json": ADMIN_ONLY,
    "/admin/people/<int:user_id>/export.zip": ADMIN_ONLY,
    "/admin/tokens/<int:token_id>/revoke": ADMIN_ONLY,
    "/admin/users/<int:user_id>": ADMIN_ONLY,
    "/admin/users/<int:user_id>/active": ADMIN_ONLY,
    "/admin/users/<int:user_id>/reset": ADMIN_ONLY,
    "/admin/users/<int:user_id>/scopes": ADMIN_ONLY,
    "/scripts/proposals/<int:proposal_id>/decide": "the script library is the centre's: every trainer curates "
                                                   "every proposal (README, Golden-script library)",
}

IDOR = {
    "/briefings/<int:briefing_id>": ("agent", "trainer", "manager"),
    "/cases/<int:case_id>": ("trainer", "mentor", "manager"),
    "/cases/<int:case_id>/attachments": ("trainer", "mentor"),
    "/cases/<int:case_id>/attachments/<int:attachment_id>": ("agent", "trainer", "mentor", "manager"),
    "/dashboard/site/<int:site_id>": ("manager", "trainer"),
    "/dashboard/team/<int:team_id>": ("manager", "trainer"),
    "/grading/<int:reply_id>": ("trainer", "mentor"),
    "/incubation/<int:item_id>": ("mentor", "trainer"),
    "/incubation/<int:item_id>/comment": ("mentor", "trainer"),
    "/incubation/<int:item_id>/decide": ("trainer",),
    "/incubation/<int:item_id>/edit": ("mentor",),
    "/incubation/<int:item_id>/submit": ("mentor",),
    "/kpi/<int:user_id>": ("agent", "mentor", "trainer", "manager"),
    "/kpi/imports/<int:import_id>": ("trainer",),
    "/learn/certificate/<int:user_id>": ("agent", "trainer", "manager"),
    "/mentoring/<int:pairing_id>/end": ("manager", "trainer"),
    "/mentoring/output/<int:user_id>": ("mentor", "trainer", "manager"),
    "/people/<int:user_id>": ("trainer", "manager"),
    "/placement/<int:user_id>/approve": ("manager",),
    "/placement/<int:user_id>/down": ("manager",),
    "/profile/skills/<int:user_id>": ("agent", "mentor", "trainer", "manager"),
    "/profile/skills/<int:user_id>/<skill>": ("agent", "mentor", "trainer", "manager"),
    "/profile/skills/<int:user_id>/<skill>/rate": ("trainer",),
    "/quiz/attempts/<int:attempt_id>": ("agent",),
    "/quiz/attempts/<int:attempt_id>/result": ("agent",),
    "/reviews/<int:assignment_id>": ("agent",),
    "/reviews/calibration/<int:round_id>": ("trainer", "mentor"),
    "/reviews/grades/<int:grade_id>/dispute": ("agent",),
    "/reviews/sets/<int:set_id>": ("trainer", "manager"),
    "/reviews/submissions/<int:submission_id>/grade": ("trainer", "mentor"),
    "/reviews/submissions/<int:submission_id>/technique": ("trainer",),
    "/tasks/<int:task_id>": ("agent",),
    "/timeline/<int:user_id>": ("agent", "mentor", "trainer", "manager"),
    "/admin/users/<int:user_id>/scopes/<int:scope_id>/delete": ("admin",),
}

# Records that mix sides in one URL: a home parent with a far child.
MIXED = {
    "/cases/<int:case_id>/attachments/<int:attachment_id>": lambda rule, w: path_of(
        rule, w, case_id=w["home"]["case"].id, attachment_id=w["far"]["attachment"].id),
    "/admin/users/<int:user_id>/scopes/<int:scope_id>/delete": lambda rule, w: path_of(
        rule, w, scope_id=w["far"]["scope"].id),
}
# For the admin, the far record is the far trainer's scope under the home trainer's URL.
ONLY_MIXED = {"/admin/users/<int:user_id>/scopes/<int:scope_id>/delete"}


# Controls that take away what later controls rely on (a trainer's scope, a mentor's mentee).
ENDS_ACCESS = ("/end", "/scopes/")


def _ends_access(path: str) -> int:
    return next((n for n, part in enumerate(ENDS_ACCESS, 1) if part in path), 0)


def _id_rules(app):
    return sorted((r for r in app.url_map.iter_rules()
                   if r.endpoint.startswith("lms.") and any(c.__class__.__name__ == "IntegerConverter"
                                                            for c in r._converters.values())),
                  key=lambda r: r.rule)


def idor_table_problems(app) -> list[str]:
    """Rules with an id that neither table covers, and entries for rules that are gone."""
    rules = {r.rule for r in _id_rules(app)}
    problems = [f"no IDOR probe for {rule} (add it to IDOR)" for rule in sorted(rules - set(IDOR)
                                                                                  - set(NO_FOREIGN_OBJECT))]
    problems += [f"IDOR entry for a rule that no longer exists: {rule}"
                 for rule in sorted((set(IDOR) | set(NO_FOREIGN_OBJECT)) - rules)]
    problems += [f"{rule} is in both tables" for rule in sorted(set(IDOR) & set(NO_FOREIGN_OBJECT))]
    return problems


def test_every_id_rule_is_probed(app):
    assert not idor_table_problems(app), "\n".join(idor_table_problems(app))


def _send(client, method, path, data, token):
    if method == "GET":
        return client.get(path)
    has_file = any(isinstance(v, tuple) for v in data.values())
    return client.post(path, data={"csrf_token": token, **data},
                       content_type="multipart/form-data" if has_file else None)


def test_nobody_reaches_a_record_of_another_site(app):
    w = build(app)
    clients = {role: client_for(app, w["home"][role]) for role in ("agent", "mentor", "trainer", "manager")}
    clients["admin"] = client_for(app, w["admin"])
    tokens = {role: csrf_token(client, "/me") for role, client in clients.items()}
    probes, controls = [], []
    for rule in _id_rules(app):
        if rule.rule not in IDOR:
            continue
        methods = [m for m in ("GET", "POST") if m in rule.methods]
        for role in IDOR[rule.rule]:
            for method in methods:
                targets = [] if rule.rule in ONLY_MIXED else [path_of(rule, w, "far")]
                if rule.rule in MIXED:
                    targets.append(MIXED[rule.rule](rule, w))
                probes += [(role, method, path, probe_form(rule, w, "far")) for path in targets]
                if method == "GET" or "GET" not in rule.methods:
                    controls.append((role, method, path_of(rule, w), probe_form(rule, w, "home")))

    before = snapshot()
    failures = []
    for role, method, path, data in probes:
        response = _send(clients[role], method, path, data, tokens[role])
        body = response.get_data().decode("utf-8", "replace")
        if response.status_code not in (403, 404):
            failures.append(f"{role} {method} {path}: {response.status_code}, expected 403/404")
        elif far_markers(body):
            failures.append(f"{role} {method} {path}: the refusal shows {far_markers(body)}")
    after = snapshot()
    changed = changed_tables(before, after)
    assert not failures, "\n".join(failures)
    assert not changed, f"refused requests changed these tables: {changed}"

    # The same user on their own side's record; the controls that end access come last.
    controls.sort(key=lambda control: (control[1] == "POST", _ends_access(control[2])))
    for role, method, path, data in controls:
        response = _send(clients[role], method, path, data, tokens[role])
        if response.status_code in (403, 404) or response.status_code >= 500:
            failures.append(f"control {role} {method} {path}: {response.status_code}")
    assert not failures, "probes that would pass for the wrong reason:\n" + "\n".join(failures)


# A kept technique is shown to everyone, without its author: it is the centre's library.
CENTRE_WIDE = {"far-kept-technique"}


def test_lists_and_pages_show_nothing_of_another_site(app):
    """Every page a home person can open (lists included), with home ids: no far record on it."""
    w = build(app)
    failures = []
    for role in ("agent", "mentor", "trainer", "manager"):
        client = client_for(app, w["home"][role])
        for rule in app.url_map.iter_rules():
            if not rule.endpoint.startswith("lms.") or "GET" not in rule.methods or rule.endpoint == "lms.static":
                continue
            response = client.get(path_of(rule, w))
            seen = set(far_markers(response.get_data().decode("utf-8", "replace"))) - CENTRE_WIDE
            if seen:
                failures.append(f"{role} GET {path_of(rule, w)} shows {sorted(seen)}")
            if response.status_code >= 500:
                failures.append(f"{role} GET {path_of(rule, w)}: {response.status_code}")
    assert not failures, "\n".join(failures)


def _form_ids(w):
    """(role, page with the form, path, data naming a far record in a form field)."""
    home, far = w["home"], w["far"]
    day = "2026-11-24"
    return [
        ("trainer", "/mentoring/", "/mentoring/pair", {"mentor": far["mentor"].id, "mentee": home["agent"].id}),
        ("manager", "/mentoring/", "/mentoring/pair", {"mentor": home["mentor"].id, "mentee": far["agent"].id}),
        ("mentor", "/mentoring/sessions", "/mentoring/sessions",
         {"mentee": far["agent"].id, "held_on": day, "topic": "越界", "notes": "越界"}),
        ("agent", "/mentoring/sessions", "/mentoring/sessions", {"acknowledge": far["coaching"].id}),
        ("agent", "/notifications/", "/notifications/read", {"id": far["notification"].id}),
        ("agent", "/reviews/peer", "/reviews/peer",
         {"peer": far["submission"].peer_reviews.get().id, "level_process": "1", "comment": "越界"}),
        ("trainer", "/reviews/disputes", "/reviews/disputes",
         {"dispute": far["dispute"].id, "outcome": "rejected", "resolution": "越界驳回"}),
        ("manager", "/reviews/disputes", "/reviews/disputes",
         {"dispute": far["dispute"].id, "outcome": "rejected", "resolution": "越界驳回"}),
        ("trainer", "/reviews/calibration", "/reviews/calibration",
         {"submission": far["submission"].id, "reference": home["trainer"].id,
          "graders": [home["mentor"].id, far["mentor"].id, far["trainer"].id]}),
        ("trainer", "/briefings/new", "/briefings/new",
         {"title": "越界", "body": "越界", "deadline": "2026-12-01", "teams": [far["team"].id]}),
        ("trainer", "/reviews/sets/new", "/reviews/sets/new",
         {"title": "越界", "week": day, "due_on": "2026-11-30", "teams": [far["team"].id],
          "cases": [far["case"].id, home["case"].id]}),
        ("trainer", "/cases/new", "/cases/new",
         {"title": "越界", "kind": "failure", "summary": "越界", "team": far["team"].id}),
        ("mentor", "/cases/new", "/cases/new",
         {"title": "越界", "kind": "failure", "summary": "越界", "team": far["team"].id}),
    ]


def test_ids_in_forms_reach_no_record_of_another_site(app):
    """Ids posted in form fields (not in the URL) are checked like those in URLs."""
    w = build(app)
    failures = []
    for role, page, path, data in _form_ids(w):
        client = client_for(app, w["home"][role])
        token = csrf_token(client, page)
        before = snapshot()
        response = client.post(path, data={"csrf_token": token, **data})
        changed = changed_tables(before, snapshot())
        if changed or response.status_code >= 500:
            failures.append(f"{role} POST {path} {data}: {response.status_code}, changed {changed}")
    assert not failures, "\n".join(failures)


def test_content_beyond_an_agents_reach_is_not_served(app, conn):
    """Content is named by slug: a tier above the agent's, unpublished content, and draft or retired
    scripts are answered as if they did not exist (staff see them); a locked lesson cannot be done."""
    agent = make_user(("agent",), employee_no="CA1", tier="newcomer")
    elite = make_user(("agent",), employee_no="CA2", tier="elite")
    trainer = make_user(("trainer",), employee_no="CT1")
    Drill.create(slug="d-elite", title="精英演练", tier="elite", scenario="complaint", skill="empathy",
                 rubric="reply-standard", customer="客户")
    Bank.create(slug="b-advanced", title="进阶题库", tier="advanced")
    Track.create(slug="t-elite", title="精英训", tier="elite")
    track = Track.create(slug="t-open", title="新人", tier="newcomer")
    hidden_module = Module.create(track=track, slug="m-hidden", title="未发布", position=3, published=False)
    Activity.create(module=hidden_module, slug="a-hidden", kind="lesson", title="未发布课", position=1, body="正文")
    first = Module.create(track=track, slug="m-first", title="第一", position=1)
    later = Module.create(track=track, slug="m-later", title="第二", position=2)
    ModulePrerequisite.create(module=later, requires=first)
    Activity.create(module=first, slug="a-first", kind="lesson", title="第一课", position=1, body="正文")
    Activity.create(module=first, slug="a-draft", kind="lesson", title="草稿课", position=2, body="正文",
                    published=False)
    Activity.create(module=later, slug="a-locked", kind="lesson", title="锁定课", position=1, body="正文")
    for slug, status in (("g-draft", "draft"), ("g-retired", "retired")):
        GoldenScript.create(slug=slug, title="话术", scenario="complaint", topic="refund", channel="phone",
                            situation="情形", after="话术", status=status)
    hidden = ["/drills/d-elite", "/quiz/b-advanced", "/learn/tracks/t-elite", "/learn/activities/a-draft",
              "/learn/activities/a-hidden", "/scripts/g-draft", "/scripts/g-retired"]
    as_agent, as_elite, as_trainer = client_for(app, agent), client_for(app, elite), client_for(app, trainer)
    token = csrf_token(as_agent, "/me")
    failures = [f"agent GET {path}: {as_agent.get(path).status_code}" for path in hidden
                if as_agent.get(path).status_code != 404]
    # Controls: an elite agent opens what is above a newcomer, staff see draft and retired scripts.
    controls = [(as_elite, path) for path in hidden[:3]] + [(as_trainer, path) for path in hidden[-2:]]
    failures += [f"control GET {path}: {client.get(path).status_code}" for client, path in controls
                 if client.get(path).status_code != 200]
    assert as_agent.get("/learn/activities/a-locked").status_code == 403
    for slug in ("a-draft", "a-hidden", "a-locked"):
        as_agent.post(f"/learn/activities/{slug}/complete", data={"csrf_token": token})
    assert as_agent.post("/quiz/b-advanced/start", data={"csrf_token": token}).status_code == 404
    assert as_agent.post("/scripts/g-draft/practise", data={"csrf_token": token}).status_code == 404
    assert not failures, "\n".join(failures)
    assert Completion.select().count() == 0
