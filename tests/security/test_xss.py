"""Stored XSS: script payloads in every free-text column, and written through every form, come
out inert on every page; Markdown is sanitised.

Every text column of every model is either FREE_TEXT (the world writes the payload into it;
a column classified so but not seeded fails) or in NOT_FREE_TEXT with the reason it cannot
carry a person's text. A new column in neither fails test_every_text_column_is_classified.
"""
from __future__ import annotations

from urllib.parse import quote

import peewee as pw
import pytest

from lms.db import database
from lms.markup import render_markdown
from lms.models import ALL_MODELS

from ..factories import client_for, csrf_token
from .pages import script_problems
from .routes import Poster, posting_world, write_rules
from .world import build, path_of

PAYLOAD = '<script>alert(1)</script>"><img src=x onerror=alert(1)>'
MARK = "<script>alert(1)"  # what survives in every seeded column (some are cut to 32 characters)

CODE = "a code from a fixed set (slug, tier, role, kind, status, scenario ...), checked on every write"
DIGEST = "a hash, digest or random file name, never typed by a person"
APP_JSON = "JSON the application writes from ids, numbers and codes only"
NOT_SHOWN = "copied from a notification for e-mail/webhook delivery (plain text), never shown in a page"
INTERNAL = "written by the application's own jobs and caches, never from a person's input"

NOT_FREE_TEXT = {
    "User.employee_no": "letters, digits, '.', '_' and '-' only (checked by the forms and the roster import)",
    "User.locale": CODE, "User.password_hash": DIGEST, "User.tier": CODE, "UserRole.role": CODE,
    "RoleScope.role": CODE, "TierChange.tier": CODE, "LoginFailure.kind": CODE, "OneTimeToken.purpose": CODE,
    "OneTimeToken.token_hash": DIGEST, "AuditLog.action": CODE,
    "Track.file_hash": DIGEST, "Track.slug": CODE, "Track.tier": CODE, "Track.pass_required": APP_JSON,
    "Module.file_hash": DIGEST, "Module.slug": CODE,
    "Activity.file_hash": DIGEST, "Activity.slug": CODE, "Activity.kind": CODE, "Activity.ref": CODE,
    "ContentChange.kind": CODE, "ContentChange.slug": CODE, "ContentChange.action": CODE,
    "Skill.slug": CODE, "Skill.file_hash": DIGEST,
    "Bank.file_hash": DIGEST, "Bank.slug": CODE, "Bank.tier": CODE, "Bank.grading": CODE, "Bank.draw_rules": APP_JSON,
    "Question.file_hash": DIGEST, "Question.slug": CODE, "Question.type": CODE, "Question.skill": CODE,
    "Drill.file_hash": DIGEST, "Drill.slug": CODE, "Drill.tier": CODE, "Drill.scenario": CODE, "Drill.skill": CODE,
    "Drill.rubric": CODE, "Rubric.slug": CODE, "Rubric.file_hash": DIGEST,
    "QuizAttempt.questions": APP_JSON, "Evidence.skill": CODE, "Evidence.source": CODE,
    "BankAnalysis.result": INTERNAL, "DrillReply.levels": APP_JSON,
    "DrillReply.checker": "the script checker's reading of the reply (rules, spans, scores); shown through "
                          "the reply's own text, which is seeded",
    "KpiImport.source": CODE, "KpiImport.file_hash": DIGEST, "KpiImport.status": CODE, "KpiImport.mapping": CODE,
    "ApiToken.token_hash": DIGEST, "ApiToken.scope": CODE,
    "ImpactCache.key": INTERNAL, "ImpactCache.stamp": INTERNAL, "ImpactCache.result": INTERNAL,
    "MicroTemplate.file_hash": DIGEST, "MicroTemplate.slug": CODE, "MicroTemplate.tier": CODE,
    "MicroTemplate.skill": CODE, "MicroTemplate.kpi": CODE, "MicroTemplate.kind": CODE,
    "MicroTask.status": CODE, "MicroTask.items": APP_JSON,
    "TriggeredAssignment.rule": CODE,
    "TriggeredAssignment.reason": "composed by the KPI-rule job from the rule's name and numbers",
    "Briefing.tiers": CODE, "Briefing.team_ids": APP_JSON, "BriefingAck.answers": APP_JSON,
    "Notification.kind": CODE, "Notification.dedup_key": INTERNAL,
    "OutboxMessage.channel": CODE, "OutboxMessage.recipient": NOT_SHOWN, "OutboxMessage.subject": NOT_SHOWN,
    "OutboxMessage.body": NOT_SHOWN, "OutboxMessage.dedup_key": INTERNAL, "OutboxMessage.status": CODE,
    "OutboxMessage.last_error": INTERNAL,
    "JobRun.job": CODE, "JobRun.status": CODE, "JobRun.runner": INTERNAL, "JobRun.result": INTERNAL,
    "JobRun.error": INTERNAL,
    "Case.kind": CODE, "Case.emotion": APP_JSON, "ReviewSet.tiers": CODE, "ReviewSet.team_ids": APP_JSON,
    "ReviewGrade.levels": APP_JSON, "Dispute.criterion": CODE, "Dispute.outcome": CODE,
    "PeerReview.levels": APP_JSON, "CalibrationScore.levels": APP_JSON,
    "CaseAttachment.stored_name": DIGEST, "CaseAttachment.content_type": "sniffed from the file's first bytes",
    "CoachingSession.skill": CODE,
    "GoldenScript.slug": CODE, "GoldenScript.scenario": CODE, "GoldenScript.topic": CODE,
    "GoldenScript.channel": CODE, "GoldenScript.elements": CODE, "GoldenScript.status": CODE,
    "GoldenScript.source": CODE, "GoldenScript.file_hash": DIGEST, "GoldenScriptGram.gram": INTERNAL,
    "ScriptProposal.kind": CODE, "ScriptProposal.status": CODE,
    "ManualRating.skill": CODE, "PathRecommendation.rule": CODE,
    "AuthoredItem.kind": CODE, "AuthoredItem.status": CODE, "AuthoredComment.action": CODE,
}
FREE_TEXT = {
    "Site.name", "Team.name", "User.name", "User.email", "TierChange.reason", "LoginFailure.key",
    "AuditLog.target", "AuditLog.detail", "Track.title", "Track.summary", "Module.title", "Module.summary",
    "Activity.title", "Activity.body", "ContentChange.detail", "Skill.name", "Skill.description", "Bank.title",
    "Question.tags", "Question.prompt", "Question.spec", "Question.feedback", "Drill.title", "Drill.context",
    "Drill.customer", "Drill.model_answer", "Drill.tags", "Rubric.title", "RubricVersion.criteria",
    "QuizResponse.answer", "DrillReply.text", "DrillReply.comment", "KpiImport.filename", "KpiImport.report",
    "ApiToken.name", "MicroTemplate.title", "MicroTemplate.instructions", "MicroTemplate.spec", "MicroTask.answer",
    "MicroTask.result", "Briefing.title", "Briefing.body", "Briefing.questions", "Notification.title",
    "Notification.body", "Notification.link", "Case.title", "Case.channel", "Case.issue_type", "Case.record",
    "Case.ticket", "Case.summary", "Case.original", "ReviewSet.title", "ReviewSubmission.answers",
    "ReviewSubmission.technique", "ReviewGrade.comment", "Dispute.comment", "Dispute.resolution",
    "PeerReview.comment", "CaseAttachment.filename", "Technique.text", "CoachingSession.topic",
    "CoachingSession.notes", "CoachingSession.action", "GoldenScript.title", "GoldenScript.situation",
    "GoldenScript.before", "GoldenScript.after", "GoldenScript.why", "GoldenScript.approved_by",
    "ScriptProposal.after", "ScriptProposal.reason", "ScriptProposal.details", "ScriptProposal.comment",
    "ManualRating.note", "AuthoredItem.title", "AuthoredItem.payload", "AuthoredComment.body",
}
# Seeded with hostile links rather than the payload (a link is checked, not escaped).
HOSTILE_LINKS = {"Notification.link"}


