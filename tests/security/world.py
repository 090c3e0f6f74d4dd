"""Two sites of one centre for the security tests.

"home" holds the people who sign in; "far" is another site whose records none of them may
reach (only the admin, who is centre-wide, sees both). Each side has one record of every kind that has an id in a URL,
and every free-text column is written as `payload + "<side>-<label>"`: the IDOR tests pass an
empty payload and look for "far-" in what home people see; the XSS tests pass script payloads.
The world is built from models and services directly (fast), never through the pages under test.
"""
from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

from lms.db import database
from lms.models import (ALL_MODELS, Activity, AuthoredComment, Bank, Briefing, CalibrationRound, CalibrationScore,
                        Case, CaseAttachment, Completion, ContentChange, Dispute, Drill, DrillReply, Evidence,
                        GoldenScript, KpiImport, LoginFailure, MicroTask, MicroTemplate, Module, Notification,
                        PeerReview, Question, QuizAttempt, QuizResponse, ReviewAssignment, ReviewGrade, ReviewSet,
                        ReviewSetCase, ReviewSubmission, RoleScope, Rubric, RubricVersion, ScriptProposal, Skill,
                        Technique, TierChange, Track)
from lms.services import (accounts, api_tokens, attachments, cases, clock, incubation, mentoring, quizzes,
                          script_proposals, skill_evidence)
from lms.services.drills import submit as submit_reply
from lms.resources import shipped_dir

from ..factories import add_kpi_days, make_site, make_team, make_user

NOW = dt.datetime(2026, 11, 24, 2, 0)  # a Tuesday, 10:00 in Shanghai
TODAY = dt.date(2026, 11, 24)
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64

LEVELS = [{"score": 0, "descriptor": "差"}, {"score": 1, "descriptor": "中"}, {"score": 2, "descriptor": "好"},
          {"score": 3, "descriptor": "优"}]


def _criteria(ids, text):
    return json.dumps([{"id": cid, "name": text(f"criterion-{cid}"), "skill": "empathy", "weight": 1,
                        "critical": False, "allow_na": False,
                        "levels": [{**level, "descriptor": text(f"level-{level['score']}")} for level in LEVELS]}
                       for cid in ids], ensure_ascii=False)


def build(app, payload: str = "") -> dict:
    """The whole world; `payload` prefixes every free-text value."""
    clock.freeze(NOW)
    settings = app.extensions["lms"].settings
    uploads = Path(app.config["LMS_PATHS_UPLOADS"])

    def text_for(side):
        return lambda label: f"{payload}{side}-{label}"

    world = {"settings": settings, "uploads": uploads, "payload": payload}
    world["admin"] = make_user(("admin",), None, "ADM", name=f"{payload}home-admin")
    with database.connection_context():
        world["content"] = _content(text_for("centre"))
    for side in ("home", "far"):
        world[side] = _people(side, text_for(side))
    with database.connection_context():
        for side in ("home", "far"):
            _records(world, world[side], text_for(side), settings, uploads)
        _centre_records(world, text_for("home"))
    for side in ("home", "far"):
        add_kpi_days(world[side]["agent"], *[(TODAY - dt.timedelta(days=d), 40, 30, 12000, 10, 8, 2)
                                              for d in range(1, 15)])
    return world


