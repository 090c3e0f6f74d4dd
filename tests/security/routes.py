"""Posting to every state-changing route as a user it admits, for the CSRF and XSS tests.

A route's form is read from its own page when it has one (so edit forms post what they show);
`route_data` adds what a user would type or choose there. `say(label)` makes every free text,
so the XSS test can send script payloads through the very same posts.
"""
from __future__ import annotations

import csv
import io

from lms.db import database
from lms.models import Case, RoleScope, User
from lms.services import accounts

from ..factories import client_for, make_user
from ..web.test_access import ACCESS, PUBLIC, SIGNED_IN
from .pages import form_for
from .world import PNG, build, path_of

WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
# Who posts: the role the route admits, as a home person (mentors author drafts and log sessions).
ACTOR = {"lms.mentoring.sessions": "mentor", "lms.incubation.new": "mentor", "lms.incubation.edit": "mentor",
         "lms.incubation.submit": "mentor", "lms.incubation.comment": "mentor", "lms.scripts.propose": "mentor",
         "lms.scripts.propose_new": "mentor"}
# Posted last, in this order: each takes away something the others need.
LAST = ("lms.auth.change_password", "lms.mentoring.end", "lms.admin.scope_delete", "lms.admin.user_active",
        "lms.admin.org_active", "lms.privacy.erase", "lms.auth.logout")
# Typed text that must keep its format (ids, numbers, dates, codes): never replaced by free text.
FORMATTED = {"slug", "employee_no", "email", "hire_date", "emotion", "ref", "days", "minutes", "week", "weeks",
             "deadline", "held_on", "follow_up_on", "due_on", "score", "new_level", "difficulty", "answer", "confirm",
             "current", "password", "tags", "q1_answer", "q2_answer", "q3_answer", "pass_mark", "draw", "attempts",
             "time_limit_minutes", "week_of", "elements"}


def actor_of(endpoint: str) -> str:
    entry = ACCESS[endpoint]
    if entry == PUBLIC:
        return "anonymous"
    if entry == SIGNED_IN:
        return "agent"
    return ACTOR.get(endpoint, entry[0])


def fixed_args(rule, w) -> dict:
    """URL arguments that differ from the world's defaults for posting."""
    if rule.rule.startswith("/admin/users/<int:user_id>"):  # act on a bystander, not on anyone signed in
        return {"user_id": w["bystander"].id, **({"scope_id": w["bystander_scope"].id} if "scope_id"
                                                  in rule.arguments else {})}
    if rule.rule.startswith("/admin/people/"):
        return {"user_id": w["leaver"].id}
    if rule.rule == "/welcome/<token>":
        return {"token": w["link"]}
    if rule.rule == "/reviews/submissions/<int:submission_id>/grade":
        return {"submission_id": w["home"]["peer_submission"].id}  # the agent's is graded already
    return {}


def probe_form(rule, w, side, say=lambda label: label) -> dict:
    """What a POST to a record's route carries: enough that the record would change."""
    s = w[side]
    case = s["case"].id
    forms = {
        "/briefings/<int:briefing_id>": {"q0": "0"},
        "/grading/<int:reply_id>": {"level_empathy": "2", "comment": say("drill-grade-comment")},
        "/incubation/<int:item_id>/comment": {"body": say("draft-thread")},
        "/incubation/<int:item_id>/decide": {"decision": "rejected", "body": say("draft-decision")},
        "/incubation/<int:item_id>/edit": {"title": say("draft-title"), "slug": "changed", "tier": "newcomer",
                                           "scenario": "complaint", "skill": "empathy", "rubric": "reply-standard",
                                           "customer": say("draft-customer"), "context": say("draft-context"),
                                           "model_answer": say("draft-model"), "tags": ""},
        "/incubation/<int:item_id>/submit": {"body": say("draft-submit-note")},
        "/placement/<int:user_id>/down": {"tier": "newcomer", "reason": say("move-down-reason")},
        "/profile/skills/<int:user_id>/<skill>/rate": {"score": "10", "note": say("rating-note")},
        "/quiz/attempts/<int:attempt_id>": {f"q{w['content']['question'].id}": "0"},
        "/reviews/<int:assignment_id>": {"technique": say("review-technique-reusable"), **{
            f"c{case}_{d}": say(f"review-answer-{d}") for d in ("process", "experience", "growth")}},
        "/reviews/calibration/<int:round_id>": {"level_process": "1", "level_experience": "1", "level_growth": "1"},
        "/reviews/grades/<int:grade_id>/dispute": {"criterion": "experience", "comment": say("dispute-comment")},
        "/reviews/submissions/<int:submission_id>/grade": {"level_process": "3", "level_experience": "3",
                                                           "level_growth": "3", "comment": say("grade-comment")},
        "/tasks/<int:task_id>": {"answer": say("microtask-answer")},
    }
    data = dict(forms.get(rule.rule, {}))
    if rule.rule == "/cases/<int:case_id>/attachments":
        data["file"] = (io.BytesIO(PNG), say("attachment").replace("/", "").replace('"', "'") + ".png")
    return data


