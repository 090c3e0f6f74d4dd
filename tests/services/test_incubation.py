"""Mentor incubation as services: drafts checked field by field, the review lifecycle, publishing
all-or-nothing, credit, and the mentor's second output (uses, facility, discrimination)."""
import datetime as dt
import json

import peewee
import pytest

from lms.models import (AuthoredComment, AuthoredItem, Bank, Case, Drill, DrillReply, Notification, Question,
                        QuizAttempt, QuizResponse, ReviewAssignment, ReviewSet, ReviewSetCase, Rubric, RubricVersion,
                        Skill)
from lms.services import clock
from lms.services import incubation as service
from lms.services.incubation_payload import check_case, check_drill, check_question
from lms.services.second_output import second_output

from ..factories import make_site, make_team, make_user

CRITERIA = [{"id": "empathy", "skill": "empathy", "weight": 1,
             "levels": [{"score": 0, "descriptor": "无"}, {"score": 3, "descriptor": "好"}]}]
DRILL = {"slug": "late-parcel", "title": "快递延误的投诉", "tier": "advanced", "scenario": "complaint",
         "skill": "empathy", "rubric": "reply-basic", "context": "客户第三次来电。", "customer": "我的快递怎么还没到？",
         "model_answer": "非常理解您的着急……", "tags": "物流, 投诉"}
QUESTION = {"bank": "newcomer-scripts", "slug": "mq-01", "type": "single", "skill": "empathy", "difficulty": "2",
            "tags": "共情", "prompt": "哪一句是有效共情？", "choices": "我也觉得他们不对\n抱歉让您久等了，我们先解决问题",
            "answer": "2", "feedback": "先处理情绪再处理问题。"}


@pytest.fixture
def org(app, conn):
    clock.freeze(dt.datetime(2026, 11, 24, 2))
    site = make_site("上海")
    team, far = make_team("在线一组", site), make_team("北京一组", make_site("北京"))
    Skill.create(slug="empathy", name="共情")
    rubric = Rubric.create(slug="reply-basic", title="回复评分")
    RubricVersion.create(rubric=rubric, number=1, criteria=json.dumps(CRITERIA))
    Bank.create(slug="newcomer-scripts", title="新人话术", tier="newcomer")
    return {"team": team, "settings": app.extensions["lms"].settings,
            "mentor": make_user(("agent", "mentor"), team, "M1", tier="elite", name="马导师"),
            "elite": make_user(("agent",), team, "E1", tier="elite", name="精英"),
            "agent": make_user(("agent",), team, "A1", tier="advanced", name="陈晓"),
            "trainer": make_user(("trainer",), None, "T1", scopes=[team]),
            "site_trainer": make_user(("trainer",), None, "T2", scopes=[site]),
            "far_trainer": make_user(("trainer",), None, "T9", scopes=[far])}


def _fields(problems):
    return {p.field for p in problems}


def test_drill_payload_is_checked_like_the_loader(org):
    payload, problems = check_drill(DRILL, org["mentor"])
    assert problems == [] and payload["tags"] == ["物流", "投诉"]
    bad = {**DRILL, "slug": "Bad Slug", "tier": "master", "customer": "", "skill": "nope", "rubric": "nope"}
    _payload, problems = check_drill(bad, org["mentor"])
    assert _fields(problems) == {"slug", "tier", "customer", "skill", "rubric"}
    Drill.create(slug="late-parcel", title="x", tier="newcomer", scenario="complaint", skill="empathy",
                 rubric="reply-basic", customer="x")
    assert _fields(check_drill(DRILL, org["mentor"])[1]) == {"slug"}  # taken


