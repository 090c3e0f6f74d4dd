"""The golden-script library over HTTP: search and filters, the script page with its copy button,
"practise this" as a checked drill, trainers' curation (forms, techniques promoted, approval),
mentors' proposals accepted and credited, and agents refused every curator's action."""
import datetime as dt
import json
from pathlib import Path

import pytest

from lms.models import (Case, Drill, DrillReply, GoldenScript, Notification, ReviewAssignment, ReviewSet,
                        ReviewSetCase, ReviewSubmission, ScriptProposal, Technique)
from lms.services import clock
from lms.services import script_library as library
from lms.services.content_store import LoadReport
from lms.services.script_pack import read_scripts
from lms.services.script_store import load_scripts
from lms.web.nav import navigation

from ..factories import client_for, csrf_token, make_site, make_team, make_user

ROOT = Path(__file__).resolve().parents[2]
SLUG = "gs-complaint-escalation-phone"
FORM = {"title": "发票重开的说法", "scenario": "after_sales", "topic": "invoice", "channel": "chat",
        "situation": "客户说发票抬头开错了", "before": "开错了也没办法", "after": "好的，已为您登记重开，2个工作日内发到邮箱。",
        "elements": ["receive", "time_limit"], "why": "说清时限", "approved_by": ""}


@pytest.fixture
def org(app, conn):
    team = make_team("在线一组", make_site("上海"))
    pack = read_scripts(ROOT / "assessments")
    load_scripts(pack, LoadReport())
    return {"agent": make_user(("agent",), team, "A1", tier="newcomer", name="新人甲"),
            "mentor": make_user(("agent", "mentor"), team, "M1", tier="elite", name="马导师"),
            "trainer": make_user(("trainer",), None, "T1", scopes=[team], name="王培训"),
            "manager": make_user(("manager",), None, "MG", scopes=[team]),
            "pack": pack}


def _post(client, path, data=None, follow=False):
    token = csrf_token(client, "/scripts/")
    return client.post(path, data={"csrf_token": token, **(data or {})}, follow_redirects=follow)


def test_everyone_searches_and_filters(app, org):
    agent = client_for(app, org["agent"])
    page = agent.get("/scripts/?q=退款").get_data(as_text=True)
    assert "客户要求“叫你们领导来”的升级安抚" in page  # 退款 inside 对上次的退款处理结果不满
    emails = [s["title"] for s in org["pack"].scripts if s["channel"] == "email"]
    chats = [s["title"] for s in org["pack"].scripts if s["channel"] == "chat"]
    filtered = agent.get("/scripts/?channel=email").get_data(as_text=True)
    assert all(t in filtered for t in emails) and not any(t in filtered for t in chats)
    assert agent.get("/scripts/?q=退款 物流&scenario=nonsense&element=<x>").status_code == 200
    nothing = agent.get("/scripts/?q=火星基地").get_data(as_text=True)
    assert "No script matches" in nothing
    assert ("lms.scripts.index", "Script library") in [(e, str(label)) for e, label in navigation(org["agent"])]


def test_drafts_are_for_staff_only(app, org):
    draft = library.create(FORM, org["trainer"])
    agent, manager = client_for(app, org["agent"]), client_for(app, org["manager"])
    assert agent.get(f"/scripts/{draft.slug}").status_code == 404
    assert "发票重开的说法" not in agent.get("/scripts/?q=发票").get_data(as_text=True)
    assert "发票重开的说法" in manager.get("/scripts/?q=发票").get_data(as_text=True)
    assert manager.get(f"/scripts/{draft.slug}").status_code == 200


def test_the_script_page_marks_elements_and_has_a_copy_button(app, org):
    page = client_for(app, org["agent"]).get(f"/scripts/{SLUG}").get_data(as_text=True)
    assert 'data-copy-target="after-text"' in page and "/static/copy.js" in page
    assert 'id="after-text"' in page and '<mark data-element="empathy"' in page
    assert "领导现在不在" in page  # before
    assert "Approved by 培训组" in page and "Practise this" in page
    assert "<script>" not in page and "onclick" not in page  # no inline JavaScript (CSP)
    assert client_for(app, org["trainer"]).get(f"/scripts/{SLUG}").get_data(as_text=True).count("Practise this") == 0


def test_practise_this_makes_a_drill_and_the_reply_is_checked(app, org):
    agent = client_for(app, org["agent"])
    response = _post(agent, f"/scripts/{SLUG}/practise")
    assert response.status_code == 303
    script = GoldenScript.get(GoldenScript.slug == SLUG)
    drill = Drill.get(Drill.slug == f"golden-script-{script.id}")
    assert response.headers["Location"].endswith(f"/drills/{drill.slug}")
    assert drill.scenario == script.scenario and drill.model_answer == script.after
    assert drill.customer == script.situation and drill.rubric == "reply-standard"
    assert script.situation in agent.get(f"/drills/{drill.slug}").get_data(as_text=True)
    token = csrf_token(agent, f"/drills/{drill.slug}")
    replied = agent.post(f"/drills/{drill.slug}", data={"csrf_token": token, "reply": "不行，这不归我们管。"},
                         follow_redirects=True).get_data(as_text=True)
    assert "Script check" in replied and "不归我们管" in replied
    assert DrillReply.select().where(DrillReply.drill == drill).count() == 1
    assert _post(agent, f"/scripts/{SLUG}/practise").status_code == 303
    assert Drill.select().where(Drill.slug.startswith("golden-script-")).count() == 1  # reused