def _text_columns():
    return {f"{model.__name__}.{field.name}": (model, field) for model in ALL_MODELS
            for field in model._meta.sorted_fields if isinstance(field, (pw.CharField, pw.TextField))}


def test_every_text_column_is_classified():
    columns = set(_text_columns())
    assert not columns - FREE_TEXT - set(NOT_FREE_TEXT), \
        f"text columns nobody classified (FREE_TEXT, seeded in world.py, or NOT_FREE_TEXT with a reason): " \
        f"{sorted(columns - FREE_TEXT - set(NOT_FREE_TEXT))}"
    assert not (FREE_TEXT | set(NOT_FREE_TEXT)) - columns, "stale entries"
    assert not FREE_TEXT & set(NOT_FREE_TEXT)


ROLES = ("agent", "mentor", "trainer", "manager", "admin")


def _sweep(app, world, clients) -> list[str]:
    """GET every page as each signed-in client, on the home side's records: nothing that could run."""
    failures = []
    for role, client in clients.items():
        for rule in app.url_map.iter_rules():
            if not rule.endpoint.startswith("lms.") or "GET" not in rule.methods or rule.endpoint == "lms.static":
                continue
            path = path_of(rule, world)
            response = client.get(path)
            if response.status_code >= 500:
                failures.append(f"{role} GET {path}: {response.status_code}")
            if response.mimetype != "text/html":
                continue  # JSON, CSV and files are not parsed as HTML (nosniff: test_headers)
            for problem in script_problems(response.get_data(as_text=True)):
                failures.append(f"{role} GET {path}: {problem}")
    return sorted(set(failures))


def test_payloads_in_every_text_column_render_inert_on_every_page(app):
    world = build(app, PAYLOAD)
    with database.connection_context():
        unseeded = [name for name, (model, field) in sorted(_text_columns().items())
                    if name in FREE_TEXT - HOSTILE_LINKS
                    and not model.select().where(field.contains(MARK)).exists()]
    assert not unseeded, f"FREE_TEXT columns world.py does not fill with the payload: {unseeded}"
    clients = {role: client_for(app, world["admin"] if role == "admin" else world["home"][role]) for role in ROLES}
    failures = _sweep(app, world, clients)
    assert not failures, "\n".join(failures)


