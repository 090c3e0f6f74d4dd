"""Placement: which agents have earned the next tier, rule by rule, and applying the moves.

Rules (settings under [placement]):
- newcomer -> advanced: the newcomer track passed (the go-live certification, 上岗认证) and a
  tenure of at least `advanced_min_tenure_months` calendar months on the review date;
- advanced -> elite: the advanced track passed, the gate assessment (`elite_gate`, an activity)
  passed, and a place in the top `elite_top_percent` of agents by the composite KPI score over
  the last `elite_kpi_weeks` weeks.
A rule that cannot be judged (no KPI data, too few contacts, no gate assessment) is unmet and
says why: nothing is passed silently. The composite is described in lms/services/kpi_composite.py. Moving down is never proposed; a manager does it with a reason.
"""
from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from ..authz import tier_rank
from ..models import Activity, Completion, User, prime_roles
from . import accounts, clock
from .kpi_composite import composite_scores
from .messages import N_
from .progress_batch import agent_progress, outlines

NEXT_TIER = {"newcomer": "advanced", "advanced": "elite"}
# (agents, review date, weeks) -> {agent id: composite score 0-1, or None without data}
CompositeSource = Callable[[list[User], dt.date, int], dict[int, float | None]]


@dataclass(frozen=True)
class RuleCheck:
    rule: str  # a message template, e.g. "%(track)s passed"
    met: bool
    detail: str = ""  # a message template
    values: dict = field(default_factory=dict)


@dataclass
class Proposal:
    agent: User
    current: str
    proposed: str
    checks: list[RuleCheck]

    @property
    def ready(self) -> bool:
        return all(check.met for check in self.checks)

    def as_dict(self) -> dict:
        return {"employee_no": self.agent.employee_no, "name": self.agent.name, "current": self.current,
                "proposed": self.proposed, "ready": self.ready,
                "rules": [{"rule": c.rule % c.values, "met": c.met, "detail": (c.detail % c.values) if c.detail else ""}
                          for c in self.checks]}


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` calendar months later (the month's last day if it is shorter)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def top_percent_check(scores: dict[int, float | None], agent_id: int, percent: int) -> RuleCheck:
    """In the top `percent` when fewer than `percent`% of the agents with data score higher.

    Ties share a place, so everyone tied at the boundary is in; an agent without data is not.
    """
    rule = N_("top %(percent)d%% by composite KPI")
    values = {"percent": percent}
    own = scores.get(agent_id)
    ranked = [s for s in scores.values() if s is not None]
    if own is None:
        return RuleCheck(rule, False, N_("no KPI data"), values)
    higher = sum(1 for s in ranked if s > own)
    met = higher * 100 < percent * len(ranked)
    return RuleCheck(rule, met, N_("%(higher)d of %(n)d agents score higher"),
                     {**values, "higher": higher, "n": len(ranked)})


def kpi_source(settings: dict) -> CompositeSource:
    """The composite from the imported KPIs, weighted as configured."""
    weights = {k: settings[f"placement.composite.{k}"] for k in ("fcr", "csat", "aht")}

    def source(agents, day, weeks):
        return composite_scores(agents, day, weeks, weights, settings["placement.elite_min_contacts"])
    return source


class Reviewer:
    def __init__(self, settings: dict, composite: CompositeSource | None = None, today: dt.date | None = None):
        self.settings, self.composite = settings, composite or kpi_source(settings)
        self.today = today or clock.today()
        self.outlines = outlines()

    def review(self, agents: list[User]) -> list[Proposal]:
        prime_roles(agents)
        candidates = [a for a in agents if a.active and a.tier in NEXT_TIER and a.has_role("agent")]
        elite_candidates = [a for a in candidates if a.tier == "advanced"]
        scores = {}
        if elite_candidates:
            pool = [a for a in agents if a.active and a.tier in ("advanced", "elite") and a.has_role("agent")]
            scores = self.composite(pool, self.today, self.settings["placement.elite_kpi_weeks"])
        # Each candidate's own track, and the gate, for all of them at once.
        self.progress = agent_progress([a.id for a in candidates], self.outlines, {a.id: a.tier for a in candidates})
        self.gate = Activity.get_or_none(Activity.slug == self.settings["placement.elite_gate"])
        self.gate_passed = set() if self.gate is None else {
            user_id for (user_id,) in Completion.select(Completion.user).where(
                (Completion.activity == self.gate) & Completion.passed
                & Completion.user.in_([a.id for a in elite_candidates] or [0])).tuples()}
        proposals = []
        for agent in candidates:
            checks = self._newcomer_checks(agent) if agent.tier == "newcomer" else self._elite_checks(agent, scores)
            proposals.append(Proposal(agent, agent.tier, NEXT_TIER[agent.tier], checks))
        return proposals

    def _track_check(self, agent: User, tier: str) -> RuleCheck:
        outline = self.outlines.get(tier)
        rule = N_("%(track)s passed")
        if outline is None:
            return RuleCheck(rule, False, N_("the track is not loaded"), {"track": tier})
        return RuleCheck(rule, self.progress[agent.id].passed if agent.id in self.progress else False, "",
                         {"track": outline.track.title})

    def _newcomer_checks(self, agent: User) -> list[RuleCheck]:
        months = self.settings["placement.advanced_min_tenure_months"]
        rule = N_("tenure of %(months)d months")
        if agent.hire_date is None:
            tenure = RuleCheck(rule, False, N_("no hire date"), {"months": months})
        else:
            due = add_months(agent.hire_date, months)
            tenure = RuleCheck(rule, self.today >= due, N_("reached on %(date)s"),
                               {"months": months, "date": due.isoformat()})
        return [self._track_check(agent, "newcomer"), tenure]

    def _elite_checks(self, agent: User, scores: dict) -> list[RuleCheck]:
        gate_slug = self.settings["placement.elite_gate"]
        rule = N_("gate assessment passed")
        if self.gate is None:
            gate_check = RuleCheck(rule, False, N_("no gate assessment %(slug)s exists yet"), {"slug": gate_slug})
        else:
            gate_check = RuleCheck(rule, agent.id in self.gate_passed, "", {"slug": gate_slug})
        return [self._track_check(agent, "advanced"), gate_check,
                top_percent_check(scores, agent.id, self.settings["placement.elite_top_percent"])]


def apply(proposal: Proposal, actor: User | None, note: str = "") -> bool:
    """Move a ready proposal's agent up, recording who, when and which rules were met."""
    if not proposal.ready:
        raise accounts.AccountError("not every rule is met")
    met = "; ".join(c.rule % c.values for c in proposal.checks)
    reason = f"promotion: {met}" + (f" — {note}" if note else "")
    return accounts.set_tier(proposal.agent, proposal.proposed, reason=reason[:255], actor=actor)


def move_down(agent: User, tier: str, actor: User, reason: str) -> bool:
    """A manager's decision to move an agent to a lower tier; never without a reason."""
    if tier_rank(tier) < 0 or tier_rank(tier) >= tier_rank(agent.tier):
        raise accounts.AccountError("choose a tier below the agent's current one")
    if not reason.strip():
        raise accounts.AccountError("a reason is required to move an agent down")
    return accounts.set_tier(agent, tier, reason=f"moved down: {reason.strip()}"[:255], actor=actor)