def _content(text) -> dict:
    """One of each kind of centre-wide content (any signed-in agent of the tier may open it)."""
    Skill.create(slug="empathy", name=text("skill"), description=text("skill-description"))
    reply_rubric = Rubric.create(slug="reply-standard", title=text("rubric"))
    RubricVersion.create(rubric=reply_rubric, number=1, criteria=_criteria(["empathy"], text))
    review_rubric = Rubric.create(slug="case-review", title=text("case-rubric"))
    RubricVersion.create(rubric=review_rubric, number=1, criteria=_criteria(["process", "experience", "growth"], text))
    track = Track.create(slug="newcomer", title=text("track"), tier="newcomer", summary=text("track-summary"))
    module = Module.create(track=track, slug="m-basics", title=text("module"), summary=text("module-summary"),
                           position=1, week=1)
    # Markdown with raw HTML and a javascript: link: the sanitiser must drop both.
    body = f"{text('lesson')}\n\n[{text('link')}](javascript:alert(1))\n\n<img src=x onerror=alert(1)>\n"
    activity = Activity.create(module=module, slug="a-opening", kind="lesson", title=text("activity"), position=1,
                               body=body, minutes=5)
    bank = Bank.create(slug="b-basics", title=text("bank"), tier="newcomer", pass_mark=60, draw=1, attempts=9)
    question = Question.create(bank=bank, slug="q-basics-1", type="single", skill="empathy", prompt=text("prompt"),
                               spec=json.dumps({"choices": [text("choice-a"), text("choice-b")], "answer": 0},
                                               ensure_ascii=False),
                               feedback=text("feedback"), position=1,
                               tags=json.dumps([text("question-tag")], ensure_ascii=False))
    drill = Drill.create(slug="d-complaint", title=text("drill"), tier="newcomer", scenario="complaint",
                         skill="empathy", rubric="reply-standard", context=text("drill-context"),
                         customer=text("drill-customer"), model_answer=text("model-answer"),
                         tags=json.dumps([text("drill-tag")], ensure_ascii=False))
    template = MicroTemplate.create(slug="mt-reply", tier="newcomer", skill="empathy", kpi="csat", kind="reply",
                                    title=text("microtask"), instructions=text("instructions"),
                                    spec=json.dumps({"scenario": "complaint", "context": text("mt-context"),
                                                     "customer": text("mt-customer"),
                                                     "model_answer": text("mt-model")}, ensure_ascii=False))
    script = GoldenScript.create(slug="g-refund", title=text("script"), scenario="complaint", topic="refund",
                                 channel="phone", situation=text("situation"), before=text("before"),
                                 after=text("after"), why=text("why"), status="published",
                                 approved_by=text("approved-by"), elements="[]")
    return {"track": track, "module": module, "activity": activity, "bank": bank, "question": question,
            "drill": drill, "template": template, "script": script}


def _people(side, text) -> dict:
    site = make_site(text("site"))
    team = make_team(text("team"), site)
    code = side[0].upper()
    people = {
        "site": site, "team": team,
        "agent": make_user(("agent",), team, f"{code}A1", name=text("agent"), tier="newcomer",
                           email=text("email")),
        "peer": make_user(("agent",), team, f"{code}A2", name=text("peer"), tier="advanced"),
        "mentor": make_user(("agent", "mentor"), team, f"{code}M1", name=text("mentor"), tier="elite"),
        "trainer": make_user(("trainer",), None, f"{code}T1", name=text("trainer"), scopes=[team]),
        "manager": make_user(("manager",), None, f"{code}G1", name=text("manager"), scopes=[site]),
    }
    with database.connection_context():
        people["scope"] = RoleScope.get(RoleScope.user == people["trainer"])
    return people


