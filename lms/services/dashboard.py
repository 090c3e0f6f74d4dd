"""The manager dashboard's figures for the agents of a set of teams, in a fixed number of
set-based queries whatever the number of agents (KPIs from the weekly rollups).

Per agent: tier, track progress, the newcomer plan, KPIs of the last `dashboard.kpi_weeks`
weeks and of the weeks before, and the reasons the agent is at risk. Per site or team: agents
per tier, the spread of track progress, newcomers behind plan, KPIs as ratios of the group's
sums against the target bands, how many are at risk. Rules (settings under [dashboard]):
- falling KPI: FCR or CSAT down by at least `fcr_drop`/`csat_drop` (fractions), AHT up by at
  least `aht_rise` (a fraction of the earlier AHT), both periods with enough contacts;
- far below target: the recent value in the lowest band (with enough contacts);
- behind plan: a newcomer whose first unfinished module belongs to an earlier plan week;
- stalled: no activity completed for `stalled_days` days while the own track is not passed;
- missed micro-tasks: at least `missed_tasks` of the recent weeks' micro-tasks not done.
The micro-task completion rate is done / due over the recent weeks (today's open task is not due yet);
the case-review on-time rate is first submissions before the due day / reviews due in the recent weeks.
"""
from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from peewee import Case, fn

from ..models import (KpiWeekly, Membership, MicroTask, ReviewAssignment, ReviewSet, ReviewSubmission, Site, Team,
                      User, UserRole)
from . import clock
from .kpi_report import REGISTRY, band, min_denominator
from .kpi_rollup import monday
from .kpi_summary import rates
from .messages import N_
from .progress_batch import AgentProgress, expected_week, agent_progress, outlines

PROGRESS_BUCKETS = ((0, 24), (25, 49), (50, 74), (75, 99), (100, 100))
KPI_SUMS = ("contacts", "resolved_first_contact", "handle_seconds", "csat_responses", "csat_positive",
            "repeat_contacts_7d", "repeat_base")


@dataclass
class Risk:
    message: str  # a catalog template
    args: dict = field(default_factory=dict)


@dataclass
class AgentRow:
    id: int
    employee_no: str
    name: str
    team_id: int
    team: str
    site_id: int
    site: str
    tier: str | None
    hire_date: dt.date | None
    progress: AgentProgress | None = None
    expected_week: int | None = None
    recent: dict = field(default_factory=dict)  # KPI sums of the recent weeks
    before: dict = field(default_factory=dict)  # of the weeks before
    risks: list[Risk] = field(default_factory=list)
    tasks_due: int = 0  # micro-tasks of the recent weeks, today's still-open one left out
    tasks_done: int = 0
    reviews_due: int = 0  # case reviews due in the recent weeks (or already submitted)
    reviews_on_time: int = 0

    @property
    def behind(self) -> bool:
        return (self.tier == "newcomer" and self.expected_week is not None and self.progress is not None
                and self.progress.current_week is not None and self.progress.current_week < self.expected_week)


@dataclass
class GroupRow:
    kind: str  # site | team
    id: int
    name: str
    agents: int = 0
    tiers: Counter = field(default_factory=Counter)
    progress: list[int] = field(default_factory=lambda: [0] * len(PROGRESS_BUCKETS))
    newcomers: int = 0
    behind: int = 0
    at_risk: int = 0
    tasks_due: int = 0
    tasks_done: int = 0
    reviews_due: int = 0
    reviews_on_time: int = 0
    sums: dict = field(default_factory=lambda: dict.fromkeys(KPI_SUMS, 0))
    kpis: dict = field(default_factory=dict)  # key -> (value, band, too few)


def _sums(row) -> dict:
    sums = {name: int(row.get(name) or 0) for name in KPI_SUMS}
    if row.get("repeat_contacts_7d") is None:
        sums["repeat_contacts_7d"] = None
    return sums


