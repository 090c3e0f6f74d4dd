"""Capability profile: a score per skill per agent from the append-only evidence rows.

Method. Every evidence row (a quiz answer, a rubric criterion, the script checker's score and
each of its findings, a micro-task answer, a trainer's manual rating) has a score from 0 to 1
and a moment. Its weight halves every `profile.half_life_days`:

    weight = 0.5 ** (age_days / half_life_days)

where age_days is the number of whole days (UTC dates) from the row's day to today, so today's
evidence weighs 1 and evidence one half-life old weighs 0.5. A skill's score is the weighted
mean, sum(weight * score) / sum(weight). With fewer than `profile.min_evidence` rows a skill
has no score ("not enough evidence"): a single lucky answer is not a capability.

The team median of a skill is the median of the scores of the team's current, active members
who have a score for it (the agent included). Rows are summed per user, skill and day in the
database, so a whole team costs one query however many members and rows it has.
"""
from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import dataclass, field

from peewee import fn

from ..models import Evidence, Membership, Skill, Team, User
from . import clock
from .accounts import current_team


@dataclass
class SkillScore:
    skill: str
    score: float | None  # None: not enough evidence
    count: int  # evidence rows
    weight: float  # sum of the rows' weights
    last_day: dt.date | None


@dataclass
class Profile:
    user: User
    team: Team | None
    skills: list[Skill]  # every skill of the framework, then any other slug with evidence
    scores: dict[str, SkillScore]
    median: dict[str, float | None]  # per skill; None: no team member has a score
    median_n: dict[str, int] = field(default_factory=dict)  # members the median is taken over


def weight(age_days: int, half_life_days: float) -> float:
    return 0.5 ** (max(age_days, 0) / half_life_days)


def utc_today() -> dt.date:
    return clock.utcnow().date()


def _as_date(value) -> dt.date:
    # SQLite's DATE() gives text, PostgreSQL's a date.
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def scores_for(users, settings: dict, today: dt.date | None = None) -> dict[int, dict[str, SkillScore]]:
    """{user id: {skill: SkillScore}} for a list of users or a query of user ids (one query)."""
    today = today or utc_today()
    half_life, minimum = settings["profile.half_life_days"], settings["profile.min_evidence"]
    day = fn.DATE(Evidence.at)
    ids = [u.id for u in users] if isinstance(users, (list, tuple)) else users
    rows = (Evidence.select(Evidence.user, Evidence.skill, day.alias("day"), fn.SUM(Evidence.score).alias("total"),
                            fn.COUNT(Evidence.id).alias("n"))
            .where(Evidence.user.in_(ids)).group_by(Evidence.user, Evidence.skill, day).tuples())
    sums: dict[tuple[int, str], list] = {}
    for user_id, skill, when, total, count in rows:
        when = _as_date(when)
        w = weight((today - when).days, half_life)
        acc = sums.setdefault((user_id, skill), [0.0, 0.0, 0, None])
        acc[0] += w * float(total)
        acc[1] += w * count
        acc[2] += count
        acc[3] = when if acc[3] is None else max(acc[3], when)
    found: dict[int, dict[str, SkillScore]] = {}
    for (user_id, skill), (weighted, weights, count, last_day) in sums.items():
        score = weighted / weights if count >= minimum and weights > 0 else None
        found.setdefault(user_id, {})[skill] = SkillScore(skill, score, count, weights, last_day)
    return found


def team_member_ids(team: Team):
    """The team's current, active members, as a subquery."""
    return (Membership.select(Membership.user).join(User)
            .where((Membership.team == team) & Membership.ended_on.is_null() & User.active))


def team_medians(team: Team, settings: dict, today: dt.date | None = None
                 ) -> tuple[dict[str, float | None], dict[str, int], dict[int, dict[str, SkillScore]]]:
    """Per skill the median over members with a score, and how many members that is (one query)."""
    everyone = scores_for(team_member_ids(team), settings, today)
    values: dict[str, list[float]] = {}
    for skills in everyone.values():
        for slug, found in skills.items():
            if found.score is not None:
                values.setdefault(slug, []).append(found.score)
    return ({slug: statistics.median(v) for slug, v in values.items()}, {slug: len(v) for slug, v in values.items()},
            everyone)


def profile(user: User, settings: dict, today: dt.date | None = None) -> Profile:
    """The agent's scores beside the team median of each skill."""
    team = current_team(user)
    if team is not None:
        median, median_n, everyone = team_medians(team, settings, today)
        mine = everyone.get(user.id, {})
        if not user.active:  # a deactivated agent is left out of the team: read their own rows
            mine = scores_for([user], settings, today).get(user.id, {})
    else:
        median, median_n, mine = {}, {}, scores_for([user], settings, today).get(user.id, {})
    skills = list(Skill.select().order_by(Skill.id))
    known = {s.slug for s in skills}
    skills += [Skill(slug=slug, name=slug) for slug in sorted(set(mine) - known)]
    return Profile(user, team, skills, mine, median, median_n)
