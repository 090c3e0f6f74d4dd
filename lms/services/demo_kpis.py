"""Demo KPI history: 180 plausible days for every demo agent, long enough for a training-impact report.

What shapes an agent-day (all deterministic for a seed; the same seed and date give the same rows):

* Rota: a contact centre is open seven days a week. Each agent works five days, resting on two
  consecutive days that move on by one weekday every ROTA_WEEKS weeks (a different pair per agent),
  and misses an occasional day (sick, personal) and, for some, a few days of annual leave.
* Weekday: Mondays bring the most contacts per agent, weekends the fewest; AHT a little longer on
  Mondays and a little shorter at weekends.
* Tier and person: PROFILE is the level an agent of that tier settles at (elite better than
  advanced better than newcomer), plus a skill offset of their own and a volume/pace of their own.
* Tenure: FCR and CSAT start lower and AHT higher, closing the gap exponentially over the first
  months (LEARNING); new starters also take fewer contacts in their first weeks (nesting).
* Calendar, shared by all agents: a mild upward trend over the window and the shopping festivals
  (6.18, 11.11) with more contacts, slower handling and a dip in FCR and CSAT. A naive before/after
  comparison of trained agents is therefore biased; a control group over the same days is needed.
* Training: completing EFFECT_MODULE (its required activities, per the Completion rows) lifts FCR by
  EFFECT["fcr"] and CSAT by EFFECT["csat"] from the day after, ramping in over EFFECT_RAMP_DAYS.
  Nothing else in the curriculum changes the KPIs.
* Noise: a day's rates wander a little; counts are drawn as binomials, so resolved <= contacts and
  positive <= responses; repeat contacts (7-day window, lower when FCR is higher; the last week's
  windows are still open, so partly counted), transfers and complaints come with every day.

Rows are inserted with ON CONFLICT IGNORE in one transaction and the weekly rollups rebuilt, so
running it again for the same day changes nothing.
"""
from __future__ import annotations

import datetime as dt
import math
import random

from ..db import database
from ..models import KpiDaily, User
from . import clock, impact, kpi_rollup
from .demo import EMAIL_DOMAIN
from .kpi_rollup import monday

HISTORY_DAYS = 180  # days of history, ending yesterday
CHUNK = 500  # rows per INSERT

# The training with a real effect: the advanced track's problem diagnosis and solution design module
# ("问题诊断与方案设计": hear what the customer did not say, find more options within policy).
EFFECT_MODULE = "advanced-diagnosis"
EFFECT = {"fcr": 0.06, "csat": 0.04}  # added to the rates once fully in
EFFECT_RAMP_DAYS = 7  # 1/7 of it the day after completion, all of it a week later

# tier: (first-contact resolution, handle seconds, share of positive CSAT) once settled in (full tenure),
# before any effect of EFFECT_MODULE (elite agents took it long ago, so theirs shows on top).
PROFILE = {"newcomer": (0.70, 470, 0.83), "advanced": (0.75, 430, 0.85), "elite": (0.82, 370, 0.90)}
# tenure learning curves: the gap at day 0 and the days it takes to shrink by a factor e
LEARNING = {"fcr": (0.14, 35), "csat": (0.10, 30), "aht": (0.45, 40), "volume": (0.5, 12)}
CONTACTS_PER_DAY = 42  # an average agent on an average Wednesday, fully ramped up
RESPONSE_RATE = 0.2  # share of contacts that answer the satisfaction survey
# Monday..Sunday
WEEKDAY_CONTACTS = (1.18, 1.06, 1.0, 0.98, 0.95, 0.78, 0.72)
WEEKDAY_AHT = (1.03, 1.01, 1.0, 1.0, 0.99, 0.97, 0.97)
ROTA_WEEKS = 4  # rest days stay put this many weeks, then move on by one weekday
ABSENCE = 0.03  # chance of missing a rota day
TREND_FCR, TREND_CSAT = 0.03, 0.02  # common drift over the whole window (centred on its middle)
FESTIVALS = ((6, 18, 7.0), (11, 11, 9.0))  # (month, day, width in days): shopping festivals
FESTIVAL = {"contacts": 0.30, "aht": 0.05, "fcr": -0.03, "csat": -0.025}  # at the peak


def _agents():
    return list(User.select().where(User.email.endswith(f"@{EMAIL_DOMAIN}") & User.tier.is_null(False))
                .order_by(User.employee_no))


def trained_on(agents: list[User]) -> dict[int, dt.date]:
    """user id -> the day they finished EFFECT_MODULE (nobody, when the curriculum is not loaded)."""
    try:
        unit = impact.find_unit(EFFECT_MODULE)
    except impact.UnknownUnit:
        return {}
    return impact.completion_dates(unit, User.select(User.id).where(User.id.in_([a.id for a in agents] or [0])))


def _binomial(rng: random.Random, n: int, p: float) -> int:
    """A Binomial(n, p) draw: exact inversion while n*p is small, else the normal approximation."""
    if n <= 0 or p <= 0:
        return 0
    if p >= 1:
        return n
    if p > 0.5:
        return n - _binomial(rng, n, 1 - p)
    if n * p >= 12:
        return min(max(round(rng.gauss(n * p, math.sqrt(n * p * (1 - p)))), 0), n)
    q = 1 - p
    s, r, u, x = p / q, q ** n, rng.random(), 0
    a = (n + 1) * s
    while u > r and x < n:
        u -= r
        x += 1
        r *= a / x - s
    return x