def _csv(rows) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode("utf-8")


def route_data(rule, w, say=lambda label: label) -> dict:
    """What the page's form does not carry by itself (new records, files, choices)."""
    home = w["home"]
    team = home["team"].id

    def file_name(label, suffix):
        """A file name as a browser sends it: no '/' (a path) and no '"' (the multipart quoting)."""
        return say(label).replace("/", "").replace('"', "'") + suffix

    roster = _csv([("employee_no", "name", "email", "hire_date", "site", "team", "roles"),
                   ("N900", say("roster-name"), "n900@example.cn", "2026-11-02", home["site"].name,
                    home["team"].name, "agent")])
    records = _csv([("日期", "客户姓名", "联系方式", "渠道", "问题类型", "问题描述", "解决方案", "处理结果"),
                    ("2026-11-20", "王建国", "13912345678", "电话", say("issue-type"), say("records-problem"),
                     say("records-solution"), "已解决")])
    kpi = b"employee_no,date,contacts,resolved_first_contact,handle_seconds,csat_responses,csat_positive\n" \
          b"HA1,2026-11-23,9,9,900,1,1\n"
    script = {"title": say("script-title"), "scenario": "complaint", "topic": "refund", "channel": "phone",
              "situation": say("script-situation"), "before": say("script-before"), "after": say("script-after"),
              "why": say("script-why"), "elements": ["empathy"]}
    data = {
        "/login": {"employee_no": home["agent"].employee_no, "password": "Train1ng-pass"},
        "/password": {"current": "Train1ng-pass", "password": "Another-pass-77", "confirm": "Another-pass-77"},
        "/welcome/<token>": {"password": "Chosen-pass-42", "confirm": "Chosen-pass-42"},
        "/admin/sites": {"name": say("new-site")},
        "/admin/teams": {"site": home["site"].id, "name": say("new-team")},
        "/admin/tokens/": {"name": say("token-name"), "days": "30"},
        "/admin/users/new": {"employee_no": "N901", "name": say("admin-new-user"), "roles": "agent", "team": team},
        "/admin/users/<int:user_id>": {"name": say("admin-renamed")},
        "/admin/users/<int:user_id>/scopes": {"role": "trainer", "target": f"team:{team}"},
        "/admin/users/<int:user_id>/reset": {"kind": "link"},
        "/admin/people/<int:user_id>/erase": {"confirm": w["leaver"].employee_no},
        "/admin/roster": {"file": (io.BytesIO(roster), file_name("roster", ".csv")), "dry_run": ""},
        "/kpi/import": {"file": (io.BytesIO(kpi), file_name("kpi-file", ".csv")), "dry_run": ""},
        "/cases/import": {"file": (io.BytesIO(records), file_name("records", ".csv")), "kind": "failure"},
        "/cases/new": {"title": say("case-title"), "summary": say("case-summary"), "kind": "failure",
                       "customer": "王建国"},
        "/authoring/tracks/new": {"slug": "t-new", "title": say("track-title"), "tier": "advanced",
                                  "summary": say("track-summary")},
        "/authoring/tracks/<slug>/modules/new": {"slug": "m-new", "title": say("module-title")},
        "/authoring/modules/<slug>/activities/new": {"slug": "a-new", "title": say("activity-title"),
                                                      "kind": "lesson", "minutes": "5",
                                                      "body": say("activity-body") + "\n\n[x](javascript:alert(1))"},
        "/authoring/preview": {"body": say("preview") + "\n\n[x](javascript:alert(1))"},
        "/authoring/<kind>/<slug>/publish": {"published": "0"},
        "/authoring/<kind>/<slug>/move": {"direction": "down"},
        "/banks/<slug>/questions/new": {"slug": "q-new", "type": "true_false", "skill": "empathy",
                                        "prompt": say("question-prompt"), "feedback": say("question-feedback"),
                                        "answer": "true", "difficulty": "2"},
        "/briefings/new": {"title": say("briefing-title"),
                           "body": say("briefing-body") + "\n\n[x](javascript:alert(1))",
                           "deadline": "2026-12-01", "q1_prompt": say("briefing-check"),
                           "q1_choices": say("choice-one") + "\n" + say("choice-two"), "q1_answer": "1"},
        "/briefings/<int:briefing_id>": {"q0": "0"},
        "/drills/<slug>": {"reply": say("drill-reply")},
        "/incubation/new/<kind>": {"slug": "d-new", "title": say("new-draft-title"), "tier": "newcomer",
                                   "scenario": "complaint", "skill": "empathy", "rubric": "reply-standard",
                                   "customer": say("new-draft-customer"), "context": say("new-draft-context")},
        "/mentoring/pair": {"mentor": home["mentor"].id, "mentee": home["peer"].id},
        "/mentoring/sessions": {"mentee": home["agent"].id, "held_on": "2026-11-24", "topic": say("session-topic"),
                                "notes": say("session-notes"), "action": say("session-action")},
        "/notifications/read": {"all": "1"},
        "/reviews/calibration": {"submission": home["submission"].id, "reference": home["trainer"].id,
                                 "graders": [home["mentor"].id]},
        "/reviews/disputes": {"dispute": home["dispute"].id, "outcome": "rejected",
                              "resolution": say("dispute-resolution")},
        "/reviews/sets/new": {"title": say("review-set-title"), "week": "2026-11-30", "due_on": "2026-12-04",
                              "cases": [c.id for c in w["more_cases"]] + [home["case"].id]},
        "/reviews/peer": {"peer": 1},
        "/scripts/new": script,
        "/scripts/<slug>/edit": {"elements": ["empathy"]},
        "/scripts/propose": {**script, "reason": say("proposal-reason")},
        "/scripts/<slug>/propose": {"after": say("improvement-after"), "reason": say("improvement-reason")},
        "/scripts/proposals/<int:proposal_id>/decide": {"decision": "decline", "comment": say("decline-comment")},
        "/locale/<code>": {},
    }.get(rule.rule)
    if data is None:
        data = probe_form(rule, w, "home", say)
    return data


