"""Question types: checks on the spec, presentation, grading (partial credit, normalised text)."""
import random

import pytest

from lms.services.question_types import QUESTION_TYPES, normalise_text, register_question_type, QuestionType


def grade(kind, spec, answer):
    return QUESTION_TYPES[kind].grade(spec, answer)


def test_single_and_true_false():
    assert grade("single", {"choices": ["a", "b"], "answer": 1}, 1) == 1
    assert grade("single", {"choices": ["a", "b"], "answer": 1}, 0) == 0
    assert grade("true_false", {"answer": False}, False) == 1
    assert grade("true_false", {"answer": False}, 0) == 0  # 0 is not False here


@pytest.mark.parametrize("picked, expected", [([0, 2], 1.0), ([0], .5), ([0, 1], 0.0), ([0, 2, 3], .5), ([], 0.0),
                                              ([1, 3], 0.0), ("junk", 0.0)])
def test_multiple_choice_partial_credit(picked, expected):
    assert grade("multiple", {"choices": list("abcd"), "answer": [0, 2]}, picked) == expected


def test_ordering_is_all_or_nothing_and_never_shown_solved():
    spec = {"items": ["问候", "确认需求", "给方案", "处理异议", "结束跟进"]}
    assert grade("ordering", spec, [0, 1, 2, 3, 4]) == 1
    assert grade("ordering", spec, [1, 0, 2, 3, 4]) == 0
    for seed in range(30):
        assert QUESTION_TYPES["ordering"].present(spec, random.Random(seed))["order"] != [0, 1, 2, 3, 4]


@pytest.mark.parametrize("spec, answer, expected", [
    ({"match": "exact", "answers": ["服务申请"]}, " 服务申请 ", 1),
    ({"match": "exact", "answers": ["ABC"]}, "ａｂｃ", 1),
    ({"match": "regex", "pattern": r"\d+\s*(个)?(小时|工作日)"}, "我们会在2小时内回电", 1),
    ({"match": "regex", "pattern": r"\d+\s*(个)?(小时|工作日)"}, "我们会尽快回电", 0),
    ({"match": "keywords", "keywords": [["抱歉", "对不起"], ["理解"]]}, "非常抱歉，我理解您的心情", 1),
    ({"match": "keywords", "keywords": [["抱歉", "对不起"], ["理解"]]}, "非常抱歉", 0),
    ({"match": "exact", "answers": ["x"]}, None, 0),
])
def test_short_text(spec, answer, expected):
    assert grade("short_text", spec, answer) == expected


@pytest.mark.parametrize("kind, spec, message", [
    ("single", {"choices": ["a"], "answer": 0}, "choices"),
    ("single", {"choices": ["a", "b"], "answer": 2}, "answer"),
    ("multiple", {"choices": ["a", "b", "c"], "answer": [0, 0]}, "answer"),
    ("true_false", {"answer": "yes"}, "answer"),
    ("ordering", {"items": ["a", "b"]}, "items"),
    ("short_text", {"match": "regex", "pattern": "("}, "pattern"),
    ("short_text", {"match": "fuzzy"}, "match"),
])
def test_bad_specs_are_named(kind, spec, message):
    problems = QUESTION_TYPES[kind].check(spec)
    assert problems and problems[0].startswith(message)


def test_a_new_type_is_one_class():
    @register_question_type
    class Numeric(QuestionType):
        key = "numeric_test"
        keys = {"answer"}

        @classmethod
        def grade(cls, spec, answer):
            return 1.0 if answer == spec["answer"] else 0.0

    try:
        assert grade("numeric_test", {"answer": 3}, 3) == 1
    finally:
        del QUESTION_TYPES["numeric_test"]


def test_normalise_text():
    assert normalise_text("  Ａ　b\tC ") == "a b c"
