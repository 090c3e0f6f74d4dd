"""Per-agent rota import: which days an agent works or rests, overriding the centre calendar.

Columns `employee_no,date,shift` (or 工号,日期,班次); shift is on/off in any of the ways
rota exports write it: on, off, 1, 0, yes, no, 上班, 休息, 班, 休, 值班, 休假. Checked completely
first (row, column, value, reason); then upserted by (agent, day) in one transaction.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from ..db import database
from ..models import RotaDay, User
from .messages import N_
from .tabular import Problem, TabularError, parse_date, read_table

MAX_ROTA_ROWS = 500_000
HEADERS = {"employee_no": "employee_no", "工号": "employee_no", "date": "date", "日期": "date",
           "shift": "shift", "班次": "shift", "working": "shift", "上班": "shift"}
ON = {"on", "1", "yes", "y", "true", "上班", "班", "值班", "早班", "中班", "晚班", "白班", "夜班"}
OFF = {"off", "0", "no", "n", "false", "休息", "休", "休假", "轮休", "请假"}


@dataclass
class RotaResult:
    rows: list[dict] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    written: int = 0


def read_rota(data: bytes, filename: str, today: dt.date) -> RotaResult:
    result = RotaResult()
    try:
        table = read_table(data, filename, max_rows=MAX_ROTA_ROWS)
    except TabularError as exc:
        result.problems.append(exc.problem())
        return result
    index = {}
    for i, header in enumerate(table.headers):
        name = HEADERS.get(header.strip().lower())
        if name and name not in index:
            index[name] = i
    missing = [name for name in ("employee_no", "date", "shift") if name not in index]
    if missing:
        result.problems.append(Problem(table.header_row, None, None, N_(
            "missing column(s) %(columns)s (employee_no, date, shift or 工号, 日期, 班次); if the headers look "
            "garbled, check the file's encoding"), {"columns": ", ".join(missing)}))
        return result
    numbers = {row.values[index["employee_no"]] for row in table.rows}
    users = {u.employee_no: u.id for u in User.select(User.id, User.employee_no)
             .where(User.employee_no.in_(list(numbers) or [""]))}
    seen: dict[tuple, int] = {}
    for row in table.rows:
        number, day_text, shift = (row.values[index[n]] for n in ("employee_no", "date", "shift"))
        problems = []
        if number not in users:
            problems.append(Problem(row.number, table.headers[index["employee_no"]], number,
                                    N_("unknown employee no.")))
        day = parse_date(day_text)
        if day is None:
            problems.append(Problem(row.number, table.headers[index["date"]], day_text, N_("not a date (YYYY-MM-DD)")))
        elif day < today - dt.timedelta(days=400):
            problems.append(Problem(row.number, table.headers[index["date"]], day_text,
                                    N_("more than 400 days ago")))
        working = True if shift.lower() in ON else False if shift.lower() in OFF else None
        if working is None:
            problems.append(Problem(row.number, table.headers[index["shift"]], shift,
                                    N_("not a shift: write on or off (上班 or 休息)")))
        if not problems:
            first = seen.setdefault((users[number], day), row.number)
            if first != row.number:
                problems.append(Problem(row.number, table.headers[index["date"]], day_text,
                                        N_("a second row for this agent and day (first on row %(row)d)"),
                                        {"row": first}))
        if problems:
            result.problems.extend(problems)
        else:
            result.rows.append({"user": users[number], "day": day, "working": working})
    return result


def write_rota(result: RotaResult, chunk: int = 1000) -> int:
    """Upsert every row by (agent, day), all or nothing."""
    assert not result.problems, "write only a rota without problems"
    with database.atomic():
        for start in range(0, len(result.rows), chunk):
            (RotaDay.insert_many(result.rows[start:start + chunk])
             .on_conflict(conflict_target=[RotaDay.user, RotaDay.day], preserve=[RotaDay.working])
             .execute())
    result.written = len(result.rows)
    return result.written
