"""KPI rules (config `microtasks.kpi_rules`): an agent whose KPI was off target on the last
`days` working days (their days with at least `min_contacts`) gets the rule's lesson, quiz or
drill, due in `due_days`, and not again for `cooldown_days` — no flood of duplicates: the
(agent, rule, day) key is unique and the cooldown is checked against earlier assignments.
"""
from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict

from peewee import fn

from ..authz import tier_rank
from ..db import database
from ..models import Activity, Completion, KpiDaily, Module, Track, TriggeredAssignment, User
from .kpi_report import REGISTRY
from .kpi_summary import rates
from .messages import N_
from .notify import notify_many
from .work_calendar import active_agents_on

LOOK_BACK_FACTOR = 3  # calendar days searched per working day wanted (rest days, leave)


def off_target(kpi: str, value: float, threshold: float) -> bool:
    return value < threshold if REGISTRY[kpi].higher_is_better else value > threshold


def _recent_days(day: dt.date, rule: dict) -> dict[int, list[float]]:
    """Per agent: the KPI on their last `days` days with enough contacts, newest first."""
    since = day - dt.timedelta(days=rule["days"] * LOOK_BACK_FACTOR + 7)
    per_agent = defaultdict(list)
    rows = (KpiDaily.select().where((KpiDaily.day > since) & (KpiDaily.day <= day)
                                    & KpiDaily.user.in_(active_agents_on(day).select(User.id)))
            .order_by(KpiDaily.user, KpiDaily.day.desc()))
    for row in rows:
        values = per_agent[row.user_id]
        if len(values) >= rule["days"] or row.contacts < rule["min_contacts"]:
            continue
        sums = {name: getattr(row, name) or 0 for name in ("contacts", "resolved_first_contact", "handle_seconds",
                                                            "csat_responses", "csat_positive")}
        sums["repeat_contacts_7d"], sums["repeat_base"] = row.repeat_contacts_7d, row.contacts
        value = rates(sums)[rule["kpi"]]
        if value is not None:
            values.append(value)
    return per_agent


def run_rules(settings: dict, day: dt.date) -> dict:
    """Assign what the rules call for on `day`, and note assignments since completed."""
    assigned, skipped = 0, []
    for rule in settings["microtasks.kpi_rules"]:
        activity = (Activity.select(Activity, Module, Track).join(Module).join(Track)
                    .where(Activity.slug == rule["activity"]).first())
        if activity is None:
            skipped.append(f"{rule['name']}: no activity {rule['activity']!r}")
            continue
        cooling = {user_id for (user_id,) in TriggeredAssignment.select(TriggeredAssignment.user).where(
            (TriggeredAssignment.rule == rule["name"])
            & (TriggeredAssignment.assigned_on > day - dt.timedelta(days=rule["cooldown_days"]))).tuples()}
        tiers = dict(User.select(User.id, User.tier).where(User.id.in_(active_agents_on(day).select(User.id))).tuples())
        rows = []
        for user_id, values in _recent_days(day, rule).items():
            if user_id in cooling or len(values) < rule["days"]:
                continue
            if tier_rank(activity.module.track.tier) > tier_rank(tiers.get(user_id)):
                continue  # content above the agent's tier is not theirs to open
            if all(off_target(rule["kpi"], value, rule["threshold"]) for value in values):
                rows.append({"user": user_id, "rule": rule["name"], "activity": activity.id, "assigned_on": day,
                             "due_on": day + dt.timedelta(days=rule["due_days"]),
                             "reason": json.dumps({"kpi": rule["kpi"], "threshold": rule["threshold"],
                                                   "values": [round(v, 4) for v in values]})})
        with database.atomic():
            for start in range(0, len(rows), 1000):
                assigned += (TriggeredAssignment.insert_many(rows[start:start + 1000]).on_conflict_ignore()
                             .as_rowcount().execute())
    return {"date": day.isoformat(), "assigned": assigned, "completed": mark_completed(day), "skipped": skipped}


def _passed():
    """The assignment's activity has been passed by its agent (a correlated subquery)."""
    return fn.EXISTS(Completion.select(Completion.id).where(
        (Completion.user == TriggeredAssignment.user) & (Completion.activity == TriggeredAssignment.activity)
        & Completion.passed))


def mark_completed(day: dt.date) -> int:
    """Open assignments whose activity the agent has since passed."""
    return (TriggeredAssignment.update(completed_on=day)
            .where(TriggeredAssignment.completed_on.is_null() & _passed()).execute())


def open_assignments(user: User) -> list[TriggeredAssignment]:
    """What the rules gave this agent and they have not done yet (done counts at once, before
    the nightly job records it)."""
    return list(TriggeredAssignment.select(TriggeredAssignment, Activity).join(Activity)
                .where((TriggeredAssignment.user == user) & TriggeredAssignment.completed_on.is_null() & ~_passed())
                .order_by(TriggeredAssignment.due_on))


def remind(day: dt.date, settings=None) -> dict:
    """Open assignments due tomorrow (due soon) or yesterday (overdue): one notification each."""
    sent = {}
    for kind, due, title in (("due_soon", day + dt.timedelta(days=1), N_("An assigned lesson is due tomorrow")),
                             ("overdue", day - dt.timedelta(days=1), N_("An assigned lesson is overdue"))):
        rows = [(a.user_id, f"{kind}:assignment:{a.id}", a.activity.title, f"/learn/activities/{a.activity.slug}")
                for a in TriggeredAssignment.select(TriggeredAssignment, Activity).join(Activity)
                .where((TriggeredAssignment.due_on == due) & TriggeredAssignment.completed_on.is_null() & ~_passed())]
        sent[kind] = notify_many(kind, title, rows, settings=settings, email=True)
    return sent