def test_agents_and_mentors_cannot_curate(app, org):
    proposal = ScriptProposal.create(kind="improve", script=GoldenScript.get(GoldenScript.slug == SLUG),
                                     proposer=org["mentor"], after="新说法", reason="更好")
    for who in ("agent", "mentor"):
        client = client_for(app, org[who])
        assert client.get("/scripts/new").status_code == 403
        assert _post(client, "/scripts/new", FORM).status_code == 403
        assert client.get(f"/scripts/{SLUG}/edit").status_code == 403
        assert _post(client, f"/scripts/{SLUG}/edit", FORM).status_code == 403
        assert _post(client, f"/scripts/{SLUG}/approve").status_code == 403
        assert _post(client, f"/scripts/{SLUG}/retire").status_code == 403
        assert client.get("/scripts/techniques").status_code == 403
        assert _post(client, f"/scripts/proposals/{proposal.id}/decide", {"decision": "accept"}).status_code == 403
    agent = client_for(app, org["agent"])
    assert agent.get(f"/scripts/{SLUG}/propose").status_code == 403
    assert _post(agent, "/scripts/propose", FORM).status_code == 403
    assert ScriptProposal.get_by_id(proposal.id).status == "open"
    assert GoldenScript.select().count() == len(org["pack"].scripts)
    assert GoldenScript.get(GoldenScript.slug == SLUG).status == "published"


def test_trainer_creates_with_errors_per_field_then_approves_and_retires(app, org):
    trainer = client_for(app, org["trainer"])
    bad = _post(trainer, "/scripts/new", {**FORM, "title": "", "elements": ["receive", "empathy"]})
    html = bad.get_data(as_text=True)
    assert bad.status_code == 400 and "This field is required." in html
    bad = _post(trainer, "/scripts/new", {**FORM, "elements": ["receive", "empathy"]})
    assert bad.status_code == 400 and "unknown element &#39;empathy&#39; for after_sales" in bad.get_data(as_text=True)
    assert GoldenScript.select().count() == len(org["pack"].scripts)
    created = _post(trainer, "/scripts/new", FORM)
    assert created.status_code == 303
    script = GoldenScript.get(GoldenScript.title == FORM["title"])
    assert script.status == "draft" and script.source == "web" and json.loads(script.elements) == FORM["elements"]
    agent = client_for(app, org["agent"])
    assert agent.get(f"/scripts/{script.slug}").status_code == 404
    assert _post(trainer, f"/scripts/{script.slug}/approve").status_code == 303
    script = GoldenScript.get_by_id(script.id)
    assert script.status == "published" and script.approver_id == org["trainer"].id and script.approved_by == "王培训"
    assert "发票重开的说法" in agent.get("/scripts/?q=发票 重开").get_data(as_text=True)
    edited = _post(trainer, f"/scripts/{script.slug}/edit", {**FORM, "after": "已登记重开，两个工作日内发送。"})
    assert edited.status_code == 303 and "两个工作日" in GoldenScript.get_by_id(script.id).after
    assert _post(trainer, f"/scripts/{script.slug}/retire").status_code == 303
    assert agent.get(f"/scripts/{script.slug}").status_code == 404


def _technique(org):
    case = Case.create(title="高峰排队", kind="highlight", channel="在线", summary="晚高峰排队20分钟，客户很急")
    review_set = ReviewSet.create(title="第47周", week=dt.date(2026, 11, 16), due_on=dt.date(2026, 11, 20))
    ReviewSetCase.create(review_set=review_set, case=case, position=1)
    assignment = ReviewAssignment.create(review_set=review_set, user=org["agent"])
    submission = ReviewSubmission.create(assignment=assignment, version=1, answers="{}",
                                         technique="高峰期先报预计等待时间：预计3分钟，留下需求我们优先处理。")
    return Technique.create(submission=submission, text=submission.technique, flagged_by=org["trainer"])


def test_trainer_promotes_a_technique_into_a_draft(app, org):
    technique = _technique(org)
    trainer = client_for(app, org["trainer"])
    listing = trainer.get("/scripts/techniques").get_data(as_text=True)
    assert technique.text in listing and f"/scripts/new?technique={technique.id}" in listing
    prefilled = trainer.get(f"/scripts/new?technique={technique.id}").get_data(as_text=True)
    assert "晚高峰排队20分钟" in prefilled and '<option selected value="chat">' in prefilled
    assert trainer.get("/scripts/new?technique=99999").status_code == 404
    form = {**FORM, "topic": "peak_hour_wait", "scenario": "consultation", "elements": ["greeting", "answer"],
            "situation": "晚高峰排队20分钟", "after": technique.text, "technique": str(technique.id)}
    assert _post(trainer, "/scripts/new", form).status_code == 303
    script = GoldenScript.get(GoldenScript.technique == technique)
    assert script.status == "draft" and script.source == "technique" and script.author_id == org["agent"].id
    assert "promoted" in trainer.get("/scripts/techniques").get_data(as_text=True)
    _post(trainer, f"/scripts/{script.slug}/approve")
    page = client_for(app, org["agent"]).get(f"/scripts/{script.slug}").get_data(as_text=True)
    assert "Contributed by 新人甲" in page
    month = library.contributions(clock.utcnow().date())
    assert [(c.user.id, c.approved_scripts) for c in month] == [(org["agent"].id, 1)]


