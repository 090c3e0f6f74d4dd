"""Mentor incubation through HTTP: a mentor drafts a drill, a trainer asks for changes, the mentor
revises, the trainer publishes; an agent replies to the drill, credited to its author, and the
mentor's second output counts the use. Drafts stay private to their author and reviewers."""
import datetime as dt
import json
import re

import pytest

from lms.models import AuthoredItem, Bank, Case, Drill, DrillReply, Notification, Rubric, RubricVersion, Skill
from lms.services import clock

from ..factories import client_for, csrf_token, make_site, make_team, make_user

DRILL = {"slug": "late-parcel", "title": "快递延误的投诉", "tier": "advanced", "scenario": "complaint",
         "skill": "empathy", "rubric": "reply-basic", "context": "客户第三次来电。", "customer": "我的快递怎么还没到？",
         "model_answer": "", "tags": "物流"}
CRITERIA = [{"id": "empathy", "skill": "empathy", "weight": 1,
             "levels": [{"score": 0, "descriptor": "无"}, {"score": 3, "descriptor": "好"}]}]


@pytest.fixture
def org(app, conn):
    clock.freeze(dt.datetime(2026, 11, 24, 2))
    site = make_site("上海")
    team, far = make_team("在线一组", site), make_team("北京一组", make_site("北京"))
    Skill.create(slug="empathy", name="共情")
    RubricVersion.create(rubric=Rubric.create(slug="reply-basic", title="回复评分"), number=1,
                         criteria=json.dumps(CRITERIA))
    Bank.create(slug="newcomer-scripts", title="新人话术", tier="newcomer")
    return {"mentor": make_user(("agent", "mentor"), team, "M1", tier="elite", name="马导师"),
            "agent": make_user(("agent",), team, "A1", tier="advanced", name="陈晓"),
            "newcomer": make_user(("agent",), team, "N1", tier="newcomer", name="新人"),
            "trainer": make_user(("trainer",), None, "T1", scopes=[team]),
            "far_trainer": make_user(("trainer",), None, "T9", scopes=[far]),
            "manager": make_user(("manager",), None, "MG", scopes=[site])}


def _post(client, path, data, page):
    return client.post(path, data={"csrf_token": csrf_token(client, page), **data})


def _item_id(response) -> int:
    return int(re.search(r"/incubation/(\d+)", response.headers["Location"]).group(1))


def test_the_whole_lifecycle_through_http(app, org):
    mentor, trainer = client_for(app, org["mentor"]), client_for(app, org["trainer"])
    assert "My drafts" in mentor.get("/incubation/").get_data(as_text=True)
    created = _post(mentor, "/incubation/new/drill", DRILL, "/incubation/new/drill")
    assert created.status_code == 303
    item_id = _item_id(created)
    assert _post(mentor, f"/incubation/{item_id}/submit", {"body": "第一版"}, f"/incubation/{item_id}").status_code == 303
    assert Notification.get(Notification.user == org["trainer"]).link == f"/incubation/{item_id}"
    queue = trainer.get("/incubation/review").get_data(as_text=True)
    assert "快递延误的投诉" in queue and "马导师" in queue
    preview = trainer.get(f"/incubation/{item_id}").get_data(as_text=True)
    assert "我的快递怎么还没到？" in preview and "Request changes" in preview
    _post(trainer, f"/incubation/{item_id}/decide", {"decision": "changes_requested", "body": "客户的话再口语化"},
          f"/incubation/{item_id}")
    page = mentor.get(f"/incubation/{item_id}").get_data(as_text=True)
    assert "客户的话再口语化" in page and "changes requested" in page
    revised = _post(mentor, f"/incubation/{item_id}/edit", {**DRILL, "customer": "快递咋还没到啊？"},
                    f"/incubation/{item_id}/edit")
    assert revised.status_code == 303
    _post(mentor, f"/incubation/{item_id}/comment", {"body": "已改"}, f"/incubation/{item_id}")
    _post(mentor, f"/incubation/{item_id}/submit", {}, f"/incubation/{item_id}")
    _post(trainer, f"/incubation/{item_id}/decide", {"decision": "published"}, f"/incubation/{item_id}")
    item = AuthoredItem.get_by_id(item_id)
    assert (item.status, item.rounds) == ("published", 2) and item.drill.customer == "快递咋还没到啊？"
    assert Notification.select().where((Notification.user == org["mentor"])
                                       & (Notification.title == "Your draft was published")).exists()
    # An agent of the drill's tier sees it, credited, and replies; a newcomer does not see it.
    agent = client_for(app, org["agent"])
    drill_page = agent.get("/drills/late-parcel").get_data(as_text=True)
    assert "by 马导师" in drill_page
    assert client_for(app, org["newcomer"]).get("/drills/late-parcel").status_code == 404
    reply = _post(agent, "/drills/late-parcel", {"reply": "非常理解您的着急，我马上帮您查询，2小时内回复您。"},
                  "/drills/late-parcel")
    assert reply.status_code == 303
    score = DrillReply.get().checker_score
    output = mentor.get(f"/mentoring/output/{org['mentor'].id}").get_data(as_text=True)
    uses = re.search(r'data-testid="uses">(\d+)<', output).group(1)
    assert uses == "1" and f"{score}%" in output and "Mentee growth speed" in output
    assert "快递延误的投诉" in client_for(app, org["manager"]).get(f"/mentoring/output/{org['mentor'].id}").get_data(
        as_text=True)