def test_payloads_written_through_every_form_render_inert(app):
    """Every state-changing route posted by a user it admits, each free-text field (and file name)
    holding the payload: the answer, and then every page, has nothing that could run."""
    world = posting_world(app)
    poster = Poster(app, world)
    tokens, failures = {}, []  # a CSRF token holds for its whole session
    for rule in write_rules(app):
        if rule.endpoint in ("lms.auth.logout", "lms.auth.login"):
            continue  # they carry no free text, and signing out would end the sweep's sessions
        role, client, path, method, send = poster.prepare(rule, say=lambda label: f"{PAYLOAD}home-{label}")
        if role not in tokens:
            tokens[role] = csrf_token(client, "/me" if role != "anonymous" else "/login")
        response = send(tokens[role])
        assert response.status_code < 500, f"{method} {path}: {response.status_code}"
        if response.mimetype == "text/html":  # a form shown again with its errors echoes what was sent
            failures += [f"{role} {method} {path}: {p}" for p in script_problems(response.get_data(as_text=True))]
    with database.connection_context():
        holding = {name.split(".")[0] for name, (model, field) in _text_columns().items()
                   if model.select().where(field.contains("onerror=alert(1)>home-")).exists()}
    # What the issue names: case text and titles, drill replies, review answers and comments, coaching
    # notes, scripts and proposals, drafts, names via the roster, file names, briefings, ratings, disputes.
    expected = {"Case", "DrillReply", "ReviewSubmission", "ReviewGrade", "CoachingSession", "GoldenScript",
                "ScriptProposal", "AuthoredItem", "AuthoredComment", "User", "KpiImport", "Briefing",
                "ManualRating", "Dispute", "Site", "Team", "ApiToken", "Track", "Module", "Activity", "Question",
                "MicroTask", "TierChange"}
    assert expected <= holding, f"no payload got through the forms into {sorted(expected - holding)}"
    failures += _sweep(app, world, {role: poster.client(role) for role in ROLES})
    assert not failures, "\n".join(failures)


# Every query parameter a page reads (grep request.args), and a few filters' names.
QUERY_NAMES = ("q", "next", "page", "team", "show", "type", "technique", "unit", "topic", "to", "from", "target",
               "resubmit", "kpi", "action", "actor", "scenario", "channel", "element", "skill", "tier", "status")


def test_query_parameters_come_back_inert(app):
    """Reflected XSS: every GET page with every query parameter set to the payload."""
    world = build(app)
    query = "&".join(f"{name}={quote(PAYLOAD)}" for name in QUERY_NAMES)
    failures = []
    for role in ("agent", "admin"):
        client = client_for(app, world["admin"] if role == "admin" else world["home"][role])
        for rule in app.url_map.iter_rules():
            if rule.endpoint.startswith("lms.") and "GET" in rule.methods and rule.endpoint != "lms.static":
                path = f"{path_of(rule, world)}?{query}"
                response = client.get(path)
                if response.status_code >= 500:
                    failures.append(f"{role} GET {path}: {response.status_code}")
                elif response.mimetype == "text/html":
                    failures += [f"{role} GET {rule.rule}?...: {p}"
                                 for p in script_problems(response.get_data(as_text=True))]
    assert not failures, "\n".join(sorted(set(failures)))


@pytest.mark.parametrize("source", [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](  javascript:alert(1))",
    "[click](java\tscript:alert(1))",
    "[click](&#106;avascript:alert(1))",
    "[click](vbscript:msgbox(1))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "<javascript:alert(1)>",
    "[ref]\n\n[ref]: javascript:alert(1)",
    "![x](javascript:alert(1))",
    "![x](x\" onerror=\"alert(1))",
    '<a href="javascript:alert(1)">x</a>',
    '<a href="https://example.com" onclick="alert(1)">x</a>',
    '<iframe src="https://evil.example"></iframe>',
    "<svg onload=alert(1)>",
    '<p style="background:url(javascript:alert(1))">x</p>',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "```\n<script>alert(1)</script>\n```",
    "`<img src=x onerror=alert(1)>`",
    "<form action=javascript:alert(1)><button>x</button></form>",
    '<meta http-equiv="refresh" content="0;url=https://evil.example">',
])
def test_markdown_keeps_no_script(source):
    html = str(render_markdown(source))
    assert not script_problems(html), html
    assert "<script" not in html.lower() and "<img" not in html.lower() and "<iframe" not in html.lower()


def test_markdown_keeps_ordinary_formatting_and_safe_links():
    html = str(render_markdown("**重点** [政策](https://example.com/p) [站内](/learn/)\n\n| a |\n|---|\n| 1 |"))
    assert "<strong>重点</strong>" in html and 'href="https://example.com/p"' in html and 'href="/learn/"' in html
    assert "<table>" in html and 'rel="noopener noreferrer nofollow"' in html
