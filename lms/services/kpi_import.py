"""KPI import: one row per agent per day, streamed from the file, checked completely before
anything is written, then upserted by (agent, day) in one transaction; every import is
recorded (also when rejected) and a finished one can be undone exactly.

What the columns and a row mean (canonical, the Chinese preset, config mappings, rate columns)
is in lms/services/kpi_rows.py.

Memory stays flat in the file's size: rows are read one at a time and checked in batches;
the good ones go to a temporary staging table whose unique key finds duplicate agent-days,
and the write is a handful of set-based statements from that table. Only the first
MAX_REPORTED problems are kept in full; all of them are counted.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import time
from dataclasses import dataclass, field
from typing import BinaryIO, Callable, Iterable

import peewee as pw
from peewee import JOIN, fn

from ..db import database, is_postgres, scratch_transaction, write_transaction
from ..models import KpiChange, KpiDaily, KpiImport, User
from . import clock, failpoints, kpi_rollup
from .kpi_rows import COMPONENTS, MAPPINGS, OPTIONAL, RowChecker, choose_mapping, column_index, missing_columns
from .messages import N_
from .tabular import Problem, Row, TabularError, open_table

MAX_KPI_ROWS = 5_000_000
MAX_REPORTED = 1000
BATCH = 2000
HEARTBEAT_SECONDS = 1.0
STAGING_CACHE_KB = 16384  # SQLite temp page cache during an import: bounded, whatever the file size

Progress = Callable[[str, float], None]  # (status, fraction of the file read)


class _Staged(pw.Model):
    """A checked row waiting to be written: a temporary table, one per connection and import."""
    row_no = pw.IntegerField(primary_key=True)
    user_id = pw.IntegerField()
    day = pw.DateField()
    week = pw.DateField()
    contacts = pw.IntegerField()
    resolved_first_contact = pw.IntegerField()
    handle_seconds = pw.BigIntegerField()
    csat_responses = pw.IntegerField()
    csat_positive = pw.IntegerField()
    repeat_contacts_7d = pw.IntegerField(null=True)
    transfers = pw.IntegerField(null=True)
    complaints = pw.IntegerField(null=True)

    class Meta:
        database = database
        table_name = "lms_kpi_staging"
        indexes = ((("user_id", "day"), True),)


@dataclass
class KpiOutcome:
    """What an import did: its record, counts, and the problems found (the first MAX_REPORTED)."""
    record: KpiImport
    problems: list[Problem] = field(default_factory=list)
    problems_total: int = 0
    rejected: int = 0
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    mapping: str = ""

    @property
    def status(self) -> str:
        return self.record.status

    @property
    def ok(self) -> bool:
        return self.record.status in ("done", "dry_run")

    @property
    def dry_run(self) -> bool:
        return self.record.status == "dry_run"

    @property
    def import_id(self) -> int | None:
        return self.record.id if self.record.status == "done" else None

    def as_dict(self) -> dict:
        return {"import_id": self.import_id, "status": self.status, "added": self.added, "updated": self.updated,
                "unchanged": self.unchanged, "rejected": self.rejected, "dry_run": self.dry_run,
                "problems_total": self.problems_total}

    def add(self, problems: list[Problem]) -> None:
        """The problems of one row."""
        self.rejected += 1
        self.problems_total += len(problems)
        room = MAX_REPORTED - len(self.problems)
        self.problems.extend(problems[:max(room, 0)])


def start_record(source: str, filename: str, actor: User | None = None) -> KpiImport:
    """The import's record, committed at once so its progress can be followed from elsewhere."""
    return KpiImport.create(actor=actor, source=source, filename=filename[:255], status="checking",
                            heartbeat_at=clock.utcnow())


def import_file(stream: BinaryIO, filename: str, *, source: str, actor: User | None = None,
                mapping: str | None = None, extra_mappings: dict | None = None, skip_invalid: bool = False,
                dry_run: bool = False, today: dt.date | None = None, on_progress: Progress | None = None,
                record: KpiImport | None = None) -> KpiOutcome:
    """Import a CSV or XLSX file given as a seekable binary stream."""
    record = record or start_record(source, filename, actor)
    outcome = KpiOutcome(record)
    record.file_hash = _file_hash(stream)
    try:
        with open_table(stream, filename, max_rows=MAX_KPI_ROWS) as table:
            return _run(outcome, table.headers, table.rows, table.header_row, mapping, extra_mappings,
                        skip_invalid, dry_run, today or clock.today(), table.progress, on_progress)
    except TabularError as exc:
        outcome.add([exc.problem()])
        return _finish(outcome, "rejected")


