"""KPIs: ratios of sums (not means of daily ratios), value parsing, import checks, upsert, undo."""
import datetime as dt
import io
import json

import openpyxl
import pytest

from lms.commands import cli
from lms.models import KpiChange, KpiDaily, KpiImport, KpiWeekly
from lms.services import clock
from lms.services.kpi_import import UndoError, import_bytes, undo
from lms.services.kpi_summary import summary
from lms.services.kpi_values import ValueProblem, parse_count, parse_rate, parse_seconds

from ..factories import make_user

HEADER = "employee_no,date,contacts,resolved_first_contact,handle_seconds,csat_responses,csat_positive"
ZH_HEADER = "工号,日期,接待量,首次解决量,处理总时长(秒),满意度评价数,满意评价数"


@pytest.fixture(autouse=True)
def today(app):
    clock.freeze(dt.datetime(2026, 11, 24, 2))


@pytest.fixture
def agents(conn):
    return {"A1": make_user(employee_no="A1", hire_date=dt.date(2026, 1, 5)),
            "A2": make_user(employee_no="A2", hire_date=dt.date(2026, 1, 5))}


def _csv(*lines, header=HEADER, encoding="utf-8"):
    return ("\n".join([header, *lines]) + "\n").encode(encoding)


def _import(data, name="kpi.csv", **kwargs):
    return import_bytes(data, name, source="test", **kwargs)


def test_summary_is_a_ratio_of_sums_not_a_mean_of_daily_ratios(agents):
    # Day 1: 2 contacts, 2 resolved (100%), 2 responses, 2 positive; day 2: 98 contacts, 49 resolved (50%).
    _import(_csv("A1,2026-09-01,2,2,1200,2,2", "A1,2026-09-02,98,49,29400,98,49"))
    values = summary(agents["A1"], dt.date(2026, 9, 1), dt.date(2026, 9, 2))
    assert values["contacts"] == 100
    assert values["fcr"] == pytest.approx(51 / 100)  # a mean of daily ratios would say 0.75
    assert values["aht_seconds"] == pytest.approx(30600 / 100)  # a mean of daily AHTs would say 450
    assert values["csat"] == pytest.approx(51 / 100)
    empty = summary(agents["A1"], dt.date(2026, 10, 1), dt.date(2026, 10, 2))
    assert empty == {"contacts": 0, "fcr": None, "aht_seconds": None, "csat": None, "csat_responses": 0}


@pytest.mark.parametrize("text, expected", [("1,234", 1234), ("１２", 12), ("12.0", 12), (" 7 ", 7)])
def test_counts(text, expected):
    assert parse_count(text) == expected


@pytest.mark.parametrize("text", ["-1", "1.5", "abc", ""])
def test_bad_counts(text):
    with pytest.raises(ValueProblem):
        parse_count(text)


@pytest.mark.parametrize("text, expected", [("01:02:03", 3723), ("05:30", 330), ("330", 330), ("330.5", 330.5),
                                            ("１:００", 60)])
def test_durations(text, expected):
    assert parse_seconds(text) == expected


@pytest.mark.parametrize("text, expected", [("85%", .85), ("0.85", .85), ("85", .85), ("８５％", .85), ("0", 0.0)])
def test_rates(text, expected):
    assert parse_rate(text) == pytest.approx(expected)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_chinese_headers_in_each_encoding(agents, encoding):
    result = _import(_csv('A1,2026/9/1,"1,234",600,01:00:00,3,2', header=ZH_HEADER, encoding=encoding))
    assert result.ok, [p.as_dict() for p in result.problems]
    assert result.mapping == "zh" and result.added == 1
    row = KpiDaily.get()
    assert (row.contacts, row.resolved_first_contact, row.handle_seconds) == (1234, 600, 3600)


def test_rate_columns_become_counts(agents):
    data = _csv("A1,2026-09-01,40,85%,05:30,10,0.9",
                header="employee_no,date,contacts,fcr_rate,aht,csat_responses,csat_rate")
    result = _import(data)
    assert result.ok, [p.as_dict() for p in result.problems]
    row = KpiDaily.get()
    assert (row.resolved_first_contact, row.handle_seconds, row.csat_positive) == (34, 13200, 9)


def test_xlsx(agents):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(HEADER.split(","))
    sheet.append(["A1", dt.date(2026, 9, 1), 30, 19, 12060, 1, 0])
    buffer = io.BytesIO()
    book.save(buffer)
    result = _import(buffer.getvalue(), "kpi.xlsx")
    assert result.ok and result.added == 1 and KpiDaily.get().day == dt.date(2026, 9, 1)


