"""What a KPI file's columns and rows mean: the components, the rate columns that stand in for
some of them, the column mappings (canonical, the Chinese preset, and config's), and the check
of one row — every problem with its row, column, value and reason."""
from __future__ import annotations

import datetime as dt

from ..models import User
from . import kpi_rollup
from .kpi_values import ValueProblem, parse_count, parse_rate, parse_seconds
from .messages import N_
from .tabular import Problem, Row, parse_date

REQUIRED = ("contacts", "resolved_first_contact", "handle_seconds", "csat_responses", "csat_positive")
OPTIONAL = ("repeat_contacts_7d", "transfers", "complaints")
COMPONENTS = REQUIRED + OPTIONAL
RATES = ("fcr_rate", "aht", "csat_rate")
FIELDS = ("employee_no", "date", *COMPONENTS, *RATES)  # what a mapping may map a header to
MAPPINGS = {
    "canonical": {name: name for name in FIELDS},
    "zh": {"工号": "employee_no", "日期": "date", "接待量": "contacts", "首次解决量": "resolved_first_contact",
           "处理总时长(秒)": "handle_seconds", "满意度评价数": "csat_responses", "满意评价数": "csat_positive",
           "7日重复来电数": "repeat_contacts_7d", "转接数": "transfers", "投诉数": "complaints",
           "首次解决率": "fcr_rate", "平均处理时长": "aht", "满意率": "csat_rate"},
}
# Each component can come as a count, or as a rate of another column.
NEEDED = {"resolved_first_contact": "fcr_rate", "handle_seconds": "aht", "csat_positive": "csat_rate"}


def header_key(text: str) -> str:
    return text.strip().lower().replace("（", "(").replace("）", ")").replace(" ", "")


def all_mappings(extra: dict | None = None) -> dict:
    return {**MAPPINGS, **(extra or {})}


def choose_mapping(headers: list[str], requested: str | None, extra: dict | None = None) -> tuple[str, dict]:
    mappings = all_mappings(extra)
    if requested is not None:
        return requested, mappings[requested]
    keys = {header_key(h) for h in headers}
    best = max(mappings, key=lambda name: len(keys & {header_key(k) for k in mappings[name]}))
    return best, mappings[best]


def column_index(headers: list[str], columns: dict) -> dict[str, int]:
    lookup = {header_key(k): v for k, v in columns.items()}
    index: dict[str, int] = {}
    for i, header in enumerate(headers):
        field_name = lookup.get(header_key(header))
        if field_name and field_name not in index:
            index[field_name] = i
    return index


def missing_columns(index: dict) -> list[str]:
    return ([f for f in ("employee_no", "date", "contacts", "csat_responses") if f not in index]
            + [f for f, rate in NEEDED.items() if f not in index and rate not in index])


class RowChecker:
    """Checks one row at a time; remembers the agents it has looked up (bounded by the roster)."""

    def __init__(self, index: dict, names: dict, today: dt.date):
        self.index, self.names, self.today = index, names, today
        self.users: dict[str, tuple[int, dt.date | None] | None] = {}

    def look_up(self, rows: list[Row]) -> None:
        position = self.index["employee_no"]
        wanted = {row.values[position] for row in rows if len(row.values) > position} - self.users.keys()
        if not wanted:
            return
        found = {u.employee_no: (u.id, u.hire_date) for u in
                 User.select(User.id, User.employee_no, User.hire_date).where(User.employee_no.in_(list(wanted)))}
        for number in wanted:
            self.users[number] = found.get(number)

    def check(self, row: Row) -> tuple[dict | None, list[Problem]]:
        index, names, problems = self.index, self.names, []

        def cell(name):
            return row.values[index[name]] if name in index and index[name] < len(row.values) else ""

        def bad(name, message, **args):
            problems.append(Problem(row.number, names.get(name, name), cell(name), message, args))

        user = self.users.get(cell("employee_no"))
        if user is None:
            bad("employee_no", N_("unknown employee no."))
        day = parse_date(cell("date"))
        if day is None:
            bad("date", N_("not a date (YYYY-MM-DD)"))
        elif day > self.today:
            bad("date", N_("a date in the future"))
        elif user is not None and user[1] and day < user[1]:
            bad("date", N_("before the agent's hire date %(hire)s"), hire=user[1].isoformat())
        values = {}
        for name in ("contacts", "csat_responses", *[f for f in NEEDED if f in index], *OPTIONAL):
            if name not in index or (name in OPTIONAL and cell(name) == ""):
                continue
            try:
                values[name] = round(parse_seconds(cell(name))) if name == "handle_seconds" else parse_count(cell(name))
            except ValueProblem as exc:
                bad(name, exc.message, **exc.values)
        for component, rate in NEEDED.items():
            if component in index or component in values:
                continue
            base = values.get("csat_responses" if component == "csat_positive" else "contacts")
            try:
                value = parse_seconds(cell(rate)) if rate == "aht" else parse_rate(cell(rate))
            except ValueProblem as exc:
                bad(rate, exc.message, **exc.values)
                continue
            if base is not None:
                values[component] = round(value * base)
        if not problems:
            if values["resolved_first_contact"] > values["contacts"]:
                bad("resolved_first_contact", N_("more resolved than contacts (%(contacts)d)"),
                    contacts=values["contacts"])
            if values["csat_positive"] > values["csat_responses"]:
                bad("csat_positive", N_("more positive than responses (%(responses)d)"),
                    responses=values["csat_responses"])
        if problems:
            return None, problems
        return {"row_no": row.number, "user_id": user[0], "day": day, "week": kpi_rollup.monday(day),
                **{c: values.get(c) for c in COMPONENTS}}, []