def _records(world, s, text, settings, uploads) -> None:
    agent, peer, mentor, trainer, manager, team = (s[k] for k in ("agent", "peer", "mentor", "trainer", "manager",
                                                                  "team"))
    content = world["content"]
    s["pairing"] = mentoring.pair(mentor, agent, trainer, settings, today=TODAY - dt.timedelta(days=30))
    s["coaching"] = mentoring.log_session(mentor, agent, held_on=TODAY - dt.timedelta(days=2), topic=text("topic"),
                                          skill="empathy", notes=text("notes"), action=text("action"),
                                          follow_up_on=TODAY + dt.timedelta(days=5))
    s["briefing"] = Briefing.create(title=text("briefing"), body=f"{text('briefing-body')}\n\n[x](javascript:alert(1))",
                                    team_ids=json.dumps([team.id]), deadline=TODAY + dt.timedelta(days=3),
                                    questions=json.dumps([{"prompt": text("check"), "choices": [text("yes"),
                                                                                                 text("no")],
                                                           "answer": 0}], ensure_ascii=False),
                                    created_by=trainer)
    s["case"] = cases.build(title=text("case"), kind="failure", author=trainer, settings=settings, team=team,
                            summary=text("case-summary"),
                            record={"customer": text("customer-said"), "channel": text("channel"),
                                    "issue_type": text("issue")},
                            ticket={"description": text("ticket")}, emotion=[-3, 0, 2])
    s["attachment"] = attachments.save(s["case"], PNG, "shot.png", trainer, uploads)
    CaseAttachment.update(filename=text("shot") + ".png").where(CaseAttachment.id == s["attachment"].id).execute()
    review_set = ReviewSet.create(title=text("review-set"), week=TODAY - dt.timedelta(days=1),
                                  due_on=TODAY + dt.timedelta(days=5), team_ids=json.dumps([team.id]),
                                  created_by=trainer, assigned_at=NOW)
    ReviewSetCase.create(review_set=review_set, case=s["case"], position=1)
    s["review_set"] = review_set
    s["assignment"] = ReviewAssignment.create(review_set=review_set, user=agent)
    answers = {str(s["case"].id): {d: text(f"answer-{d}") for d in ("process", "experience", "growth")}}
    s["submission"] = ReviewSubmission.create(assignment=s["assignment"], version=1, technique=text("technique"),
                                              answers=json.dumps(answers, ensure_ascii=False))
    version = RubricVersion.get(RubricVersion.rubric == Rubric.get(Rubric.slug == "case-review"))
    s["grade"] = ReviewGrade.create(submission=s["submission"], grader=trainer, rubric_version=version,
                                    levels=json.dumps({"process": 1, "experience": 2, "growth": 2}), score=0.55,
                                    comment=text("grade-comment"))
    s["dispute"] = Dispute.create(grade=s["grade"], criterion="process", comment=text("dispute"))
    Dispute.create(grade=s["grade"], criterion="growth", comment=text("old-dispute"), outcome="rejected",
                   resolution=text("resolution"), resolved_by=trainer, resolved_at=NOW)
    Case.update(original=json.dumps({"record": {"customer": text("original")}, "summary": text("original-summary")},
                                    ensure_ascii=False),
                original_until=TODAY + dt.timedelta(days=30)).where(Case.id == s["case"].id).execute()
    peer_assignment = ReviewAssignment.create(review_set=review_set, user=peer)
    s["peer_submission"] = ReviewSubmission.create(assignment=peer_assignment, version=1, technique=text("peer-tech"),
                                                   answers=json.dumps({str(s["case"].id): {
                                                       d: text(f"peer-{d}") for d in ("process", "experience",
                                                                                      "growth")}},
                                                       ensure_ascii=False))
    PeerReview.create(submission=s["submission"], reviewer=peer, leased_until=NOW, levels='{"process": 2}',
                      score=0.6, comment=text("peer-comment"), completed_at=NOW)
    Technique.create(submission=s["submission"], text=text("kept-technique"), flagged_by=trainer)
    s["round"] = CalibrationRound.create(submission=s["peer_submission"], reference=trainer, created_by=trainer)
    for grader in (trainer, mentor):
        CalibrationScore.create(round=s["round"], grader=grader)
    s["reply"] = submit_reply(agent, content["drill"], text("drill-reply"), shipped_dir("assessments"))
    s["graded_reply"] = submit_reply(agent, content["drill"], text("graded-reply"), shipped_dir("assessments"))
    DrillReply.update(levels='{"empathy": 2}', score=0.66, raw_score=0.66, comment=text("reply-comment"),
                      graded_by=trainer, graded_at=NOW,
                      rubric_version=RubricVersion.get(RubricVersion.rubric == Rubric.get(Rubric.slug ==
                                                                                          "reply-standard"))) \
        .where(DrillReply.id == s["graded_reply"].id).execute()
    s["attempt"] = quizzes.start(agent, content["bank"], seed=1)
    done = QuizAttempt.create(user=agent, bank=content["bank"], number=2, submitted_at=NOW, score=0, passed=False,
                              questions=s["attempt"].questions)
    QuizResponse.create(attempt=done, question=content["question"], answer=json.dumps(text("quiz-answer")),
                        score=0, correct=False)
    s["done_attempt"] = done
    s["kpi_import"] = KpiImport.create(actor=trainer, source="web", filename=text("kpi") + ".csv", status="done",
                                       finished_at=NOW,
                                       report=json.dumps([{"row": 2, "column": "employee_no", "value": text("bad"),
                                                           "message": "unknown employee", "args": {}}],
                                                         ensure_ascii=False))
    s["task"] = MicroTask.create(user=agent, day=TODAY, template=content["template"], issued_at=NOW)
    finding = {"rule": "r1", "category": "refusal", "span": [0, 4], "text": text("finding"), "severity": "high",
               "suggestion": text("suggestion"), "skill": "empathy"}
    MicroTask.create(user=agent, day=TODAY - dt.timedelta(days=1), template=content["template"], status="done",
                     answer=text("task-answer"), result=json.dumps({"score": 60, "findings": [finding]},
                                                                   ensure_ascii=False),
                     score=60, completed_at=NOW)
    values = {"slug": f"{s['agent'].employee_no.lower()}-draft", "title": text("draft"), "tier": "newcomer",
              "scenario": "complaint", "skill": "empathy", "rubric": "reply-standard", "context": text("draft-ctx"),
              "customer": text("draft-customer"), "model_answer": text("draft-model"), "tags": ""}
    s["draft"] = incubation.save(mentor, "drill", values, world["settings"])
    AuthoredComment.create(item=s["draft"], user=trainer, body=text("draft-comment"))
    s["rating"] = skill_evidence.rate(agent, "empathy", 55, text("rating-note"), trainer)
    Evidence.create(user=agent, skill="empathy", source=f"quiz:{content['bank'].slug}/{content['question'].slug}",
                    score=0.5, at=NOW)
    Completion.create(user=agent, activity=content["activity"], score=90)
    TierChange.create(user=agent, tier="newcomer", effective_on=TODAY - dt.timedelta(days=60), reason=text("tier-why"),
                      changed_by=manager)
    s["notification"] = Notification.create(user=agent, kind="task", title=text("notice"), body=text("notice-body"),
                                            link="/tasks/")
    for n, link in enumerate(("javascript:alert(1)", "//evil.example/x", "/\\evil.example", " javascript:alert(1)")):
        Notification.create(user=agent, kind="task", title=text(f"bad-link-{n}"), link=link)
    LoginFailure.create(kind="account", key=text("login-key"))
    accounts.audit("security.test", text("audit-target"), world["admin"], note=text("audit-detail"))


