"""Badges: modest, earned, and never ranked against colleagues.

Each badge is computed from records the product already keeps (nothing is awarded by hand and
nothing can be lost by a bad week): the tiers an agent reached, their longest micro-task streak,
a mentee going live under their coaching, and "script of the month" for the month's most
accepted contributions to the golden-script library. The page shows
what was earned and when, and the next streak step; there is no leaderboard.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ..models import GoldenScript, MentorPairing, MicroTask, ScriptProposal, TierChange, Track, User
from .messages import N_
from .microtasks import streak
from .progress import certified_on

STREAK_STEPS = (5, 20, 60)  # working days in a row: a week, a month, a quarter


@dataclass(frozen=True)
class Badge:
    key: str  # stable id, also the CSS hook
    title: str  # a catalog string (N_), translated on display
    detail: str  # a catalog string with %(n)s / %(name)s placeholders
    earned_on: dt.date | None
    values: tuple = ()  # (name, value) pairs for the detail's placeholders


def streak_history(user: User) -> tuple[int, dict[int, dt.date]]:
    """The longest run of micro-tasks done in a row (tasks exist on working days only) and the
    day each STREAK_STEPS length was first reached."""
    best, run, reached = 0, 0, {}
    for task in MicroTask.select(MicroTask.status, MicroTask.day).where(MicroTask.user == user).order_by(MicroTask.day):
        run = run + 1 if task.status == "done" else 0
        best = max(best, run)
        if run in STREAK_STEPS:
            reached.setdefault(run, task.day)
    return best, reached


def tier_badges(user: User) -> list[Badge]:
    found = []
    newcomer = Track.get_or_none(Track.tier == "newcomer")
    went_live = certified_on(user, newcomer) if newcomer is not None else None
    if went_live:
        found.append(Badge("went-live", N_("Went live"), N_("Passed the newcomer track."), went_live))
    for tier, title in (("advanced", N_("Advanced tier")), ("elite", N_("Elite mentor tier"))):
        change = (TierChange.select().where((TierChange.user == user) & (TierChange.tier == tier))
                  .order_by(TierChange.effective_on).first())
        if change is not None or user.tier == tier:
            found.append(Badge(f"tier-{tier}", title, N_("Reached this tier."),
                               change.effective_on if change else None))
    return found


def streak_badges(reached: dict[int, dt.date]) -> list[Badge]:
    return [Badge(f"streak-{step}", N_("Micro-task streak"), N_("%(n)s micro-tasks done in a row."), day,
                  (("n", step),)) for step, day in sorted(reached.items())]


def next_streak_step(best: int) -> int | None:
    return next((step for step in STREAK_STEPS if step > best), None)


def coaching_badges(user: User) -> list[Badge]:
    """A mentee passed the newcomer track while this mentor coached them."""
    newcomer = Track.get_or_none(Track.tier == "newcomer")
    if newcomer is None:
        return []
    for pairing in MentorPairing.select().where(MentorPairing.mentor == user).order_by(MentorPairing.started_on):
        day = certified_on(pairing.mentee, newcomer)
        if day and pairing.started_on <= day and (pairing.ended_on is None or day <= pairing.ended_on):
            return [Badge("mentee-live", N_("First mentee went live"),
                          N_("%(name)s passed the newcomer track with your coaching."), day,
                          (("name", pairing.mentee.name),))]
    return []


def script_badges(user: User) -> list[Badge]:
    """Script of the month: the month's most accepted contributions to the golden-script library
    (proposals and approved scripts; every author on a tie)."""
    from .script_library import script_of_the_month

    moments = [p.decided_at for p in ScriptProposal.select(ScriptProposal.decided_at).where(
        (ScriptProposal.proposer == user) & (ScriptProposal.status == "accepted"))]
    moments += [s.approved_at for s in GoldenScript.select(GoldenScript.approved_at).where(
        (GoldenScript.author == user) & (GoldenScript.status == "published") & GoldenScript.approved_at.is_null(False))]
    months = sorted({dt.date(m.year, m.month, 1) for m in moments if m is not None})
    return [Badge(f"script-{month:%Y-%m}", N_("Script of the month"), N_("Your golden-script contributions, %(month)s."),
                  month, (("month", f"{month:%Y-%m}"),))
            for month in months if any(c.user.id == user.id for c in script_of_the_month(month))]


def badges_of(user: User) -> tuple[list[Badge], int | None]:
    """The badges earned, and the next streak length to aim for (None: all reached)."""
    best, reached = streak_history(user)
    return (tier_badges(user) + streak_badges(reached) + coaching_badges(user) + script_badges(user),
            next_streak_step(best))


def profile_context(user: User) -> dict:
    """What the profile page shows of badges: earned ones, the current streak and the next step."""
    earned, next_step = badges_of(user)
    return {"badges": earned, "next_streak": next_step, "streak": streak(user) if user.has_role("agent") else None}