def test_question_and_case_payloads(org):
    payload, problems = check_question(QUESTION, org["mentor"])
    assert problems == [] and payload["spec"] == {"choices": ["我也觉得他们不对", "抱歉让您久等了，我们先解决问题"],
                                                  "answer": 1}
    _p, problems = check_question({**QUESTION, "bank": "", "prompt": " ", "difficulty": "9", "answer": "5"},
                                  org["mentor"])
    assert _fields(problems) == {"bank", "prompt", "difficulty", "answer"}
    _p, problems = check_question({"type": "short_text", "slug": "mq-02", "bank": "newcomer-scripts",
                                   "skill": "empathy", "difficulty": "1", "prompt": "x", "match": "regex",
                                   "pattern": "("}, org["mentor"])
    assert _fields(problems) == {"pattern"}
    payload, problems = check_case({"title": "王建国的投诉", "kind": "failure", "customer": "王建国",
                                    "summary": "王建国来电，手机13912345678，说快递丢了。", "emotion": "0, -3, 2",
                                    "team": str(org["team"].id)}, org["mentor"], settings=org["settings"])
    assert problems == [] and payload["emotion"] == [0, -3, 2] and payload["team"] == org["team"].id
    assert "王建国" not in json.dumps(payload, ensure_ascii=False) and "13912345678" not in payload["summary"]
    _p, problems = check_case({"title": "", "kind": "other", "summary": "", "emotion": "9", "team": "99999"},
                              org["mentor"], settings=org["settings"])
    assert _fields(problems) == {"title", "kind", "summary", "emotion", "team"}


def test_lifecycle_notifies_and_keeps_the_thread(org):
    settings = org["settings"]
    with pytest.raises(service.IncubationError):
        service.save(org["agent"], "drill", DRILL, settings)  # an advanced agent is not an author
    with pytest.raises(service.Invalid):
        service.save(org["mentor"], "drill", {**DRILL, "tier": "x"}, settings)
    assert AuthoredItem.select().count() == 0
    item = service.save(org["elite"], "drill", DRILL, settings)  # elite without the mentor role may author
    item = service.submit(item, org["elite"], settings, "请看看")
    assert item.status == "submitted" and item.rounds == 1
    told = {n.user_id for n in Notification.select().where(Notification.kind == "task")}
    assert told == {org["trainer"].id, org["site_trainer"].id}
    assert not service.may_review(org["far_trainer"], item) and not service.may_view(org["agent"], item)
    assert [i.id for i in service.queue(org["trainer"])] == [item.id] and not list(service.queue(org["far_trainer"]))
    with pytest.raises(service.IncubationError):
        service.decide(item, org["trainer"], "changes_requested", "", settings)  # say what should change
    item = service.decide(item, org["trainer"], "changes_requested", "客户原话再口语化一些", settings)
    service.comment(item, org["elite"], "好的")
    item = service.save(org["elite"], "drill", {**DRILL, "customer": "快递咋还没到啊？"}, settings, item)
    item = service.submit(item, org["elite"], settings)
    item = service.decide(item, org["trainer"], "published", "", settings)
    drill = Drill.get(Drill.slug == "late-parcel")
    assert item.drill_id == drill.id and drill.customer == "快递咋还没到啊？" and drill.published
    assert service.credit_of(drill) == org["elite"]
    assert [c.action for c in service.thread(item)] == ["submitted", "changes_requested", "comment", "submitted",
                                                         "published"]
    outcomes = [n.title for n in Notification.select().where(Notification.user == org["elite"])]
    assert outcomes == ["Changes requested on your draft", "Your draft was published"]
    with pytest.raises(service.IncubationError):
        service.save(org["elite"], "drill", DRILL, settings, item)  # published: no more edits


