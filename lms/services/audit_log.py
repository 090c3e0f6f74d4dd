"""Reading the audit log: filters, pages and a CSV. Entries are only ever added (see
accounts.audit); the database refuses to change or delete them."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import peewee as pw

from ..models import AuditLog, User
from . import clock

PAGE_SIZE = 50
CSV_LIMIT = 100_000


@dataclass
class Filters:
    action: str = ""  # exact action, or a prefix ending in "." (e.g. "account.")
    actor: str = ""  # employee no. or name (part of it)
    target: str = ""  # the person's employee no. or name (part of it), or part of the target text
    start: dt.date | None = None  # local dates, inclusive
    end: dt.date | None = None


def _utc_midnight(day: dt.date) -> dt.datetime:
    """The centre's local midnight of `day`, as the naive UTC the table stores."""
    zone = clock.local(clock.utcnow()).tzinfo
    return dt.datetime.combine(day, dt.time(), zone).astimezone(dt.timezone.utc).replace(tzinfo=None)


def _people(text: str):
    like = f"%{text}%"
    return User.select(User.id).where((User.employee_no ** like) | (User.name ** like))


def query(filters: Filters) -> pw.ModelSelect:
    Actor, Subject = User.alias("actor"), User.alias("subject")
    rows = (AuditLog.select(AuditLog, Actor, Subject)
            .join_from(AuditLog, Actor, pw.JOIN.LEFT_OUTER, on=(AuditLog.actor == Actor.id), attr="actor_row")
            .join_from(AuditLog, Subject, pw.JOIN.LEFT_OUTER, on=(AuditLog.subject == Subject.id), attr="subject_row"))
    if filters.action:
        rows = rows.where(AuditLog.action.startswith(filters.action) if filters.action.endswith(".")
                          else AuditLog.action == filters.action)
    if filters.actor:
        rows = rows.where(AuditLog.actor.in_(_people(filters.actor)))
    if filters.target:
        rows = rows.where(AuditLog.subject.in_(_people(filters.target))
                          | (AuditLog.subject.is_null() & (AuditLog.target ** f"%{filters.target}%")))
    if filters.start:
        rows = rows.where(AuditLog.at >= _utc_midnight(filters.start))
    if filters.end:
        rows = rows.where(AuditLog.at < _utc_midnight(filters.end + dt.timedelta(days=1)))
    return rows.order_by(AuditLog.at.desc(), AuditLog.id.desc())


def page(filters: Filters, number: int) -> tuple[list[AuditLog], bool]:
    """One page of entries, newest first, and whether another page follows."""
    rows = list(query(filters).offset((number - 1) * PAGE_SIZE).limit(PAGE_SIZE + 1))
    return rows[:PAGE_SIZE], len(rows) > PAGE_SIZE


def actions() -> list[tuple[str, str]]:
    """The filter's choices: each family ("account." as account.*) followed by its actions."""
    names = [row.action for row in AuditLog.select(AuditLog.action).distinct().order_by(AuditLog.action)]
    choices = []
    for name in names:
        family = name.split(".")[0] + "."
        if "." in name and (family, f"{family[:-1]}.*") not in choices:
            choices.append((family, f"{family[:-1]}.*"))
        choices.append((name, name))
    return choices


def person(user: User | None) -> str:
    return f"{user.name} ({user.employee_no})" if user is not None and user.id is not None else ""


def target_text(entry: AuditLog) -> str:
    """Who or what an entry is about, as it reads now (an erased person: their pseudonym)."""
    subject = getattr(entry, "subject_row", None)
    return person(subject) if subject is not None and subject.id is not None else entry.target


def csv_rows(filters: Filters):
    for entry in query(filters).limit(CSV_LIMIT):
        yield [clock.local(entry.at).strftime("%Y-%m-%d %H:%M:%S"), person(getattr(entry, "actor_row", None)),
               entry.action, target_text(entry), entry.detail]
