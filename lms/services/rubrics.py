"""Scoring with a rubric version: weighted criteria, critical criteria, N/A.

score = Σ weight·(level / top level) / Σ weight over the criteria not marked N/A, as a percent.
A critical criterion graded below its threshold makes the score 0; the score without that
auto-fail is kept too, so agent and grader see both.
"""
from __future__ import annotations

import json
from dataclasses import dataclass

from ..models import Rubric, RubricVersion
from .messages import N_


class RubricError(ValueError):
    """A grade that does not fit the rubric; `message` is a catalog string naming the criterion."""

    def __init__(self, message: str, criterion: str):
        super().__init__(message % {"criterion": criterion})
        self.message, self.criterion = message, criterion


@dataclass(frozen=True)
class RubricScore:
    score: float  # percent, after any auto-fail
    raw_score: float  # percent, as if no critical criterion had failed
    failed_critical: list[str]
    per_criterion: dict[str, float | None]  # 0-1 per criterion, None for N/A


def current_version(slug: str) -> RubricVersion | None:
    rubric = Rubric.get_or_none(Rubric.slug == slug)
    if rubric is None:
        return None
    return rubric.versions.order_by(RubricVersion.number.desc()).first()


def criteria_of(version: RubricVersion) -> list[dict]:
    return json.loads(version.criteria)


def score(version: RubricVersion, levels: dict[str, int | None]) -> RubricScore:
    """Levels by criterion id (None = N/A where the criterion allows it)."""
    total_weight = earned = 0.0
    per, failed = {}, []
    for criterion in criteria_of(version):
        cid = criterion["id"]
        if cid not in levels:
            raise RubricError(N_("every criterion needs a level: %(criterion)s"), cid)
        level = levels[cid]
        if level is None:
            if not criterion.get("allow_na"):
                raise RubricError(N_("every criterion needs a level: %(criterion)s"), cid)
            per[cid] = None
            continue
        allowed = [lv["score"] for lv in criterion["levels"]]
        if level not in allowed:
            raise RubricError(N_("not a level of %(criterion)s"), cid)
        fraction = level / max(allowed) if max(allowed) else 0.0
        per[cid] = fraction
        total_weight += criterion["weight"]
        earned += criterion["weight"] * fraction
        if criterion.get("critical") and level < criterion.get("threshold", 0):
            failed.append(cid)
    raw = round(100 * earned / total_weight, 1) if total_weight else 0.0
    return RubricScore(0.0 if failed else raw, raw, failed, per)
