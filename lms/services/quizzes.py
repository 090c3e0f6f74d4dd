"""Quizzes: drawing questions, attempts with server-side time limits, grading, feedback,
the bank's grading method, evidence rows and the completion of the quiz activities."""
from __future__ import annotations

import datetime as dt
import json
import random
from collections import Counter
from dataclasses import dataclass

from ..db import database
from ..models import Activity, Bank, Completion, Evidence, Question, QuizAttempt, QuizResponse, User
from . import clock
from .messages import N_
from .question_types import QUESTION_TYPES

GRACE = dt.timedelta(seconds=30)  # network and clicking time past the deadline


class QuizError(ValueError):
    """The attempt cannot be started or submitted; the message (a catalog string) says why."""


@dataclass
class ShownQuestion:
    question: Question
    spec: dict
    order: list[int]  # the display order of choices/items, as indexes into the spec's list


def attempts_of(user: User, bank: Bank) -> list[QuizAttempt]:
    return list(QuizAttempt.select().where((QuizAttempt.user == user) & (QuizAttempt.bank == bank))
                .order_by(QuizAttempt.number))


def open_attempt(user: User, bank: Bank) -> QuizAttempt | None:
    for attempt in attempts_of(user, bank):
        if attempt.submitted_at is None:
            return attempt
    return None


def _seen_counts(user: User, bank: Bank) -> Counter:
    rows = (QuizResponse.select(QuizResponse.question).join(QuizAttempt)
            .where((QuizAttempt.user == user) & (QuizAttempt.bank == bank)))
    return Counter(r.question_id for r in rows)


def draw(pool: list[Question], count: int, seen: Counter, rng: random.Random, *, tags=None, difficulty=None,
         exclude: set[int] = frozenset()) -> list[Question]:
    """`count` questions with any of `tags` and one of the `difficulty` levels, least seen first,
    at random among equals."""
    levels = [difficulty] if isinstance(difficulty, int) else difficulty
    matching = [q for q in pool if q.id not in exclude
                and (not tags or set(tags) & set(json.loads(q.tags)))
                and (not levels or q.difficulty in levels)]
    matching.sort(key=lambda q: (seen[q.id], rng.random()))
    return matching[:count]


def start(user: User, bank: Bank, seed: int | None = None) -> QuizAttempt:
    """Resume the open attempt, or draw a new one: the questions this agent has seen least first."""
    existing = open_attempt(user, bank)
    if existing is not None:
        return existing
    done = len(attempts_of(user, bank))
    if bank.attempts and done >= bank.attempts:
        raise QuizError(N_("no attempts left"))
    rng = random.Random(seed)
    pool = list(bank.questions.where(Question.published == True))  # noqa: E712
    if not pool:
        raise QuizError(N_("this quiz has no questions yet"))
    seen = _seen_counts(user, bank)
    rules = json.loads(bank.draw_rules) or [{"count": bank.draw or len(pool)}]
    drawn: list[Question] = []
    for rule in rules:
        drawn += draw(pool, rule.get("count", 0), seen, rng, tags=rule.get("tags"),
                      difficulty=rule.get("difficulty"), exclude={q.id for q in drawn})
    rng.shuffle(drawn)
    shown = [{"id": q.id, **QUESTION_TYPES[q.type].present(json.loads(q.spec), rng)} for q in drawn]
    deadline = clock.utcnow() + dt.timedelta(minutes=bank.time_limit_minutes) if bank.time_limit_minutes else None
    return QuizAttempt.create(user=user, bank=bank, number=done + 1, questions=json.dumps(shown), deadline=deadline)


def shown_questions(attempt: QuizAttempt) -> list[ShownQuestion]:
    return shown_from(json.loads(attempt.questions))


def shown_from(entries: list[dict]) -> list[ShownQuestion]:
    """The questions of a stored draw ([{"id", "order"}...]) as they are shown."""
    by_id = {q.id: q for q in Question.select().where(Question.id.in_([e["id"] for e in entries] or [0]))}
    return [ShownQuestion(by_id[e["id"]], json.loads(by_id[e["id"]].spec), e.get("order", []))
            for e in entries if e["id"] in by_id]


def seconds_left(attempt: QuizAttempt) -> int | None:
    if attempt.deadline is None:
        return None
    return max(0, int((attempt.deadline - clock.utcnow()).total_seconds()))


def submit(attempt: QuizAttempt, answers: dict[int, object]) -> QuizAttempt:
    """Grade an attempt once. Past the deadline (plus a short grace) the answers do not count."""
    with database.atomic():
        won = (QuizAttempt.update(submitted_at=clock.utcnow())
               .where((QuizAttempt.id == attempt.id) & QuizAttempt.submitted_at.is_null()).execute())
        if not won:
            raise QuizError(N_("this attempt was already submitted"))
        late = attempt.deadline is not None and clock.utcnow() > attempt.deadline + GRACE
        total = 0.0
        shown = shown_questions(attempt)
        for item in shown:
            answer = None if late else answers.get(item.question.id)
            score = QUESTION_TYPES[item.question.type].grade(item.spec, answer) if answer is not None else 0.0
            QuizResponse.create(attempt=attempt, question=item.question, answer=json.dumps(answer, ensure_ascii=False),
                                score=score, correct=score == 1.0)
            if not late:
                Evidence.create(user=attempt.user, skill=item.question.skill, score=score,
                                source=f"quiz:{attempt.bank.slug}/{item.question.slug}")
            total += score
        percent = round(100 * total / len(shown), 1) if shown else 0.0
        attempt = QuizAttempt.get_by_id(attempt.id)
        attempt.score, attempt.late = percent, late
        attempt.passed = percent >= attempt.bank.pass_mark and not late
        attempt.save()
        _record_completion(attempt.user, attempt.bank)
    return attempt


def bank_grade(user: User, bank: Bank) -> float | None:
    """The agent's grade on the bank by its grading method (highest, last or average)."""
    scores = [a.score for a in attempts_of(user, bank) if a.submitted_at is not None and a.score is not None]
    if not scores:
        return None
    if bank.grading == "last":
        return scores[-1]
    if bank.grading == "average":
        return round(sum(scores) / len(scores), 1)
    return max(scores)


def _record_completion(user: User, bank: Bank) -> None:
    """Every quiz activity running this bank is passed once the grade reaches the pass mark."""
    grade = bank_grade(user, bank)
    passed = grade is not None and grade >= bank.pass_mark
    for activity in Activity.select().where((Activity.kind == "quiz") & (Activity.ref == bank.slug)):
        row = Completion.get_or_none((Completion.user == user) & (Completion.activity == activity))
        if row is None:
            Completion.create(user=user, activity=activity, score=grade, passed=passed)
        else:
            Completion.update(score=grade, passed=passed, completed_at=clock.utcnow()).where(
                Completion.id == row.id).execute()