def _centre_records(world, text) -> None:
    """Records that belong to no site: the script library and API tokens."""
    home = world["home"]
    # Content is the centre's: its edit history names trainers of any site, so only home edits it here.
    ContentChange.create(user=home["trainer"], kind="track", slug="newcomer", action="edit",
                         detail=json.dumps({"title": text("change-detail")}, ensure_ascii=False))
    world["proposal"] = script_proposals.propose_improvement(world["content"]["script"], home["mentor"],
                                                             text("proposal-after"), text("proposal-reason"))
    ScriptProposal.create(kind="new", proposer=home["mentor"], after=text("new-after"), reason=text("new-reason"),
                          details=json.dumps({"title": text("new-script"), "scenario": "complaint", "topic": "refund",
                                              "channel": "phone", "situation": text("new-situation")},
                                             ensure_ascii=False),
                          status="declined", comment=text("declined-why"), decided_by=home["trainer"],
                          decided_at=NOW)
    world["token"] = api_tokens.issue(text("token"), "kpi:write", world["admin"])[0]


def far_markers(body: str) -> list[str]:
    """Far-side labels showing in a page (what a home person must never see)."""
    return sorted(set(re.findall(r"far-[a-z0-9-]+", body)))


# What each URL argument is, on one side ("home" or "far"); slugs depend on the rule.
ARGS = {
    "user_id": lambda w, s: s["agent"].id, "team_id": lambda w, s: s["team"].id,
    "site_id": lambda w, s: s["site"].id, "case_id": lambda w, s: s["case"].id,
    "attachment_id": lambda w, s: s["attachment"].id, "reply_id": lambda w, s: s["reply"].id,
    "item_id": lambda w, s: s["draft"].id, "pairing_id": lambda w, s: s["pairing"].id,
    "import_id": lambda w, s: s["kpi_import"].id, "briefing_id": lambda w, s: s["briefing"].id,
    "attempt_id": lambda w, s: s["attempt"].id, "assignment_id": lambda w, s: s["assignment"].id,
    "round_id": lambda w, s: s["round"].id, "grade_id": lambda w, s: s["grade"].id,
    "set_id": lambda w, s: s["review_set"].id, "submission_id": lambda w, s: s["submission"].id,
    "proposal_id": lambda w, s: w["proposal"].id, "task_id": lambda w, s: s["task"].id,
    "token_id": lambda w, s: w["token"].id, "scope_id": lambda w, s: s["scope"].id,
    "ident": lambda w, s: s["team"].id, "kind": lambda w, s: "team", "skill": lambda w, s: "empathy",
    "question_slug": lambda w, s: w["content"]["question"].slug, "filename": lambda w, s: "lms.css",
    "token": lambda w, s: "no-such-link", "code": lambda w, s: "en",
}
SLUGS = {"/authoring/tracks/": "track", "/authoring/modules/": "module", "/authoring/activities/": "activity",
         "/authoring/<kind>/": "activity", "/banks/": "bank", "/quiz/": "bank", "/drills/": "drill",
         "/scripts/": "script", "/learn/activities/": "activity", "/learn/tracks/": "track"}
