"""Scenario drills: an agent's reply is read by the script checker at once (the first pass,
shown to agent and grader), then graded with the drill's rubric by a trainer. Every result
writes evidence: the checker's score for the drill's skill, each rubric criterion for its own."""
from __future__ import annotations

import json
from pathlib import Path

from .. import authz
from ..db import database
from ..models import Activity, Completion, Drill, DrillReply, Evidence, User
from . import clock, rubrics
from .messages import N_
from .notify import notify_many
from .script_check import check_reply

MAX_REPLY_CHARS = 2000
PASS_SCORE = 60.0  # a graded reply at or above this completes the drill's activities
FINDING_EVIDENCE = {"major": 0.0, "minor": 0.5, "info": 0.8}


class DrillError(ValueError):
    """The reply or grade cannot be accepted; the message (a catalog string) says why."""


def submit(user: User, drill: Drill, text: str, rules_path: Path) -> DrillReply:
    text = (text or "").strip()
    if not text:
        raise DrillError(N_("write what you would say to the customer"))
    if len(text) > MAX_REPLY_CHARS:
        raise DrillError(N_("the reply is longer than 2000 characters"))
    result = check_reply(text, drill.scenario, rules_path)
    with database.atomic():
        reply = DrillReply.create(user=user, drill=drill, text=text, checker=json.dumps(result.as_dict(),
                                                                                        ensure_ascii=False),
                                  checker_score=result.score)
        Evidence.create(user=user, skill=drill.skill, score=result.score / 100, source=f"checker:{drill.slug}")
        # Each finding is evidence against the skill its rule names (a softened one counts half).
        for finding in result.findings:
            Evidence.create(user=user, skill=finding.skill or drill.skill,
                            score=FINDING_EVIDENCE.get(finding.severity, 0.0),
                            source=f"checker:{drill.slug}/{finding.rule}")
    return reply


def queue(grader: User):
    """Ungraded replies of the agents this grader may grade, oldest first."""
    gradable = authz.gradable_users(grader).select(User.id)
    return (DrillReply.select(DrillReply, Drill, User).join(Drill).switch(DrillReply).join(User)
            .where(DrillReply.graded_at.is_null() & DrillReply.user.in_(gradable))
            .order_by(DrillReply.submitted_at))


def may_grade(grader: User, reply: DrillReply) -> bool:
    return authz.can(grader, "grade", reply.user)


def grade(reply: DrillReply, grader: User, levels: dict[str, int | None], comment: str, settings=None) -> DrillReply:
    """Grade with the rubric's current version, kept on the reply; a graded reply is final."""
    version = rubrics.current_version(reply.drill.rubric)
    if version is None:
        raise DrillError(N_("the drill's rubric is not loaded"))
    result = rubrics.score(version, levels)  # raises RubricError naming the criterion
    with database.atomic():
        won = (DrillReply.update(rubric_version=version, levels=json.dumps(levels), score=result.score,
                                 raw_score=result.raw_score, comment=(comment or "").strip()[:2000],
                                 graded_by=grader, graded_at=clock.utcnow())
               .where((DrillReply.id == reply.id) & DrillReply.graded_at.is_null()).execute())
        if not won:
            raise DrillError(N_("this reply was already graded"))
        for criterion in rubrics.criteria_of(version):
            fraction = result.per_criterion.get(criterion["id"])
            if fraction is not None:
                Evidence.create(user=reply.user, skill=criterion["skill"], score=fraction,
                                source=f"rubric:{reply.drill.slug}/{criterion['id']}")
        notify_many("graded", N_("Your reply was graded"),
                    [(reply.user_id, f"graded:drill:{reply.id}", reply.drill.title, f"/drills/{reply.drill.slug}")],
                    settings=settings, email=True)
        if result.score >= PASS_SCORE:
            for activity in Activity.select().where((Activity.kind == "drill") & (Activity.ref == reply.drill.slug)):
                (Completion.insert(user=reply.user, activity=activity, score=result.score, passed=True)
                 .on_conflict_ignore().execute())
    return DrillReply.get_by_id(reply.id)
