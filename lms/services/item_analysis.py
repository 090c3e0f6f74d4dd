"""Item analysis of a question bank, for trainers, cached until new attempts arrive.

- facility: the mean score of a question (0 = nobody, 1 = everybody gets it right);
  target 0.3-0.9.
- discrimination: the correlation between a question's score and the rest of the attempt's
  score (corrected item-total correlation); below 0.2 the question does not separate strong
  from weak agents.
- reliability: Cronbach's alpha. Attempts draw different questions, so it is computed in its
  standardised form from the mean inter-item correlation over the pairs answered together:
  alpha = k·r / (1 + (k-1)·r), k the questions per attempt; target 0.7 or more.
Correlations need at least MIN_PAIRS attempts; below that the value is None ("too few").
"""
from __future__ import annotations

import json
import math
from collections import defaultdict
from itertools import combinations

from ..models import Bank, BankAnalysis, Question, QuizAttempt, QuizResponse
from . import clock
from .messages import N_

FACILITY_RANGE = (0.3, 0.9)
MIN_DISCRIMINATION = 0.2
MIN_ALPHA = 0.7
MIN_PAIRS = 5


def _correlation(xs: list[float], ys: list[float]) -> float | None:
    if len(xs) < MIN_PAIRS:
        return None
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    sxx = sum((x - mx) ** 2 for x in xs)
    syy = sum((y - my) ** 2 for y in ys)
    if sxx == 0 or syy == 0:
        return None
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / math.sqrt(sxx * syy)


def compute(bank: Bank) -> dict:
    """Read every submitted attempt of the bank once and analyse its questions."""
    scores: dict[int, dict[int, float]] = defaultdict(dict)  # attempt -> question -> score
    rows = (QuizResponse.select(QuizResponse.attempt, QuizResponse.question, QuizResponse.score)
            .join(QuizAttempt).where((QuizAttempt.bank == bank) & QuizAttempt.submitted_at.is_null(False)
                                     & (QuizAttempt.late == False)))  # noqa: E712
    for row in rows:
        scores[row.attempt_id][row.question_id] = row.score
    by_question: dict[int, list[tuple[float, float]]] = defaultdict(list)  # (item, rest of attempt)
    for answers in scores.values():
        total = sum(answers.values())
        for question_id, score in answers.items():
            by_question[question_id].append((score, total - score))
    questions = {q.id: q for q in Question.select().where(Question.bank == bank)}
    items = []
    for question_id, pairs in sorted(by_question.items()):
        facility = sum(p[0] for p in pairs) / len(pairs)
        discrimination = _correlation([p[0] for p in pairs], [p[1] for p in pairs])
        flags = []
        if not FACILITY_RANGE[0] <= facility <= FACILITY_RANGE[1]:
            flags.append(N_("too hard") if facility < FACILITY_RANGE[0] else N_("too easy"))
        if discrimination is not None and discrimination < MIN_DISCRIMINATION:
            flags.append(N_("low discrimination"))
        question = questions.get(question_id)
        items.append({"question": question.slug if question else str(question_id),
                      "prompt": question.prompt if question else "", "n": len(pairs),
                      "facility": round(facility, 3),
                      "discrimination": None if discrimination is None else round(discrimination, 3),
                      "flags": flags})
    alpha = _alpha(scores, bank)
    return {"attempts": len(scores), "items": items, "alpha": alpha,
            "alpha_flag": alpha is not None and alpha < MIN_ALPHA}


def _alpha(scores: dict[int, dict[int, float]], bank: Bank) -> float | None:
    pair_values: dict[tuple[int, int], tuple[list[float], list[float]]] = defaultdict(lambda: ([], []))
    for answers in scores.values():
        for a, b in combinations(sorted(answers), 2):
            xs, ys = pair_values[(a, b)]
            xs.append(answers[a])
            ys.append(answers[b])
    correlations = [r for xs, ys in pair_values.values() if (r := _correlation(xs, ys)) is not None]
    if not correlations:
        return None
    mean_r = sum(correlations) / len(correlations)
    k = bank.draw or max((len(a) for a in scores.values()), default=0)
    if k < 2 or 1 + (k - 1) * mean_r == 0:
        return None
    return round(k * mean_r / (1 + (k - 1) * mean_r), 3)


def analysis(bank: Bank) -> dict:
    """The cached analysis, recomputed only when the number of submitted attempts changed."""
    submitted = QuizAttempt.select().where((QuizAttempt.bank == bank)
                                           & QuizAttempt.submitted_at.is_null(False)).count()
    cached = BankAnalysis.get_or_none(BankAnalysis.bank == bank)
    if cached is not None and cached.attempts_seen == submitted:
        return {**json.loads(cached.result), "computed_at": cached.computed_at.isoformat()}
    result = compute(bank)
    now = clock.utcnow()
    (BankAnalysis.insert(bank=bank, attempts_seen=submitted, computed_at=now, result=json.dumps(result))
     .on_conflict(conflict_target=[BankAnalysis.bank],
                  update={BankAnalysis.attempts_seen: submitted, BankAnalysis.computed_at: now,
                          BankAnalysis.result: json.dumps(result)}).execute())
    return {**result, "computed_at": now.isoformat()}
