"""Grader calibration: a trainer picks a submission, a reference grader and the graders to
calibrate; each scores it blind (nobody sees another's levels before scoring their own); the
report shows each grader's deviation from the reference, in total and per criterion, in
points of 100, flagged beyond `reviews.calibration_threshold`; and each grader's agreement
over time (the mean absolute deviation of all their rounds)."""
from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass

from ..db import database
from ..models import CalibrationRound, CalibrationScore, ReviewSubmission, User
from . import clock, rubrics
from .messages import N_
from .review_grading import RUBRIC, GradingError


def start(author: User, submission: ReviewSubmission, reference: User, graders: list[User]) -> CalibrationRound:
    others = [g for g in graders if g.id != reference.id]
    if len(others) < 2:
        raise GradingError(N_("a calibration round needs at least two graders besides the reference"))
    with database.atomic():
        round_ = CalibrationRound.create(submission=submission, reference=reference, created_by=author)
        for grader in [reference, *others]:
            CalibrationScore.create(round=round_, grader=grader)
    return round_


def score(round_: CalibrationRound, grader: User, levels: dict[str, int | None]) -> CalibrationScore:
    entry = CalibrationScore.get_or_none((CalibrationScore.round == round_) & (CalibrationScore.grader == grader))
    if entry is None:
        raise GradingError(N_("you are not a grader in this round"))
    if entry.levels is not None:
        raise GradingError(N_("you have already scored this round"))
    version = rubrics.current_version(RUBRIC)
    if version is None:
        raise GradingError(N_("the case-review rubric is not loaded"))
    result = rubrics.score(version, levels)
    CalibrationScore.update(levels=json.dumps(levels), score=result.score, scored_at=clock.utcnow()).where(
        CalibrationScore.id == entry.id).execute()
    return CalibrationScore.get_by_id(entry.id)


def may_see(round_: CalibrationRound, user: User) -> bool:
    """Scores stay blind: a grader sees the others only after scoring; the round's author always."""
    if round_.created_by_id == user.id:
        return True
    entry = CalibrationScore.get_or_none((CalibrationScore.round == round_) & (CalibrationScore.grader == user))
    return entry is not None and entry.levels is not None


@dataclass
class Deviation:
    grader: User
    total: float | None  # grader's score minus the reference's (points of 100); None: not scored
    per_criterion: dict  # criterion -> points of 100
    flagged: bool


def report(round_: CalibrationRound, threshold: float) -> list[Deviation]:
    """Each grader against the reference, criterion by criterion (weighted, in points of 100)."""
    version = rubrics.current_version(RUBRIC)
    criteria = {c["id"]: c for c in rubrics.criteria_of(version)} if version else {}
    total_weight = sum(c["weight"] for c in criteria.values()) or 1
    entries = list(CalibrationScore.select(CalibrationScore, User).join(User).where(CalibrationScore.round == round_))
    reference = next((e for e in entries if e.grader_id == round_.reference_id), None)
    if reference is None or reference.levels is None:
        return []
    ref_levels = json.loads(reference.levels)
    rows = []
    for entry in entries:
        if entry.grader_id == round_.reference_id:
            continue
        if entry.levels is None:
            rows.append(Deviation(entry.grader, None, {}, False))
            continue
        levels = json.loads(entry.levels)
        per = {}
        for cid, criterion in criteria.items():
            top = max(level["score"] for level in criterion["levels"]) or 1
            if levels.get(cid) is not None and ref_levels.get(cid) is not None:
                per[cid] = round(100 * criterion["weight"] / total_weight * (levels[cid] - ref_levels[cid]) / top, 1)
        total = round(entry.score - reference.score, 1)
        flagged = abs(total) > threshold or any(abs(v) > threshold for v in per.values())
        rows.append(Deviation(entry.grader, total, per, flagged))
    return rows


def agreement(threshold: float) -> list[tuple[User, int, float]]:
    """Per grader over all rounds with a scored reference: (grader, rounds, mean |deviation|)."""
    found = defaultdict(list)
    for round_ in CalibrationRound.select().order_by(CalibrationRound.created_at):
        for row in report(round_, threshold):
            if row.total is not None:
                found[row.grader.id].append((row.grader, abs(row.total)))
    return sorted(((rows[0][0], len(rows), round(sum(d for _, d in rows) / len(rows), 1)) for rows in found.values()),
                  key=lambda item: -item[2])