def test_publishing_is_all_or_nothing(org, monkeypatch):
    settings = org["settings"]
    item = service.submit(service.save(org["mentor"], "drill", DRILL, settings), org["mentor"], settings)

    def broken(*args, **kwargs):
        raise RuntimeError("notification store down")
    monkeypatch.setattr(service, "notify_many", broken)
    with pytest.raises(RuntimeError):
        service.decide(item, org["trainer"], "published", "", settings)
    assert Drill.select().count() == 0 and AuthoredItem.get_by_id(item.id).status == "submitted"
    assert AuthoredComment.select().where(AuthoredComment.action == "published").count() == 0
    monkeypatch.setattr(service, "notify_many", lambda *a, **k: 0)

    def racing(*args, **kwargs):
        Drill.create(slug="half-made", title="x", tier="newcomer", scenario="complaint", skill="empathy",
                     rubric="reply-basic", customer="x")
        raise peewee.IntegrityError("duplicate slug")
    monkeypatch.setattr(service, "create_content", racing)
    with pytest.raises(service.IncubationError):
        service.decide(item, org["trainer"], "published", "", settings)
    assert Drill.select().count() == 0 and AuthoredItem.get_by_id(item.id).status == "submitted"
    monkeypatch.undo()
    # A drill loaded with the same slug since it was submitted: publishing names the problem.
    Drill.create(slug="late-parcel", title="x", tier="newcomer", scenario="complaint", skill="empathy",
                 rubric="reply-basic", customer="x")
    with pytest.raises(service.Invalid) as error:
        service.decide(item, org["trainer"], "published", "", settings)
    assert _fields(error.value.problems) == {"slug"} and AuthoredItem.get_by_id(item.id).status == "submitted"


def test_second_output_of_questions_cases_and_drills(org):
    settings, mentor = org["settings"], org["mentor"]

    def publish(kind, values):
        item = service.submit(service.save(mentor, kind, values, settings), mentor, settings)
        return service.decide(item, org["trainer"], "published", "", settings)
    publish("question", QUESTION)
    case_item = publish("case", {"title": "破损退货", "kind": "highlight", "summary": "客户收到破损商品。"})
    drill_item = publish("drill", DRILL)
    question = Question.get(Question.slug == "mq-01")
    assert question.bank.slug == "newcomer-scripts" and question.published and service.credit_of(question) == mentor
    case = Case.get_by_id(case_item.case_id)
    assert case.created_by_id == mentor.id and service.credit_of(case) == mentor
    bank = question.bank
    agents = [make_user(("agent",), org["team"], f"Q{i}", tier="advanced") for i in range(6)]
    for n, agent in enumerate(agents):
        attempt = QuizAttempt.create(user=agent, bank=bank, number=1, questions="[]", submitted_at=clock.utcnow())
        QuizResponse.create(attempt=attempt, question=question, score=1.0 if n % 2 else 0.0)
    review_set = ReviewSet.create(title="第48周", week=dt.date(2026, 11, 23), due_on=dt.date(2026, 11, 29))
    ReviewSetCase.create(review_set=review_set, case=case, position=1)
    ReviewAssignment.create(review_set=review_set, user=agents[0])
    other = Drill.create(slug="other", title="其他", tier="newcomer", scenario="complaint", skill="empathy",
                         rubric="reply-basic", customer="x")
    for n, agent in enumerate(agents[:4]):  # four agents: too few for a discrimination
        DrillReply.create(user=agent, drill=drill_item.drill_id, text="t", checker_score=40 + 10 * n)
        DrillReply.create(user=agent, drill=other, text="t", checker_score=50 + 10 * n)
    output = second_output(mentor)
    rows = {row.item.kind: row for row in output.items}
    assert output.published == 3 and output.uses == 6 + 1 + 4
    assert (rows["question"].uses, rows["question"].facility.value, rows["question"].facility.n) == (6, 0.5, 6)
    assert rows["case"].uses == 1 and rows["case"].facility.value is None and rows["case"].facility.reason
    assert rows["drill"].facility.value == 0.55 and rows["drill"].discrimination.value is None
    assert (rows["drill"].discrimination.n, rows["drill"].discrimination.reason) == (4, "not enough data")
    fifth = agents[4]
    DrillReply.create(user=fifth, drill=drill_item.drill_id, text="t", score=90, graded_at=clock.utcnow())
    DrillReply.create(user=fifth, drill=other, text="t", checker_score=100)
    drill_row = next(r for r in second_output(mentor).items if r.item.kind == "drill")
    assert drill_row.discrimination.n == 5 and drill_row.discrimination.value == 1.0  # perfectly in step
    assert drill_row.facility.value == round((0.4 + 0.5 + 0.6 + 0.7 + 0.9) / 5, 3)
    assert second_output(org["agent"]).published == 0
