"""KPI import: one row per agent per day, checked completely before anything is written, then
upserted by (agent, day) in one transaction; every import is recorded and can be undone.

Columns (design.md §4): canonical `employee_no,date,contacts,resolved_first_contact,
handle_seconds,csat_responses,csat_positive` (optional `repeat_contacts_7d,transfers,complaints`)
or the Chinese preset. Where a source has only rates, `fcr_rate` (with contacts), `aht` (with
contacts) and `csat_rate` (with csat_responses) are turned into counts, rounded to whole ones.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field

from ..db import database
from ..models import KpiChange, KpiDaily, KpiImport, User
from . import clock
from .kpi_values import ValueProblem, parse_count, parse_rate, parse_seconds
from .messages import N_
from .tabular import Problem, Row, TabularError, parse_date, read_table

MAX_KPI_ROWS = 2_000_000
COMPONENTS = ("contacts", "resolved_first_contact", "handle_seconds", "csat_responses", "csat_positive",
              "repeat_contacts_7d", "transfers", "complaints")
OPTIONAL = ("repeat_contacts_7d", "transfers", "complaints")
RATES = ("fcr_rate", "aht", "csat_rate")
MAPPINGS = {
    "canonical": {name: name for name in ("employee_no", "date", *COMPONENTS, *RATES)},
    "zh": {"工号": "employee_no", "日期": "date", "接待量": "contacts", "首次解决量": "resolved_first_contact",
           "处理总时长(秒)": "handle_seconds", "满意度评价数": "csat_responses", "满意评价数": "csat_positive",
           "7日重复来电数": "repeat_contacts_7d", "转接数": "transfers", "投诉数": "complaints",
           "首次解决率": "fcr_rate", "平均处理时长": "aht", "满意率": "csat_rate"},
}
# Each component can come as a count, or as a rate of another column.
NEEDED = {"resolved_first_contact": "fcr_rate", "handle_seconds": "aht", "csat_positive": "csat_rate"}


def _header_key(text: str) -> str:
    return text.strip().lower().replace("（", "(").replace("）", ")").replace(" ", "")


@dataclass
class KpiPlan:
    filename: str
    file_hash: str
    rows: list[dict] = field(default_factory=list)  # valid rows: user_id, day, components
    problems: list[Problem] = field(default_factory=list)
    mapping: str = ""

    @property
    def ok(self) -> bool:
        return not self.problems


def choose_mapping(headers: list[str], requested: str | None, extra: dict | None = None) -> tuple[str, dict]:
    mappings = {**MAPPINGS, **(extra or {})}
    if requested is not None:
        return requested, mappings[requested]
    keys = {_header_key(h) for h in headers}
    best = max(mappings, key=lambda name: len(keys & {_header_key(k) for k in mappings[name]}))
    return best, mappings[best]


def plan_import(data: bytes, filename: str, *, mapping: str | None = None, extra_mappings: dict | None = None,
                today: dt.date | None = None) -> KpiPlan:
    plan = KpiPlan(filename, hashlib.sha256(data).hexdigest())
    try:
        table = read_table(data, filename, max_rows=MAX_KPI_ROWS)
    except TabularError as exc:
        plan.problems.append(exc.problem())
        return plan
    return plan_table(plan, table.headers, table.rows, table.header_row, mapping, extra_mappings,
                      today or clock.today())


def plan_records(records: list[dict], source: str, today: dt.date | None = None) -> KpiPlan:
    """Rows pushed as JSON objects with the canonical keys, checked like a file's rows."""
    plan = KpiPlan(source, hashlib.sha256(json.dumps(records, sort_keys=True, default=str).encode()).hexdigest())
    headers = list(MAPPINGS["canonical"])
    rows = [Row(i, ["" if r.get(h) is None else str(r.get(h)) for h in headers])
            for i, r in enumerate(records, 1)]
    return plan_table(plan, headers, rows, 0, "canonical", None, today or clock.today())


def plan_table(plan: KpiPlan, headers, rows, header_row: int, mapping: str | None, extra_mappings,
               today: dt.date) -> KpiPlan:
    plan.mapping, columns = choose_mapping(headers, mapping, extra_mappings)
    lookup = {_header_key(k): v for k, v in columns.items()}
    index = {}
    for i, header in enumerate(headers):
        field_name = lookup.get(_header_key(header))
        if field_name and field_name not in index:
            index[field_name] = i
    missing = [f for f in ("employee_no", "date", "contacts", "csat_responses")
               if f not in index] + [f for f, rate in NEEDED.items() if f not in index and rate not in index]
    if missing:
        names = {v: k for k, v in columns.items()}
        plan.problems.append(Problem(header_row, None, None, N_(
            "missing column(s) %(columns)s for mapping %(mapping)s; if the headers look garbled, check the "
            "file's encoding (UTF-8, UTF-8 with BOM, GBK or GB18030)"),
            {"columns": ", ".join(names.get(m, m) for m in missing), "mapping": plan.mapping}))
        return plan
    names = {field_name: headers[i] for field_name, i in index.items()}
    _check_rows(plan, rows, index, names, today)
    return plan