def _festival(day: dt.date) -> float:
    """0..1: how deep in a shopping festival the day is (1 on the day itself)."""
    peak = 0.0
    for month, mday, width in FESTIVALS:
        for year in (day.year - 1, day.year, day.year + 1):
            distance = (day - dt.date(year, month, mday)).days
            if abs(distance) < 4 * width:
                peak = max(peak, math.exp(-(distance / width) ** 2))
    return peak


def _calendar(day: dt.date, today: dt.date, days: int) -> dict:
    """The shocks every agent shares on a day."""
    drift = 0.5 - (today - day).days / days  # -0.5 at the start of the window, +0.5 yesterday
    fest = _festival(day)
    return {"contacts": 1 + FESTIVAL["contacts"] * fest, "aht": 1 + FESTIVAL["aht"] * fest,
            "fcr": TREND_FCR * drift + FESTIVAL["fcr"] * fest, "csat": TREND_CSAT * drift + FESTIVAL["csat"] * fest}


def _resting(day: dt.date, slot: int) -> bool:
    """Two consecutive rest days a week, starting on weekday `slot`, moving on every ROTA_WEEKS weeks."""
    start = (slot + (day.toordinal() - 1) // 7 // ROTA_WEEKS) % 7  # ordinal 1 was a Monday
    return (day.weekday() - start) % 7 < 2


def _agent_rows(agent: User, seed: int, start: dt.date, today: dt.date, days: int,
                trained_on: dt.date | None) -> list[dict]:
    rng = random.Random(f"{seed}:{agent.employee_no}")  # an agent's days do not depend on the others
    fcr0, aht0, csat0 = PROFILE[agent.tier]
    skill = max(min(rng.gauss(0, 0.025), 0.06), -0.06)  # some agents are simply better than others
    fcr0 += skill
    csat0 += 0.6 * skill + rng.gauss(0, 0.015)
    aht0 *= 1 - 1.5 * skill + rng.gauss(0, 0.05)
    volume = max(rng.gauss(1, 0.08), 0.75) * (0.85 if agent.tier == "elite" else 1)  # mentors also coach
    responses_rate = RESPONSE_RATE * rng.uniform(0.75, 1.25)
    slot = rng.randrange(7)
    leave = set()
    if rng.random() < 0.5:  # a few days of annual leave somewhere in the window
        first = start + dt.timedelta(days=rng.randrange(max((today - start).days - 5, 1)))
        leave = {first + dt.timedelta(days=i) for i in range(rng.randint(3, 5))}
    rows = []
    day = start
    while day < today:
        if _resting(day, slot) or day in leave or rng.random() < ABSENCE:
            day += dt.timedelta(days=1)
            continue
        tenure = (day - agent.hire_date).days
        cal = _calendar(day, today, days)

        def gap(kpi):
            size, scale = LEARNING[kpi]
            return size * math.exp(-tenure / scale)

        lift = 0.0
        if trained_on is not None and day > trained_on:
            lift = min((day - trained_on).days / EFFECT_RAMP_DAYS, 1.0)
        fcr = fcr0 - gap("fcr") + cal["fcr"] + EFFECT["fcr"] * lift + rng.gauss(0, 0.025)
        csat = csat0 - gap("csat") + cal["csat"] + EFFECT["csat"] * lift + rng.gauss(0, 0.03)
        fcr, csat = min(max(fcr, 0.3), 0.97), min(max(csat, 0.4), 0.99)
        expected = (CONTACTS_PER_DAY * volume * WEEKDAY_CONTACTS[day.weekday()] * cal["contacts"]
                    * (1 - gap("volume")))
        contacts = max(round(rng.gauss(expected, math.sqrt(expected) * 1.2)), 1)
        aht = (aht0 * (1 + gap("aht")) * WEEKDAY_AHT[day.weekday()] * cal["aht"] * math.exp(rng.gauss(0, 0.05))
               * (1 + rng.gauss(0, 0.5) / math.sqrt(contacts)))  # one long call weighs on a short day
        responses = _binomial(rng, contacts, responses_rate)
        repeats = _binomial(rng, contacts, 0.02 + 0.45 * (1 - fcr))
        window_seen = min((today - day).days - 1, 7) / 7  # yesterday's 7-day window has just opened
        rows.append({"user": agent.id, "day": day, "week": monday(day), "contacts": contacts,
                     "resolved_first_contact": _binomial(rng, contacts, fcr),
                     "handle_seconds": round(contacts * max(aht, 120)), "csat_responses": responses,
                     "csat_positive": _binomial(rng, responses, csat),
                     "repeat_contacts_7d": _binomial(rng, repeats, window_seen) if window_seen < 1 else repeats,
                     "transfers": _binomial(rng, contacts, 0.01 + 0.2 * (1 - fcr)),
                     "complaints": _binomial(rng, contacts, 0.001 + 0.02 * (1 - csat))})
        day += dt.timedelta(days=1)
    return rows


def record_demo_kpis(seed: int = 2026, days: int = HISTORY_DAYS, today: dt.date | None = None) -> int:
    """KPI rows for every demo agent from `days` days ago (or their hire date) to yesterday;
    returns how many rows were new."""
    today = today or clock.today()
    agents = _agents()
    trained = trained_on(agents)
    first = today - dt.timedelta(days=days)
    rows = []
    for agent in agents:
        rows += _agent_rows(agent, seed, max(first, agent.hire_date), today, days, trained.get(agent.id))
    added = 0
    with database.atomic():
        for start in range(0, len(rows), CHUNK):
            added += KpiDaily.insert_many(rows[start:start + CHUNK]).on_conflict_ignore().as_rowcount().execute()
        kpi_rollup.rebuild_users([agent.id for agent in agents])
    return added
