"""Trainers edit question banks on the web: rules, questions of each type, publishing; bad input."""
import json

import pytest

from lms.models import Bank, ContentChange, Question
from lms.services import quizzes

from ..factories import csrf_token, login, make_user
from .test_quiz import bank  # noqa: F401  (the fixture: a bank of four question types)


@pytest.fixture
def trainer_client(app, bank):  # noqa: F811
    client = app.test_client()
    login(client, make_user(("trainer",)))
    client.post("/locale/en", data={"csrf_token": csrf_token(client, "/")})
    return client


def _post(client, path, data, page=None):
    return client.post(path, data={**data, "csrf_token": csrf_token(client, page or path)})


def test_edit_bank_rules(trainer_client, bank):  # noqa: F811
    ok = _post(trainer_client, "/banks/b1", {"title": "新标题", "pass_mark": "90", "draw": "3", "attempts": "0",
                                             "time_limit_minutes": "0", "grading": "average"})
    assert ok.status_code == 303
    saved = Bank.get_by_id(bank.id)
    assert (saved.title, saved.pass_mark, saved.draw, saved.grading) == ("新标题", 90, 3, "average")
    assert saved.file_hash == bank.file_hash  # a web edit: the loader will see it
    for field, value, message in [("pass_mark", "120", "pass mark"), ("draw", "9", "Draw 1 to 4"),
                                  ("grading", "best", "highest, last or average"), ("attempts", "x", "whole number")]:
        data = {"title": "t", "pass_mark": "80", "draw": "", "attempts": "0", "time_limit_minutes": "0",
                "grading": "highest", field: value}
        bad = _post(trainer_client, "/banks/b1", data)
        assert bad.status_code == 400 and message in bad.get_data(as_text=True), field
    assert Bank.get_by_id(bank.id).title == "新标题"


def test_create_and_edit_questions_of_each_type(trainer_client, bank):  # noqa: F811
    page = "/banks/b1/questions/new?type=multiple"
    created = _post(trainer_client, page, {"slug": "q9", "skill": "empathy", "difficulty": "2", "tags": "empathy, basics",
                                           "prompt": "哪些是有效共情？", "choices": "理解您的着急\n我也觉得他们不对\n先帮您解决",
                                           "answer": "1,3", "feedback": "共情要落到行动上。", "type": "multiple"})
    assert created.status_code == 303
    question = Question.get(Question.slug == "q9")
    assert json.loads(question.spec) == {"choices": ["理解您的着急", "我也觉得他们不对", "先帮您解决"], "answer": [0, 2]}
    assert json.loads(question.tags) == ["empathy", "basics"]
    ordering = _post(trainer_client, "/banks/questions/q3", {"skill": "expression", "difficulty": "1", "tags": "",
                                                            "prompt": "排序", "items": "甲\n乙\n丙\n丁"})
    assert ordering.status_code == 303 and json.loads(Question.get(Question.slug == "q3").spec)["items"][-1] == "丁"
    text = _post(trainer_client, "/banks/questions/q4", {"skill": "expression", "difficulty": "1", "prompt": "改写",
                                                        "match": "keywords", "keywords": "服务申请|申请\n提交"})
    assert text.status_code == 303
    assert json.loads(Question.get(Question.slug == "q4").spec)["keywords"] == [["服务申请", "申请"], ["提交"]]
    assert ContentChange.select().where(ContentChange.kind == "question").count() == 3


@pytest.mark.parametrize("data, message", [
    ({"slug": "q1"}, "already taken"),
    ({"slug": "Bad Slug"}, "lower-case"),
    ({"answer": "7"}, "answer"),
    ({"answer": "one"}, "number"),
    ({"choices": "只有一个"}, "choices"),
    ({"prompt": ""}, "prompt"),
    ({"skill": "juggling"}, "skill"),
    ({"difficulty": "5"}, "Difficulty"),
])
def test_bad_questions_are_refused_and_nothing_written(trainer_client, bank, data, message):  # noqa: F811
    base = {"slug": "q8", "skill": "empathy", "difficulty": "1", "prompt": "题干", "choices": "甲\n乙",
            "answer": "1", "type": "single"}
    response = _post(trainer_client, "/banks/b1/questions/new?type=single", {**base, **data},
                     page="/banks/b1/questions/new?type=single")
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    assert Question.select().count() == 4


def test_unpublished_questions_are_not_drawn(trainer_client, bank):  # noqa: F811
    _post(trainer_client, "/banks/questions/q1/publish", {"published": "0"}, page="/banks/b1")
    assert not Question.get(Question.slug == "q1").published
    Bank.update(draw=None, draw_rules="[]", attempts=0).execute()
    attempt = quizzes.start(make_user(), Bank.get_by_id(bank.id))
    assert Question.get(Question.slug == "q1").id not in [e["id"] for e in json.loads(attempt.questions)]


def test_agents_cannot_edit(app, bank):  # noqa: F811
    client = app.test_client()
    login(client, make_user())
    assert client.get("/banks/b1").status_code == 403
