"""A mentor's "second output": what their published items do for others, and how fast their
mentees grow.

Per published item:
- uses: drill replies, quiz responses (submitted attempts) or case-review assignments;
- facility: the mean score, 0-1. A drill reply counts with its rubric grade once graded, with
  the script checker's score until then; a question's is its bank's item analysis. A case has
  no score of its own (case reviews are graded per set), so none is shown;
- discrimination: for a question, the corrected item-total correlation from its bank's item
  analysis; for a drill, the correlation between each agent's first reply to it and the mean of
  their replies to other drills (the same idea, with drills as the test). Fewer than
  item_analysis.MIN_PAIRS agents give "not enough data", with n.
Mentee growth (mentee_growth.for_mentor) is computed by the caller and passed in, so this module
needs no settings and the page decides whether to show it.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import peewee as pw

from ..models import (AuthoredItem, DrillReply, QuizAttempt, QuizResponse, ReviewAssignment, ReviewSetCase, User)
from . import item_analysis
from .item_analysis import MIN_PAIRS
from .messages import N_


@dataclass(frozen=True)
class Stat:
    value: float | None
    n: int
    reason: str = ""  # a catalog string when value is None


@dataclass
class ItemOutput:
    item: AuthoredItem
    uses: int
    agents: int
    facility: Stat
    discrimination: Stat


@dataclass
class SecondOutput:
    author: User
    published: int
    in_review: int  # drafts, submitted or with changes requested
    items: list[ItemOutput] = field(default_factory=list)
    growth: object | None = None  # a mentee_growth.MentorGrowth, when the caller gives one

    @property
    def uses(self) -> int:
        return sum(i.uses for i in self.items)


NOT_ENOUGH = N_("not enough data")


def _mean(values: list[float]) -> Stat:
    if not values:
        return Stat(None, 0, NOT_ENOUGH)
    return Stat(round(sum(values) / len(values), 3), len(values))


def _reply_value(reply: DrillReply) -> float | None:
    raw = reply.score if reply.graded_at is not None else reply.checker_score
    return None if raw is None else raw / 100


def _drill(item: AuthoredItem) -> ItemOutput:
    replies = list(DrillReply.select().where(DrillReply.drill == item.drill_id).order_by(DrillReply.submitted_at))
    first: dict[int, float] = {}
    for reply in replies:
        value = _reply_value(reply)
        if value is not None:
            first.setdefault(reply.user_id, value)
    others: dict[int, list[float]] = defaultdict(list)
    for reply in DrillReply.select().where(DrillReply.user.in_(list(first) or [0])
                                           & (DrillReply.drill != item.drill_id)):
        value = _reply_value(reply)
        if value is not None:
            others[reply.user_id].append(value)
    pairs = [(first[u], sum(v) / len(v)) for u, v in others.items()]
    r = item_analysis._correlation([p[0] for p in pairs], [p[1] for p in pairs])
    reason = NOT_ENOUGH if len(pairs) < MIN_PAIRS else N_("no spread in the scores")
    return ItemOutput(item, len(replies), len({r.user_id for r in replies}),
                      _mean([v for v in map(_reply_value, replies) if v is not None]),
                      Stat(None if r is None else round(r, 3), len(pairs), "" if r is not None else reason))


def _question(item: AuthoredItem) -> ItemOutput:
    question = item.question
    responses = (QuizResponse.select(QuizResponse.id, QuizAttempt.user).join(QuizAttempt)
                 .where((QuizResponse.question == question) & QuizAttempt.submitted_at.is_null(False)))
    uses = responses.count()
    agents = responses.select(pw.fn.COUNT(QuizAttempt.user.distinct())).scalar() or 0
    found = next((i for i in item_analysis.analysis(question.bank)["items"] if i["question"] == question.slug), None)
    if found is None:
        return ItemOutput(item, uses, agents, Stat(None, 0, NOT_ENOUGH), Stat(None, 0, NOT_ENOUGH))
    discrimination = found["discrimination"]
    return ItemOutput(item, uses, agents, Stat(found["facility"], found["n"]),
                      Stat(discrimination, found["n"], "" if discrimination is not None else NOT_ENOUGH))


def _case(item: AuthoredItem) -> ItemOutput:
    assigned = (ReviewAssignment.select(ReviewAssignment.user)
                .join(ReviewSetCase, on=(ReviewSetCase.review_set == ReviewAssignment.review_set))
                .where(ReviewSetCase.case == item.case_id))
    per_set = N_("case reviews are graded per set, not per case")
    return ItemOutput(item, assigned.count(), assigned.select(pw.fn.COUNT(ReviewAssignment.user.distinct())).scalar()
                      or 0, Stat(None, 0, per_set), Stat(None, 0, per_set))


def second_output(author: User, growth=None) -> SecondOutput:
    """The author's published items with their use, facility and discrimination; `growth` is
    the hook for mentee growth (mentee_growth.for_mentor(author, settings)), shown when given."""
    items = list(AuthoredItem.select().where(AuthoredItem.author == author).order_by(AuthoredItem.decided_at.desc()))
    live = [i for i in items if i.status == "published"
            and (i.drill_id or i.question_id or i.case_id)]  # content deleted since: nothing to measure
    measured = [_drill(i) if i.kind == "drill" else _question(i) if i.kind == "question" else _case(i) for i in live]
    in_review = sum(1 for i in items if i.status in ("draft", "submitted", "changes_requested"))
    return SecondOutput(author, len(live), in_review, measured, growth)


def of_mentor(user: User, settings: dict) -> SecondOutput | None:
    """What profiles and the tier review show: an elite agent's or mentor's second output, with
    their mentees' growth when they mentor; None for everyone else."""
    if not (user.tier == "elite" or user.has_role("mentor")):
        return None
    from .mentee_growth import for_mentor

    return second_output(user, growth=for_mentor(user, settings) if user.has_role("mentor") else None)