def import_records(records: list[dict], *, source: str, name: str, actor: User | None = None,
                   skip_invalid: bool = False, dry_run: bool = False, today: dt.date | None = None) -> KpiOutcome:
    """Rows pushed as JSON objects with the canonical keys, checked like a file's rows."""
    record = start_record(source, name, actor)
    record.file_hash = hashlib.sha256(json.dumps(records, sort_keys=True, default=str).encode()).hexdigest()
    headers = list(MAPPINGS["canonical"])
    rows = (Row(i, ["" if r.get(h) is None else str(r.get(h)) for h in headers]) for i, r in enumerate(records, 1))
    return _run(KpiOutcome(record), headers, rows, 0, "canonical", None, skip_invalid, dry_run,
                today or clock.today(), lambda: 1.0, None)


def _file_hash(stream: BinaryIO) -> str:
    digest, start = hashlib.sha256(), stream.tell()
    while chunk := stream.read(1 << 20):
        digest.update(chunk)
    stream.seek(start)
    return digest.hexdigest()


def _run(outcome: KpiOutcome, headers, rows: Iterable[Row], header_row: int, mapping, extra_mappings,
         skip_invalid: bool, dry_run: bool, today: dt.date, read_fraction, on_progress) -> KpiOutcome:
    record = outcome.record
    outcome.mapping, columns = choose_mapping(headers, mapping, extra_mappings)
    record.mapping = outcome.mapping
    index = column_index(headers, columns)
    missing = missing_columns(index)
    if missing:
        names = {v: k for k, v in columns.items()}
        outcome.add([Problem(header_row, None, None, N_(
            "missing column(s) %(columns)s for mapping %(mapping)s; if the headers look garbled, check the "
            "file's encoding (UTF-8, UTF-8 with BOM, GBK or GB18030)"),
            {"columns": ", ".join(names.get(m, m) for m in missing), "mapping": outcome.mapping})])
        return _finish(outcome, "rejected")
    names = {field_name: headers[i] for field_name, i in index.items()}
    _Staged.drop_table(safe=True)
    _Staged.create_table(temporary=True)
    if not is_postgres():
        # The staging table's unique index outgrows SQLite's default 2 MB cache at a million rows.
        database.execute_sql(f"PRAGMA temp.cache_size = -{STAGING_CACHE_KB}")
    try:
        checker = RowChecker(index, names, today)
        staged, beat = 0, time.monotonic()
        for batch in _batches(rows):
            staged += _stage(batch, checker, outcome)
            failpoints.reached("kpi-import:checking")
            if time.monotonic() - beat >= HEARTBEAT_SECONDS:
                beat = time.monotonic()
                _report_progress(record, "checking", read_fraction(), on_progress)
        if not staged and not outcome.rejected:  # a header alone: say so, not "0 problems"
            outcome.add([Problem(None, None, None, N_("the file has no data rows below the header"))])
        if (outcome.rejected and not skip_invalid) or not staged:
            return _finish(outcome, "rejected")
        _report_progress(record, "writing", 1.0, on_progress)
        try:
            _write(outcome, dry_run)
        except pw.DatabaseError as exc:
            outcome.add([Problem(None, None, None, N_(
                "the database refused the import (%(error)s); nothing was written: try again"),
                {"error": str(exc).splitlines()[0][:200]})])
            return _finish(outcome, "failed")
        if dry_run:
            return _finish(outcome, "dry_run")
        return outcome
    except TabularError as exc:  # the file turned out unreadable part-way through
        outcome.add([exc.problem()])
        return _finish(outcome, "rejected")
    finally:
        _Staged.drop_table(safe=True)