def posting_world(app, payload: str = "") -> dict:
    """The security world, and the few people and records the posts act on."""
    w = build(app, payload)
    w["bystander"] = make_user(("trainer",), None, "BY1", name=f"{payload}home-bystander", scopes=[w["home"]["team"]])
    w["leaver"] = make_user(("agent",), w["home"]["team"], "LV1", name=f"{payload}home-leaver")
    with database.connection_context():
        w["more_cases"] = [Case.create(title=f"{payload}home-case-{n}", kind="failure", team=w["home"]["team"],
                                       summary=f"{payload}home-case-summary-{n}") for n in (2, 3)]
        w["bystander_scope"] = RoleScope.get(RoleScope.user == w["bystander"])
        accounts.deactivate(User.get_by_id(w["leaver"].id))
        w["link"] = accounts.issue_link_token(make_user(password=None, employee_no="NEW1"), ttl_hours=24)
    return w


def write_rules(app):
    """Every state-changing rule (the token API aside), those in LAST at the end in its order."""
    rules = [r for r in app.url_map.iter_rules()
             if r.endpoint.startswith("lms.") and not r.endpoint.startswith("lms.api.") and r.methods & WRITE_METHODS]
    return sorted(rules, key=lambda r: (r.endpoint in LAST and LAST.index(r.endpoint) + 1, r.rule))


class Poster:
    """Signed-in clients per role, and posts built from each route's own form."""

    def __init__(self, app, world):
        self.app, self.world, self.clients = app, world, {}

    def client(self, role):
        if role not in self.clients:
            if role == "anonymous":
                self.clients[role] = self.app.test_client()
            else:
                user = self.world["admin"] if role == "admin" else self.world["home"][role]
                self.clients[role] = client_for(self.app, user)
        return self.clients[role]

    def prepare(self, rule, say=None):
        """(client, path, send) for one rule; send(token=None) posts the form (with that CSRF token),
        its free-text fields replaced by say(label) when `say` is given."""
        role = actor_of(rule.endpoint)
        client = self.client(role)  # signing in writes: done before the caller's snapshot
        path = path_of(rule, self.world, **fixed_args(rule, self.world))
        page = client.get(path) if "GET" in rule.methods else None
        form = form_for(page.get_data(as_text=True), path) if page is not None and page.status_code == 200 else None
        method = next(m for m in ("POST", "PUT", "PATCH", "DELETE") if m in rule.methods)
        typed = {}
        if form is not None and say is not None:
            # What the form shows filled in (an edit form) is retyped; a new form's text is in route_data.
            typed = {name: say(f"{rule.endpoint.split('.')[-1]}-{name}") for name in form.text_fields(True)
                     if name not in FORMATTED}

        def send(token=None):
            data = {**(form.data() if form else {}), **typed,
                    **(route_data(rule, self.world, say) if say else route_data(rule, self.world))}
            data.pop("csrf_token", None)
            if token:
                data["csrf_token"] = token
            files = any(isinstance(v, tuple) for v in data.values())
            return client.open(path, method=method, data=data, content_type="multipart/form-data" if files else None)

        return role, client, path, method, send


def changed_tables(before, after) -> list[str]:
    return [name for (name, rows), (_, now) in zip(before, after) if rows != now]