def test_mentor_proposal_accepted_changes_the_script_and_credits_the_mentor(app, org):
    mentor, trainer = client_for(app, org["mentor"]), client_for(app, org["trainer"])
    script = GoldenScript.get(GoldenScript.slug == SLUG)
    better = script.after.replace("今天下午5点前", "今天下午4点前")
    assert _post(mentor, f"/scripts/{SLUG}/propose", {"after": script.after, "reason": "x"}).status_code == 400
    assert _post(mentor, f"/scripts/{SLUG}/propose", {"after": better, "reason": ""}).status_code == 400
    assert _post(mentor, f"/scripts/{SLUG}/propose", {"after": better, "reason": "回电时间更早"}).status_code == 303
    proposal = ScriptProposal.get(ScriptProposal.proposer == org["mentor"])
    queue = trainer.get("/scripts/proposals").get_data(as_text=True)
    assert "回电时间更早" in queue and "马导师" in queue
    assert "回电时间更早" in mentor.get("/scripts/proposals").get_data(as_text=True)  # their own
    decided = _post(trainer, f"/scripts/proposals/{proposal.id}/decide", {"decision": "accept", "comment": "好"},
                    follow=True).get_data(as_text=True)
    assert "Accepted" in decided
    assert GoldenScript.get_by_id(script.id).after == better
    assert ScriptProposal.get_by_id(proposal.id).status == "accepted"
    page = client_for(app, org["agent"]).get(f"/scripts/{SLUG}").get_data(as_text=True)
    assert "Wording improved by 马导师" in page and "今天下午4点前" in page
    note = Notification.get(Notification.user == org["mentor"])
    assert note.link == f"/scripts/{SLUG}" and "accepted" in note.title
    again = _post(trainer, f"/scripts/proposals/{proposal.id}/decide", {"decision": "decline", "comment": "x"},
                  follow=True).get_data(as_text=True)
    assert "already decided" in again and ScriptProposal.get_by_id(proposal.id).status == "accepted"
    [top] = library.script_of_the_month(clock.utcnow().date())
    assert top.user.id == org["mentor"].id and top.accepted_proposals == 1
    badges = mentor.get("/me").get_data(as_text=True).split('id="badges"')[1]
    assert "Script of the month" in badges and f"{clock.utcnow():%Y-%m}" in badges
    assert "Script of the month" not in client_for(app, org["agent"]).get("/me").get_data(as_text=True)


def test_declining_needs_a_comment_and_a_new_script_proposal_is_published_when_accepted(app, org):
    mentor, trainer = client_for(app, org["mentor"]), client_for(app, org["trainer"])
    bad = _post(mentor, "/scripts/propose", {**FORM, "channel": "fax", "reason": "常见"})
    assert bad.status_code == 400 and "Not a valid choice" in bad.get_data(as_text=True)
    assert _post(mentor, "/scripts/propose", {**FORM, "reason": "常见"}).status_code == 303
    _post(mentor, "/scripts/propose", {**FORM, "title": "另一条", "reason": "也常见"})
    first, second = ScriptProposal.select().order_by(ScriptProposal.id)
    no_comment = _post(trainer, f"/scripts/proposals/{second.id}/decide", {"decision": "decline"}, follow=True)
    assert "say why" in no_comment.get_data(as_text=True) and ScriptProposal.get_by_id(second.id).status == "open"
    _post(trainer, f"/scripts/proposals/{second.id}/decide", {"decision": "decline", "comment": "与现有话术重复"})
    assert ScriptProposal.get_by_id(second.id).status == "declined"
    _post(trainer, f"/scripts/proposals/{first.id}/decide", {"decision": "accept"})
    script = GoldenScript.get(GoldenScript.title == FORM["title"])
    assert script.status == "published" and script.author_id == org["mentor"].id and script.source == "proposal"
    assert ScriptProposal.get_by_id(first.id).script_id == script.id
    notes = {n.dedup_key: n for n in Notification.select().where(Notification.user == org["mentor"])}
    assert set(notes) == {f"script-proposal:{first.id}", f"script-proposal:{second.id}"}
    mine = mentor.get("/scripts/proposals").get_data(as_text=True)
    assert "与现有话术重复" in mine and "declined" in mine
    [top] = library.contributions(clock.utcnow().date())
    assert (top.accepted_proposals, top.approved_scripts) == (1, 0)  # the new script counts once