def _batches(rows: Iterable[Row]):
    batch = []
    for row in rows:
        batch.append(row)
        if len(batch) >= BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def _stage(batch: list[Row], checker: RowChecker, outcome: KpiOutcome) -> int:
    """Check a batch and stage its good rows; a second row for an agent-day is a problem that
    points at the first. Returns how many rows were staged."""
    checker.look_up(batch)
    good, numbers = [], {}
    for row in batch:
        staged, problems = checker.check(row)
        if problems:
            outcome.add(problems)
        else:
            good.append(staged)
            numbers[staged["row_no"]] = row
    if not good:
        return 0
    _insert_staged(good)
    kept = {r for (r,) in _Staged.select(_Staged.row_no).where(
        _Staged.row_no.between(good[0]["row_no"], good[-1]["row_no"])).tuples()}
    second = [s for s in good if s["row_no"] not in kept]
    if second:
        firsts = {(s.user_id, s.day): s.row_no for s in _Staged.select().where(
            _Staged.user_id.in_({s["user_id"] for s in second}) & _Staged.day.in_({s["day"] for s in second}))}
        for staged in second:
            row = numbers[staged["row_no"]]
            first = firsts[(staged["user_id"], staged["day"])]
            outcome.add([Problem(row.number, checker.names["date"], row.values[checker.index["date"]],
                                 N_("a second row for this agent and day (first on row %(row)d)"), {"row": first})])
    return len(good) - len(second)


STAGED_COLUMNS = ("row_no", "user_id", "day", "week", *COMPONENTS)


def _insert_staged(rows: list[dict]) -> None:
    """One prepared statement through the driver's executemany: building a multi-row INSERT
    in the ORM cost more than everything else in a big import (docs/benchmarks.md)."""
    into = f"INSERT INTO {_Staged._meta.table_name} ({', '.join(STAGED_COLUMNS)}) VALUES"
    ignore = "ON CONFLICT DO NOTHING"  # a second row for an agent-day stays out; _stage reports it
    values = [tuple(r[c].isoformat() if c in ("day", "week") else r[c] for c in STAGED_COLUMNS) for r in rows]
    with scratch_transaction():  # the staging table is TEMP: no need to hold up other writers
        cursor = database.cursor()
        if is_postgres():  # psycopg2's executemany is a round trip per row; execute_values is not
            from psycopg2.extras import execute_values

            execute_values(cursor, f"{into} %s {ignore}", values, page_size=len(values))
        else:
            cursor.executemany(f"{into} ({', '.join('?' * len(STAGED_COLUMNS))}) {ignore}", values)


def _report_progress(record: KpiImport, status: str, fraction: float, on_progress: Progress | None) -> None:
    KpiImport.update(status=status, progress=round(fraction, 3), heartbeat_at=clock.utcnow()).where(
        KpiImport.id == record.id).execute()
    record.status = status
    if on_progress:
        on_progress(status, fraction)


def _differs():
    """A staged row whose components differ from the stored day (NULL-safe, on both databases)."""
    condition = None
    for name in COMPONENTS:
        stored, staged = getattr(KpiDaily, name), getattr(_Staged, name)
        if name in OPTIONAL:
            stored, staged = fn.COALESCE(stored, -1), fn.COALESCE(staged, -1)
        condition = (stored != staged) if condition is None else (condition | (stored != staged))
    return condition


def _write(outcome: KpiOutcome, dry_run: bool) -> None:
    """All staged rows in one transaction: log what each replaces, update, insert, re-sum weeks."""
    record = outcome.record
    match = (KpiDaily.user == _Staged.user_id) & (KpiDaily.day == _Staged.day)
    with write_transaction() as transaction:
        changes = (_Staged.select(pw.Value(record.id), _Staged.user_id, _Staged.day, _Staged.week,
                                  KpiDaily.id.is_null(), *[getattr(KpiDaily, n) for n in COMPONENTS])
                   .join(KpiDaily, JOIN.LEFT_OUTER, on=match)
                   .where(KpiDaily.id.is_null() | _differs()))
        # as_rowcount(): no RETURNING of a million new ids to the client on PostgreSQL
        KpiChange.insert_from(changes, [KpiChange.kpi_import, KpiChange.user, KpiChange.day, KpiChange.week,
                                        KpiChange.was_new,
                                        *[getattr(KpiChange, f"prev_{n}") for n in COMPONENTS]]).as_rowcount().execute()
        counts = dict(KpiChange.select(KpiChange.was_new, fn.COUNT(KpiChange.id))
                      .where(KpiChange.kpi_import == record.id).group_by(KpiChange.was_new).tuples())
        outcome.added, outcome.updated = counts.get(True, 0), counts.get(False, 0)  # 1/0 on SQLite: same keys
        outcome.unchanged = _Staged.select().count() - outcome.added - outcome.updated
        (KpiDaily.update({**{getattr(KpiDaily, n): getattr(_Staged, n) for n in COMPONENTS},
                          KpiDaily.last_import: record.id})
         .from_(_Staged).where(match & _differs()).execute())
        failpoints.reached("kpi-import:mid-write")  # days updated, new ones not yet inserted
        new = (_Staged.select(_Staged.user_id, _Staged.day, _Staged.week,
                              *[getattr(_Staged, n) for n in COMPONENTS], pw.Value(record.id))
               .join(KpiDaily, JOIN.LEFT_OUTER, on=match).where(KpiDaily.id.is_null()))
        KpiDaily.insert_from(new, [KpiDaily.user, KpiDaily.day, KpiDaily.week,
                                   *[getattr(KpiDaily, n) for n in COMPONENTS], KpiDaily.last_import]
                             ).as_rowcount().execute()
        kpi_rollup.rebuild(_touched_weeks(record))
        _finish(outcome, "done")
        failpoints.reached("kpi-import:before-commit")
        if dry_run:
            transaction.rollback()