def _check_rows(plan: KpiPlan, rows, index: dict, names: dict, today: dt.date) -> None:
    employee_nos = {row.values[index["employee_no"]] for row in rows if len(row.values) > index["employee_no"]}
    users = {u.employee_no: u for u in User.select(User.id, User.employee_no, User.hire_date)
             .where(User.employee_no.in_(list(employee_nos) or [""]))}
    seen: dict[tuple[int, dt.date], int] = {}
    for row in rows:
        problems = []

        def cell(name):
            return row.values[index[name]] if name in index and index[name] < len(row.values) else ""

        def bad(name, message, **args):
            problems.append(Problem(row.number, names.get(name, name), cell(name), message, args))

        user = users.get(cell("employee_no"))
        if user is None:
            bad("employee_no", N_("unknown employee no."))
        day = parse_date(cell("date"))
        if day is None:
            bad("date", N_("not a date (YYYY-MM-DD)"))
        elif day > today:
            bad("date", N_("a date in the future"))
        elif user is not None and user.hire_date and day < user.hire_date:
            bad("date", N_("before the agent's hire date %(hire)s"), hire=user.hire_date.isoformat())
        values = {}
        for name in ("contacts", "csat_responses", *[f for f in NEEDED if f in index], *OPTIONAL):
            if name not in index or (name in OPTIONAL and cell(name) == ""):
                continue
            try:
                values[name] = round(parse_seconds(cell(name))) if name == "handle_seconds" else parse_count(cell(name))
            except ValueProblem as exc:
                bad(name, str(exc))
        for component, rate in NEEDED.items():
            if component in index or component in values:
                continue
            base = values.get("csat_responses" if component == "csat_positive" else "contacts")
            try:
                value = parse_seconds(cell(rate)) if rate == "aht" else parse_rate(cell(rate))
            except ValueProblem as exc:
                bad(rate, str(exc))
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
        if user is not None and day is not None:
            earlier = seen.setdefault((user.id, day), row.number)
            if earlier != row.number:
                bad("date", N_("a second row for this agent and day (first on row %(row)d)"), row=earlier)
        if problems:
            plan.problems.extend(problems)
        else:
            plan.rows.append({"user_id": user.id, "day": day, **{c: values.get(c) for c in COMPONENTS}})


@dataclass
class KpiResult:
    import_id: int | None
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    dry_run: bool = False

    def as_dict(self) -> dict:
        return {"import_id": self.import_id, "added": self.added, "updated": self.updated,
                "unchanged": self.unchanged, "rejected": self.rejected, "dry_run": self.dry_run}


def apply_plan(plan: KpiPlan, *, source: str, actor: User | None = None, skip_invalid: bool = False,
               dry_run: bool = False, chunk: int = 1000) -> KpiResult:
    """Upsert the valid rows by (agent, day) in one transaction: all of them, or nothing."""
    if plan.problems and not skip_invalid:
        raise ValueError("the file has problems; nothing was written")
    rejected = len({p.row for p in plan.problems})
    with database.atomic() as transaction:
        record = KpiImport.create(actor=actor, source=source, filename=plan.filename[:255],
                                  file_hash=plan.file_hash, rejected=rejected)
        result = KpiResult(record.id, rejected=rejected, dry_run=dry_run)
        for start in range(0, len(plan.rows), chunk):
            _write_chunk(plan.rows[start:start + chunk], record, result)
        KpiImport.update(added=result.added, updated=result.updated, unchanged=result.unchanged).where(
            KpiImport.id == record.id).execute()
        if dry_run:
            transaction.rollback()
            result.import_id = None
    return result


def _write_chunk(rows: list[dict], record: KpiImport, result: KpiResult) -> None:
    existing = {(r.user_id, r.day): r for r in KpiDaily.select().where(
        KpiDaily.user.in_({r["user_id"] for r in rows}) & KpiDaily.day.in_({r["day"] for r in rows}))}
    new, changes = [], []
    for row in rows:
        old = existing.get((row["user_id"], row["day"]))
        components = {c: row[c] for c in COMPONENTS}
        if old is None:
            new.append({**row, "last_import": record.id})
            changes.append({"kpi_import": record.id, "user": row["user_id"], "day": row["day"], "previous": None})
            result.added += 1
            continue
        before = {c: getattr(old, c) for c in COMPONENTS}
        if before == components:
            result.unchanged += 1
            continue
        KpiDaily.update(**components, last_import=record.id).where(KpiDaily.id == old.id).execute()
        changes.append({"kpi_import": record.id, "user": row["user_id"], "day": row["day"],
                        "previous": json.dumps(before)})
        result.updated += 1
    if new:
        KpiDaily.insert_many(new).execute()
    if changes:
        KpiChange.insert_many(changes).execute()


class UndoError(ValueError):
    """The import cannot be undone; the message says why."""


def undo(record: KpiImport) -> int:
    """Put back exactly what the import replaced; refused once a later import touched the same rows."""
    with database.atomic():
        if record.undone_at is not None:
            raise UndoError("this import was already undone")
        changes = list(record.changes)
        later = (KpiDaily.select().where(KpiDaily.last_import.is_null(False) & (KpiDaily.last_import != record.id)
                                         & KpiDaily.user.in_({c.user_id for c in changes} or {0})
                                         & KpiDaily.day.in_({c.day for c in changes} or {dt.date.min})))
        touched = {(r.user_id, r.day) for r in later}
        if any((c.user_id, c.day) in touched for c in changes):
            raise UndoError("a later import changed some of the same agent-days; undo that one first")
        for change in changes:
            target = (KpiDaily.user == change.user_id) & (KpiDaily.day == change.day)
            if change.previous is None:
                KpiDaily.delete().where(target).execute()
            else:
                KpiDaily.update(**json.loads(change.previous), last_import=None).where(target).execute()
        KpiImport.update(undone_at=clock.utcnow()).where(KpiImport.id == record.id).execute()
    return len(changes)