@pytest.mark.parametrize("line, column, reason", [
    ("NOPE,2026-09-01,1,1,1,1,1", "employee_no", "unknown employee"),
    ("A1,2026-13-01,1,1,1,1,1", "date", "not a date"),
    ("A1,2026-12-01,1,1,1,1,1", "date", "future"),
    ("A1,2025-12-31,1,1,1,1,1", "date", "hire date"),
    ("A1,2026-09-01,-3,1,1,1,1", "contacts", "negative"),
    ("A1,2026-09-01,5,6,1,1,1", "resolved_first_contact", "more resolved"),
    ("A1,2026-09-01,5,1,1,2,3", "csat_positive", "more positive"),
    ("A1,2026-09-01,5,1,abc,2,1", "handle_seconds", "duration"),
])
def test_each_bad_row_is_reported_and_nothing_written(agents, line, column, reason):
    result = _import(_csv("A2,2026-09-01,1,1,1,1,1", line))
    assert not result.ok and result.status == "rejected" and result.rejected == 1
    problem = result.problems[0]
    assert (problem.row, problem.column) == (3, column) and reason in problem.reason, problem.as_dict()
    assert KpiDaily.select().count() == 0


def test_duplicate_agent_day_in_the_file(agents):
    result = _import(_csv("A1,2026-09-01,1,1,1,1,1", "A1,2026-09-01,2,1,1,1,1"))
    assert result.problems[0].row == 3 and "first on row 2" in result.problems[0].reason
    assert KpiDaily.select().count() == 0


def test_headers_that_do_not_match_hint_at_the_encoding(agents):
    # UTF-8 text that went through a Latin-1 round trip: the Chinese headers are mojibake.
    garbled = _csv("A1,2026-09-01,1,1,1,1,1", header=ZH_HEADER).decode("latin-1").encode("utf-8")
    result = _import(garbled)
    assert not result.ok and "encoding" in result.problems[0].reason


def test_skip_invalid_writes_the_good_rows_and_reports_the_rest(agents):
    result = _import(_csv("A1,2026-09-01,1,1,1,1,1", "NOPE,2026-09-01,1,1,1,1,1"), skip_invalid=True)
    assert result.added == 1 and result.rejected == 1 and KpiDaily.select().count() == 1


def test_reimport_changes_nothing_and_undo_restores_exactly(agents):
    first = _import(_csv("A1,2026-09-01,10,5,100,2,1"))
    again = _import(_csv("A1,2026-09-01,10,5,100,2,1"))
    assert again.unchanged == 1 and again.added == again.updated == 0
    changed = _import(_csv("A1,2026-09-01,12,6,120,2,2", "A1,2026-09-02,3,3,30,1,1"))
    assert changed.updated == 1 and changed.added == 1
    with pytest.raises(UndoError):
        undo(KpiImport.get_by_id(first.import_id))  # a later import changed its rows
    assert undo(KpiImport.get_by_id(changed.import_id)) == 2
    rows = list(KpiDaily.select())
    assert [(r.day.isoformat(), r.contacts, r.csat_positive) for r in rows] == [("2026-09-01", 10, 1)]
    with pytest.raises(UndoError):
        undo(KpiImport.get_by_id(changed.import_id))


def test_dry_run_writes_nothing(agents):
    result = _import(_csv("A1,2026-09-01,10,5,100,2,1"), dry_run=True)
    assert result.added == 1 and result.import_id is None
    assert KpiDaily.select().count() == 0 and KpiWeekly.select().count() == 0 and KpiChange.select().count() == 0
    assert KpiImport.get().status == "dry_run"  # the attempt is on record; the data is untouched


def test_cli(runner, agents, tmp_path):
    good = tmp_path / "kpi.csv"
    good.write_bytes(_csv("A1,2026-09-01,10,5,100,2,1"))
    result = runner.invoke(cli, ["kpi", "import", str(good), "--json"])
    out = json.loads(result.stdout)
    assert result.exit_code == 0 and out["added"] == 1
    bad = tmp_path / "bad.csv"
    bad.write_bytes(_csv("NOPE,2026-09-01,1,1,1,1,1"))
    rejected = runner.invoke(cli, ["kpi", "import", str(bad)])
    assert rejected.exit_code == 1 and f"{bad}:2:employee_no: value 'NOPE': unknown employee no." in rejected.output
    summary_out = json.loads(runner.invoke(cli, ["kpi", "summary", "--employee", "A1", "--from", "2026-09-01",
                                                 "--to", "2026-09-30", "--json"]).stdout)
    assert summary_out == {"employee_no": "A1", "from": "2026-09-01", "to": "2026-09-30", "contacts": 10,
                           "fcr": 0.5, "aht_seconds": 10.0, "csat": 0.5}
    assert runner.invoke(cli, ["kpi", "summary", "--employee", "A1", "--from", "x", "--to", "y"]).exit_code == 2
    assert runner.invoke(cli, ["kpi", "undo", str(out["import_id"])]).exit_code == 0
    assert KpiDaily.select().count() == 0