class Dashboard:
    """Figures for the current agents of `team_ids` (None: every team)."""

    def __init__(self, settings: dict, team_ids: set[int] | None, today: dt.date | None = None):
        self.settings, self.today = settings, today or clock.today()
        self.team_ids = team_ids
        weeks = settings["dashboard.kpi_weeks"]
        self.recent_from = monday(self.today) - dt.timedelta(weeks=weeks - 1)
        self.before_from = self.recent_from - dt.timedelta(weeks=weeks)
        self.agents = self._agents()
        self._add_progress()
        self._add_kpis()
        self._add_tasks()
        self._add_reviews()
        for agent in self.agents:
            agent.risks = self._risks(agent)

    def _members(self):
        query = Membership.select(Membership.user).where(Membership.ended_on.is_null())
        return query if self.team_ids is None else query.where(Membership.team.in_(list(self.team_ids) or [0]))

    def _agents(self) -> list[AgentRow]:
        agent_ids = UserRole.select(UserRole.user).where(UserRole.role == "agent")
        query = (User.select(User.id, User.employee_no, User.name, Team.id, Team.name, Site.id, Site.name, User.tier,
                             User.hire_date)  # in AgentRow's order
                 .join(Membership, on=(Membership.user == User.id) & Membership.ended_on.is_null())
                 .join(Team).join(Site)
                 .where(User.active & User.id.in_(agent_ids)))
        if self.team_ids is not None:
            query = query.where(Team.id.in_(list(self.team_ids) or [0]))
        # Sorted here, not in SQL: the databases' collations order Chinese names differently.
        return sorted((AgentRow(*row) for row in query.tuples()), key=lambda a: (a.site, a.team, a.employee_no))

    def _add_progress(self) -> None:
        tracks = outlines()
        tier_of = {a.id: a.tier for a in self.agents}
        progress = agent_progress(self._members(), tracks, tier_of) if self.agents else {}
        newcomer_weeks = tracks["newcomer"].track.weeks if "newcomer" in tracks else None
        for agent in self.agents:
            agent.progress = progress.get(agent.id)
            if agent.tier == "newcomer":
                agent.expected_week = expected_week(agent.hire_date, newcomer_weeks, self.today)

    def _add_kpis(self) -> None:
        recent = KpiWeekly.week >= self.recent_from
        period = Case(None, [(recent, "recent")], "before").alias("period")
        columns = [fn.SUM(getattr(KpiWeekly, name)).alias(name) for name in KPI_SUMS]
        rows = (KpiWeekly.select(KpiWeekly.user, period, *columns)
                .where(KpiWeekly.user.in_(self._members()) & (KpiWeekly.week >= self.before_from)
                       & (KpiWeekly.week <= self.today))
                .group_by(KpiWeekly.user, Case(None, [(recent, "recent")], "before")).dicts())
        by_agent = {a.id: a for a in self.agents}
        for row in rows:
            agent = by_agent.get(row["user"])
            if agent is not None:
                setattr(agent, row["period"], _sums(row))

    def _add_tasks(self) -> None:
        """Micro-tasks issued since the recent weeks began: how many were due and done."""
        due = (MicroTask.day < self.today) | (MicroTask.status == "done")
        rows = (MicroTask.select(MicroTask.user, fn.SUM(Case(None, [(due, 1)], 0)),
                                 fn.SUM(Case(None, [(MicroTask.status == "done", 1)], 0)))
                .where(MicroTask.user.in_(self._members()) & (MicroTask.day >= self.recent_from)
                       & (MicroTask.day <= self.today))
                .group_by(MicroTask.user).tuples())
        by_agent = {a.id: a for a in self.agents}
        for user_id, issued, done in rows:
            if user_id in by_agent:
                by_agent[user_id].tasks_due, by_agent[user_id].tasks_done = int(issued or 0), int(done or 0)

    def _add_reviews(self) -> None:
        """Case reviews due since the recent weeks began: how many, and how many were on time."""
        on_time = fn.EXISTS(ReviewSubmission.select(ReviewSubmission.id).where(
            (ReviewSubmission.assignment == ReviewAssignment.id) & (ReviewSubmission.version == 1)
            & ~ReviewSubmission.late))
        submitted = fn.EXISTS(ReviewSubmission.select(ReviewSubmission.id).where(
            ReviewSubmission.assignment == ReviewAssignment.id))
        rows = (ReviewAssignment.select(ReviewAssignment.user, fn.COUNT(ReviewAssignment.id),
                                        fn.SUM(Case(None, [(on_time, 1)], 0)))
                .join(ReviewSet)
                .where(ReviewAssignment.user.in_(self._members()) & (ReviewSet.due_on >= self.recent_from)
                       & ((ReviewSet.due_on < self.today) | submitted))
                .group_by(ReviewAssignment.user).tuples())
        by_agent = {a.id: a for a in self.agents}
        for user_id, due, in_time in rows:
            if user_id in by_agent:
                by_agent[user_id].reviews_due, by_agent[user_id].reviews_on_time = int(due), int(in_time or 0)

    def _enough(self, key: str, sums: dict) -> bool:
        return bool(sums) and (sums.get(REGISTRY[key].denominator) or 0) >= min_denominator(self.settings, key)

    def _risks(self, agent: AgentRow) -> list[Risk]:
        risks = []
        now, then = (rates(agent.recent) if agent.recent else {}), (rates(agent.before) if agent.before else {})
        for key, limit in (("fcr", "dashboard.fcr_drop"), ("csat", "dashboard.csat_drop")):
            if self._enough(key, agent.recent) and self._enough(key, agent.before) \
                    and now[key] <= then[key] - self.settings[limit]:
                risks.append(Risk(N_("%(kpi)s fell from %(before).0f%% to %(now).0f%%"),
                                  {"kpi": key.upper(), "before": then[key] * 100, "now": now[key] * 100}))
        if self._enough("aht", agent.recent) and self._enough("aht", agent.before) \
                and now["aht"] >= then["aht"] * (1 + self.settings["dashboard.aht_rise"]):
            risks.append(Risk(N_("AHT rose from %(before).0fs to %(now).0fs"),
                              {"before": then["aht"], "now": now["aht"]}))
        for key in ("fcr", "aht", "csat"):
            if self._enough(key, agent.recent) and band(self.settings, key, now[key]) == "far_below":
                risks.append(Risk(N_("%(kpi)s far below target"), {"kpi": key.upper()}))
        if agent.behind:
            risks.append(Risk(N_("behind plan: in week %(current)d, should be in week %(expected)d"),
                              {"current": agent.progress.current_week, "expected": agent.expected_week}))
        missed = agent.tasks_due - agent.tasks_done
        if missed >= self.settings["dashboard.missed_tasks"]:
            risks.append(Risk(N_("missed %(missed)d of %(due)d micro-tasks"), {"missed": missed, "due": agent.tasks_due}))
        progress = agent.progress
        stalled_since = self.today - dt.timedelta(days=self.settings["dashboard.stalled_days"])
        if progress is not None and not progress.passed and agent.tier is not None:
            last = progress.last_completion
            started = agent.hire_date or stalled_since
            if (last or started) < stalled_since:
                risks.append(Risk(N_("no learning progress since %(date)s"),
                                  {"date": (last or started).isoformat()}))
        return risks

    def groups(self, kind: str) -> list[GroupRow]:
        """One row per site or team (kind "all": one row of everyone), in name order."""
        rows: dict[int, GroupRow] = {}
        repeat_known: set[int] = set()  # groups with any repeat-contact counts
        for agent in self.agents:
            key, name = {"site": (agent.site_id, agent.site), "team": (agent.team_id, agent.team)}.get(kind, (0, ""))
            group = rows.setdefault(key, GroupRow(kind, key, name))
            group.agents += 1
            group.tiers[agent.tier] += 1
            if agent.progress is not None and agent.tier is not None:
                percent = agent.progress.percent
                group.progress[next(i for i, (low, high) in enumerate(PROGRESS_BUCKETS) if low <= percent <= high)] += 1
            if agent.tier == "newcomer":
                group.newcomers += 1
                group.behind += agent.behind
            group.at_risk += bool(agent.risks)
            group.tasks_due += agent.tasks_due
            group.tasks_done += agent.tasks_done
            group.reviews_due += agent.reviews_due
            group.reviews_on_time += agent.reviews_on_time
            for name_, value in agent.recent.items():
                if value is not None:
                    group.sums[name_] += value
                    if name_ == "repeat_contacts_7d":
                        repeat_known.add(key)
        for key, group in rows.items():
            values = rates({**group.sums, "repeat_contacts_7d": group.sums["repeat_contacts_7d"]
                            if key in repeat_known else None})
            group.kpis = {key: (values[key], band(self.settings, key, values[key]), not self._enough(key, group.sums))
                          for key in REGISTRY}
        return sorted(rows.values(), key=lambda g: g.name)

    def recent_values(self, agent: AgentRow) -> dict:
        """The agent's KPIs over the recent weeks (empty without data)."""
        return rates(agent.recent) if agent.recent else {}

    def at_risk(self) -> list[AgentRow]:
        return [a for a in self.agents if a.risks]

    def tiers(self) -> Counter:
        return Counter(a.tier for a in self.agents)

    def candidates(self, reviewer) -> list:
        """The agents whose every promotion rule holds (the placement review's ready proposals;
        the elite top-percent rule ranks among the agents of the same teams)."""
        if not self.agents:
            return []
        users = list(User.select().where(User.id.in_(self._members()) & User.active & User.tier.is_null(False)))
        return [p for p in reviewer.review(users) if p.ready]