# Rules whose arguments mean something else than the default above.
RULE_ARGS = {
    "/incubation/new/<kind>": {"kind": lambda w, s: "drill"},
    "/authoring/<kind>/<slug>/move": {"kind": lambda w, s: "activities"},
    "/authoring/<kind>/<slug>/publish": {"kind": lambda w, s: "activities"},
    "/quiz/attempts/<int:attempt_id>/result": {"attempt_id": lambda w, s: s["done_attempt"].id},
    "/admin/users/<int:user_id>/scopes/<int:scope_id>/delete": {"user_id": lambda w, s: s["trainer"].id},
    "/placement/<int:user_id>/down": {"user_id": lambda w, s: s["peer"].id},
    "/placement/<int:user_id>/approve": {"user_id": lambda w, s: s["peer"].id},
    "/mentoring/output/<int:user_id>": {"user_id": lambda w, s: s["mentor"].id},
}


def path_of(rule, world: dict, side: str = "home", **fixed) -> str:
    """The rule's URL for one side's records (`fixed` values win)."""
    values = {}
    for name in rule.arguments:
        if name in fixed:
            values[name] = fixed[name]
        elif name in RULE_ARGS.get(rule.rule, {}):
            values[name] = RULE_ARGS[rule.rule][name](world, world[side])
        elif name == "slug":
            key = next((v for prefix, v in SLUGS.items() if rule.rule.startswith(prefix)), None)
            assert key, f"{rule.rule}: say in SLUGS (tests/security/world.py) which content its slug names"
            values[name] = world["content"][key].slug
        else:
            assert name in ARGS, f"{rule.rule}: say in ARGS (tests/security/world.py) what <{name}> is"
            values[name] = ARGS[name](world, world[side])
    return re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", lambda m: str(values[m.group(1)]), rule.rule)


def snapshot() -> list:
    """Every row of every table, to show that a refused request wrote nothing."""
    with database.connection_context():
        return [(model.__name__, sorted(map(repr, model.select().tuples()))) for model in ALL_MODELS]