def test_invalid_drafts_name_every_field_and_save_nothing(app, org):
    mentor = client_for(app, org["mentor"])
    bad = {**DRILL, "slug": "Bad Slug", "tier": "master", "customer": "", "skill": ""}
    response = _post(mentor, "/incubation/new/drill", bad, "/incubation/new/drill")
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "Nothing was saved" in page
    assert set(re.findall(r'data-field="(\w+)"', page)) == {"slug", "tier", "customer", "skill"}
    question = {"bank": "", "slug": "mq-01", "skill": "empathy", "difficulty": "1", "prompt": "", "choices": "甲\n乙",
                "answer": "x"}
    response = _post(mentor, "/incubation/new/question?type=single", question, "/incubation/new/question")
    assert response.status_code == 400
    assert set(re.findall(r'data-field="(\w+)"', response.get_data(as_text=True))) == {"bank", "prompt", "answer"}
    response = _post(mentor, "/incubation/new/case", {"title": "", "kind": "failure", "summary": "x", "emotion": "7"},
                     "/incubation/new/case")
    assert set(re.findall(r'data-field="(\w+)"', response.get_data(as_text=True))) == {"title", "emotion"}
    assert AuthoredItem.select().count() == 0
    # Fixed, the question saves and previews as an agent will see it, with the answer key for reviewers.
    fixed = _post(mentor, "/incubation/new/question?type=single",
                  {**question, "bank": "newcomer-scripts", "prompt": "哪句是有效共情？", "answer": "2"},
                  "/incubation/new/question")
    page = mentor.get(f"/incubation/{_item_id(fixed)}").get_data(as_text=True)
    assert 'type="radio"' in page and "哪句是有效共情？" in page and "Answer key" in page


def test_who_may_author_see_and_review(app, org):
    agent = client_for(app, org["agent"])  # advanced, not a mentor: cannot author
    assert "open to elite agents and mentors" in agent.get("/incubation/").get_data(as_text=True)
    assert agent.get("/incubation/new/drill").status_code == 404
    assert _post(agent, "/incubation/new/drill", DRILL, "/incubation/").status_code == 404
    assert AuthoredItem.select().count() == 0
    mentor = client_for(app, org["mentor"])
    item_id = _item_id(_post(mentor, "/incubation/new/case",
                             {"title": "王建国投诉", "kind": "failure", "customer": "王建国",
                              "summary": "王建国来电说快递丢了，电话13912345678。"}, "/incubation/new/case"))
    assert "13912345678" not in AuthoredItem.get_by_id(item_id).payload  # masked before it is stored
    for path in (f"/incubation/{item_id}", f"/incubation/{item_id}/edit"):
        assert agent.get(path).status_code == 404  # another agent: the draft does not exist
    assert _post(agent, f"/incubation/{item_id}/comment", {"body": "看看"}, "/incubation/").status_code == 404
    assert _post(agent, f"/incubation/{item_id}/submit", {}, "/incubation/").status_code == 404
    _post(mentor, f"/incubation/{item_id}/submit", {}, f"/incubation/{item_id}")
    preview = client_for(app, org["trainer"]).get(f"/incubation/{item_id}").get_data(as_text=True)
    assert "王先生" in preview or "王**" in preview
    far = client_for(app, org["far_trainer"])
    assert "王" not in far.get("/incubation/review").get_data(as_text=True)
    assert far.get(f"/incubation/{item_id}").status_code == 404
    assert _post(far, f"/incubation/{item_id}/decide", {"decision": "published"}, "/incubation/review").status_code == 404
    assert AuthoredItem.get_by_id(item_id).status == "submitted"
    assert agent.get(f"/mentoring/output/{org['mentor'].id}").status_code == 404
    assert far.get(f"/mentoring/output/{org['mentor'].id}").status_code == 404
    trainer = client_for(app, org["trainer"])
    _post(trainer, f"/incubation/{item_id}/decide", {"decision": "published"}, f"/incubation/{item_id}")
    case = Case.get_by_id(AuthoredItem.get_by_id(item_id).case_id)
    assert "by 马导师" in trainer.get(f"/cases/{case.id}").get_data(as_text=True)
    assert _post(trainer, f"/incubation/{item_id}/decide", {"decision": "rejected", "body": "x"},
                 f"/incubation/{item_id}").status_code == 303  # already decided: told, nothing changes
    assert AuthoredItem.get_by_id(item_id).status == "published" and Drill.select().count() == 0
