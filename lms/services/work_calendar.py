"""Who works on a day: the centre's calendar (workdays, public holidays, make-up workdays 调休,
from config) unless the agent's own rota (imported) says otherwise for that day."""
from __future__ import annotations

import datetime as dt

import peewee as pw

from ..models import RotaDay, User, UserRole


def centre_works(settings: dict, day: dt.date) -> bool:
    """A make-up workday works even at a weekend; a holiday rests even on a weekday."""
    if day in settings["calendar.makeup_workdays"]:
        return True
    if day in settings["calendar.holidays"]:
        return False
    return day.isoweekday() in settings["calendar.workdays"]


def active_agents_on(day: dt.date) -> pw.ModelSelect:
    """Agents employed that day: hired on or before it, not deactivated before it ended."""
    day_end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time())  # naive UTC, as stored
    return (User.select()
            .where(User.id.in_(UserRole.select(UserRole.user).where(UserRole.role == "agent"))
                   & (User.hire_date.is_null() | (User.hire_date <= day))
                   & (User.active | (User.deactivated_at.is_null(False) & (User.deactivated_at >= day_end)))))


def working_agents(settings: dict, day: dt.date) -> pw.ModelSelect:
    """The agents working that day, as one query."""
    rota = RotaDay.select(RotaDay.user).where(RotaDay.day == day)
    on_rota = rota.where(RotaDay.working)
    agents = active_agents_on(day)
    if centre_works(settings, day):
        return agents.where(User.id.not_in(rota.where(~RotaDay.working)))
    return agents.where(User.id.in_(on_rota))
