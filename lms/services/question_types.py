"""Question types, in a registry: a new type is one class with check, present and grade.

`spec` is the type's own part of a question (choices, answer, items, match ...), as in
docs/assessment-format.md. An answer is what the form sent, already parsed: an index, a list
of indexes, a bool, an order of indexes, or text. Scores are 0-1.
"""
from __future__ import annotations

import random
import re
import unicodedata

QUESTION_TYPES: dict[str, type[QuestionType]] = {}


def register_question_type(cls):
    QUESTION_TYPES[cls.key] = cls
    return cls


def _int_list(value) -> bool:
    return isinstance(value, list) and all(isinstance(v, int) and not isinstance(v, bool) for v in value)


class QuestionType:
    key = ""
    keys: set[str] = set()  # the spec keys this type takes

    @classmethod
    def check(cls, spec: dict) -> list[str]:
        """Problems with a spec, as messages naming the key."""
        return []

    @classmethod
    def present(cls, spec: dict, rng: random.Random) -> dict:
        """What an attempt stores to show this question the same way every time (e.g. an order)."""
        return {}

    @classmethod
    def grade(cls, spec: dict, answer) -> float:
        """The answer's score, 0-1; every registered type defines it."""
        raise TypeError(f"{cls.__name__} defines no grading")


class _Choice(QuestionType):
    keys = {"choices", "answer"}
    min_choices = 2

    @classmethod
    def check(cls, spec):
        choices = spec.get("choices")
        if not isinstance(choices, list) or not all(isinstance(c, str) and c for c in choices):
            return ["choices: expected a list of texts"]
        if not cls.min_choices <= len(choices) <= 6:
            return [f"choices: {cls.min_choices} to 6 choices, got {len(choices)}"]
        return cls.check_answer(spec["answer"] if "answer" in spec else None, len(choices))

    @classmethod
    def present(cls, spec, rng):
        order = list(range(len(spec["choices"])))
        rng.shuffle(order)
        return {"order": order}


@register_question_type
class SingleChoice(_Choice):
    key = "single"

    @classmethod
    def check_answer(cls, answer, n):
        ok = isinstance(answer, int) and not isinstance(answer, bool) and 0 <= answer < n
        return [] if ok else [f"answer: expected the index (0 to {n - 1}) of the right choice, got {answer!r}"]

    @classmethod
    def grade(cls, spec, answer):
        return 1.0 if answer == spec["answer"] else 0.0


@register_question_type
class MultipleChoice(_Choice):
    """Partial credit: (right picked - wrong picked) / right, never below 0."""
    key = "multiple"
    min_choices = 3

    @classmethod
    def check_answer(cls, answer, n):
        if not _int_list(answer) or not answer or len(set(answer)) != len(answer) \
                or not all(0 <= a < n for a in answer):
            return [f"answer: expected a list of distinct choice indexes (0 to {n - 1}), got {answer!r}"]
        return []

    @classmethod
    def grade(cls, spec, answer):
        picked = set(answer) if _int_list(answer) else set()
        right = set(spec["answer"])
        return max(0.0, (len(picked & right) - len(picked - right)) / len(right))


@register_question_type
class TrueFalse(QuestionType):
    key = "true_false"
    keys = {"answer"}

    @classmethod
    def check(cls, spec):
        return [] if isinstance(spec.get("answer"), bool) else ["answer: expected true or false"]

    @classmethod
    def grade(cls, spec, answer):
        return 1.0 if answer is spec["answer"] else 0.0


@register_question_type
class Ordering(QuestionType):
    """Items are listed in the right order and shown shuffled; all or nothing."""
    key = "ordering"
    keys = {"items"}

    @classmethod
    def check(cls, spec):
        items = spec.get("items")
        if not isinstance(items, list) or len(items) < 3 or not all(isinstance(i, str) and i for i in items):
            return ["items: expected at least 3 texts, in the right order"]
        return []

    @classmethod
    def present(cls, spec, rng):
        order = list(range(len(spec["items"])))
        while order == sorted(order):  # never shown already in the right order
            rng.shuffle(order)
        return {"order": order}

    @classmethod
    def grade(cls, spec, answer):
        return 1.0 if answer == list(range(len(spec["items"]))) else 0.0


def normalise_text(text: str) -> str:
    """Full-width to half-width, case and spacing folded: 'ＡＢ　c ' and 'ab c' compare equal."""
    text = unicodedata.normalize("NFKC", text or "")
    return re.sub(r"\s+", " ", text).strip().lower()


@register_question_type
class ShortText(QuestionType):
    key = "short_text"
    keys = {"match", "answers", "pattern", "keywords"}

    @classmethod
    def check(cls, spec):
        match = spec.get("match")
        if match == "exact":
            answers = spec.get("answers")
            ok = isinstance(answers, list) and answers and all(isinstance(a, str) and a for a in answers)
            return [] if ok else ["answers: expected a list of accepted texts"]
        if match == "regex":
            try:
                re.compile(spec.get("pattern") or "")
            except re.error as exc:
                return [f"pattern: not a valid regular expression: {exc}"]
            return [] if spec.get("pattern") else ["pattern: missing"]
        if match == "keywords":
            sets = spec.get("keywords")
            ok = isinstance(sets, list) and sets and all(
                isinstance(s, list) and s and all(isinstance(w, str) and w for w in s) for s in sets)
            return [] if ok else ["keywords: expected a list of keyword sets, each a list of alternatives"]
        return [f"match: one of exact, regex, keywords, got {match!r}"]

    @classmethod
    def grade(cls, spec, answer):
        text = normalise_text(answer if isinstance(answer, str) else "")
        if not text:
            return 0.0
        if spec["match"] == "exact":
            return 1.0 if text in {normalise_text(a) for a in spec["answers"]} else 0.0
        if spec["match"] == "regex":
            return 1.0 if re.search(spec["pattern"], text) else 0.0
        found = sum(1 for alternatives in spec["keywords"]
                    if any(normalise_text(word) in text for word in alternatives))
        return 1.0 if found == len(spec["keywords"]) else 0.0