def _touched_weeks(record: KpiImport) -> pw.SelectQuery:
    return (KpiChange.select(KpiChange.user, KpiChange.week).where(KpiChange.kpi_import == record.id)
            .distinct())


def _finish(outcome: KpiOutcome, status: str) -> KpiOutcome:
    record = outcome.record
    record.status = status
    report = [{"row": p.row, "column": p.column, "value": p.value, "message": p.message, "args": p.args}
              for p in outcome.problems]
    KpiImport.update(status=status, mapping=record.mapping, file_hash=record.file_hash, added=outcome.added,
                     updated=outcome.updated, unchanged=outcome.unchanged, rejected=outcome.rejected,
                     problems_total=outcome.problems_total, report=json.dumps(report, ensure_ascii=False),
                     progress=1.0, heartbeat_at=clock.utcnow(), finished_at=clock.utcnow()).where(
        KpiImport.id == record.id).execute()
    return outcome


def mark_failed(record: KpiImport) -> None:
    """An import that stopped on an unexpected error (its transaction rolled back)."""
    KpiImport.update(status="failed", finished_at=clock.utcnow()).where(KpiImport.id == record.id).execute()


def reported_problems(record: KpiImport) -> list[Problem]:
    """The problems an import recorded, to show again later."""
    return [Problem(p["row"], p["column"], p["value"], p["message"], p["args"])
            for p in json.loads(record.report or "[]")]


class UndoError(ValueError):
    """The import cannot be undone; the message says why."""


def undo(record: KpiImport) -> int:
    """Put back exactly what the import replaced; refused once a later import touched the same rows."""
    with write_transaction():
        record = KpiImport.get_by_id(record.id)
        if record.status != "done":
            raise UndoError("only a finished import can be undone")
        if record.undone_at is not None:
            raise UndoError("this import was already undone")
        mine = KpiChange.select().where(KpiChange.kpi_import == record.id)
        match = (KpiDaily.user == KpiChange.user) & (KpiDaily.day == KpiChange.day)
        later = (KpiDaily.select().join(KpiChange, on=match)
                 .where((KpiChange.kpi_import == record.id) & KpiDaily.last_import.is_null(False)
                        & (KpiDaily.last_import != record.id)))
        if later.exists():
            raise UndoError("a later import changed some of the same agent-days; undo that one first")
        restored = mine.count()
        (KpiDaily.delete().where(pw.Tuple(KpiDaily.user, KpiDaily.day).in_(
            KpiChange.select(KpiChange.user, KpiChange.day).where((KpiChange.kpi_import == record.id)
                                                                 & KpiChange.was_new))).execute())
        (KpiDaily.update({**{getattr(KpiDaily, n): getattr(KpiChange, f"prev_{n}") for n in COMPONENTS},
                          KpiDaily.last_import: None})
         .from_(KpiChange).where(match & (KpiChange.kpi_import == record.id) & ~KpiChange.was_new).execute())
        kpi_rollup.rebuild(_touched_weeks(record))
        KpiImport.update(undone_at=clock.utcnow()).where(KpiImport.id == record.id).execute()
    return restored


def import_bytes(data: bytes, filename: str, **options) -> KpiOutcome:
    """import_file for a file already in memory (small uploads, tests)."""
    return import_file(io.BytesIO(data), filename, **options)
