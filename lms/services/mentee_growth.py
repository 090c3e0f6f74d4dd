"""How fast mentees grow, per mentor against the site average.

Two measures, each a mean over the agents who got there, with n (and how many have not yet):
- days to pass the newcomer track: from the hire date to the day of the last required
  completion (`impact.completion_dates`);
- weeks to the team median, for FCR and CSAT: from the hire week to the first week in which
  the agent's weekly ratio of sums is at least the median of their team's agents that week.
  Weeks with fewer contacts (responses) than the KPI's minimum do not count, for the agent or
  the median; a median needs MIN_PEERS agents; only the first MAX_WEEKS weeks are looked at.

A mentor's group is everyone they have ever coached (ended pairings included: growth is the
mentor's lasting result). The site average is every agent of the mentor's site hired in the last
HISTORY_DAYS, coached or not, so a mentor is compared with the newcomers around them.
"""
from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict
from dataclasses import dataclass

from ..models import KpiWeekly, Membership, MentorPairing, Team, Track, User, UserRole
from . import clock
from .impact import completion_dates, find_unit
from .kpi_report import min_denominator
from .kpi_rollup import monday

HISTORY_DAYS = 365
MAX_WEEKS = 26
MIN_PEERS = 3
KPIS = {"fcr": ("resolved_first_contact", "contacts"), "csat": ("csat_positive", "csat_responses")}


@dataclass(frozen=True)
class Measure:
    mean: float | None  # None: nobody got there yet
    n: int  # agents who got there (the mean is over them)
    pending: int  # agents measured who have not got there yet


@dataclass(frozen=True)
class Growth:
    agents: int
    days_to_pass: Measure
    weeks_fcr: Measure
    weeks_csat: Measure


@dataclass(frozen=True)
class MentorGrowth:
    mentor: User
    own: Growth
    site: Growth | None  # None: the mentor belongs to no team


def coached_ids(mentor: User) -> set[int]:
    return {p.mentee_id for p in MentorPairing.select(MentorPairing.mentee).where(MentorPairing.mentor == mentor)}


def site_agent_ids(site_id: int, today: dt.date) -> set[int]:
    teams = Team.select(Team.id).where(Team.site == site_id)
    members = Membership.select(Membership.user).where(Membership.team.in_(teams) & Membership.ended_on.is_null())
    agents = UserRole.select(UserRole.user).where(UserRole.role == "agent")
    return {u.id for u in User.select(User.id).where(
        User.id.in_(members) & User.id.in_(agents) & User.hire_date.between(today - dt.timedelta(days=HISTORY_DAYS),
                                                                           today))}


def mentor_site_id(mentor: User) -> int | None:
    membership = (Membership.select(Membership, Team).join(Team)
                  .where((Membership.user == mentor) & Membership.ended_on.is_null()).first())
    return membership.team.site_id if membership else None


def for_mentor(mentor: User, settings: dict, today: dt.date | None = None) -> MentorGrowth:
    return for_mentors([mentor], settings, today)[0]


def for_mentors(mentors: list[User], settings: dict, today: dt.date | None = None) -> list[MentorGrowth]:
    """Each mentor's figures beside their site's average (computed once per site)."""
    today = today or clock.today()
    sites: dict[int, Growth] = {}
    found = []
    for mentor in mentors:
        site_id = mentor_site_id(mentor)
        if site_id is not None and site_id not in sites:
            sites[site_id] = growth(site_agent_ids(site_id, today), settings, today)
        found.append(MentorGrowth(mentor, growth(coached_ids(mentor), settings, today), sites.get(site_id)))
    return found


def growth(agent_ids: set[int], settings: dict, today: dt.date) -> Growth:
    hired = {u.id: u.hire_date for u in User.select(User.id, User.hire_date)
             .where(User.id.in_(list(agent_ids) or [0]) & User.hire_date.is_null(False))}
    weeks = _weeks_to_median(hired, settings, today)
    return Growth(len(agent_ids), _days_to_pass(hired), weeks["fcr"], weeks["csat"])


def _measure(reached: list[float], measured: int) -> Measure:
    return Measure(round(statistics.fmean(reached), 1) if reached else None, len(reached), measured - len(reached))


def _days_to_pass(hired: dict[int, dt.date]) -> Measure:
    track = Track.get_or_none(Track.tier == "newcomer")
    if track is None or not hired:
        return _measure([], len(hired))
    passed = completion_dates(find_unit(track.slug), User.select(User.id).where(User.id.in_(list(hired))))
    return _measure([(day - hired[u]).days for u, day in passed.items() if day >= hired[u]], len(hired))


def _weeks_to_median(hired: dict[int, dt.date], settings: dict, today: dt.date) -> dict[str, Measure]:
    if not hired:
        return {kpi: _measure([], 0) for kpi in KPIS}
    team_of = {m.user_id: m.team_id for m in Membership.select(Membership.user, Membership.team)
               .where(Membership.user.in_(list(hired)) & Membership.ended_on.is_null())}
    first_week = monday(min(hired.values()))
    peers = Membership.select(Membership.user).where(Membership.team.in_(list(set(team_of.values())) or [0])
                                                     & Membership.ended_on.is_null())
    members = {m.user_id: m.team_id for m in Membership.select(Membership.user, Membership.team)
               .where(Membership.user.in_(peers) & Membership.ended_on.is_null())}
    values = {kpi: {} for kpi in KPIS}  # kpi -> (user, week) -> value
    for row in KpiWeekly.select().where(KpiWeekly.user.in_(peers) & (KpiWeekly.week >= first_week)):
        for kpi, (num, den) in KPIS.items():
            if getattr(row, den) >= max(1, min_denominator(settings, kpi)):
                values[kpi][(row.user_id, row.week)] = getattr(row, num) / getattr(row, den)
    result = {}
    for kpi, by_agent_week in values.items():
        pooled = defaultdict(list)  # (team, week) -> values
        for (user_id, week), value in by_agent_week.items():
            if user_id in members:
                pooled[(members[user_id], week)].append(value)
        medians = {key: statistics.median(v) for key, v in pooled.items() if len(v) >= MIN_PEERS}
        reached, measured = [], 0
        for user_id, hire_date in hired.items():
            start = monday(hire_date)
            if user_id not in team_of or start > today:
                continue
            measured += 1
            for offset in range(min(MAX_WEEKS, (today - start).days // 7 + 1)):
                week = start + dt.timedelta(weeks=offset)
                median = medians.get((team_of[user_id], week))
                mine = by_agent_week.get((user_id, week))
                if median is not None and mine is not None and mine >= median:
                    reached.append(offset)
                    break
        result[kpi] = _measure(reached, measured)
    return result
