"""The streaming importer: batches, duplicates across batches, weekly rollups kept by import and
undo, the problem cap, the repeat-contact rate and its provisional days, the CLI progress bar."""
import datetime as dt
import io

import pytest

from lms.config import load_settings
from lms.models import KpiDaily, KpiImport, KpiWeekly
from lms.services import clock, kpi_import
from lms.services.kpi_import import import_bytes, undo
from lms.services.kpi_report import weekly

from ..factories import make_user

HEADER = "employee_no,date,contacts,resolved_first_contact,handle_seconds,csat_responses,csat_positive"
SETTINGS = load_settings(None, environ={"LMS_CONFIG": ""})


@pytest.fixture(autouse=True)
def today(app):
    clock.freeze(dt.datetime(2026, 11, 24, 2))  # a Tuesday


@pytest.fixture
def agent(conn):
    return make_user(employee_no="A1", hire_date=dt.date(2026, 1, 5))


def _csv(*lines, header=HEADER):
    return ("\n".join([header, *lines]) + "\n").encode()


def _weeks(user):
    return {w.week.isoformat(): (w.days, w.contacts, w.resolved_first_contact, w.csat_positive)
            for w in KpiWeekly.select().where(KpiWeekly.user == user)}


def test_weekly_rollups_follow_imports_and_undo(agent):
    # Mon 2 Nov and Sun 8 Nov are one week; Mon 9 Nov starts the next.
    first = import_bytes(_csv("A1,2026-11-02,10,5,100,4,2", "A1,2026-11-08,20,10,200,4,3",
                              "A1,2026-11-09,7,7,70,1,1"), "k.csv", source="test")
    assert first.ok and _weeks(agent) == {"2026-11-02": (2, 30, 15, 5), "2026-11-09": (1, 7, 7, 1)}
    second = import_bytes(_csv("A1,2026-11-08,30,15,300,4,4", "A1,2026-11-16,5,5,50,0,0"), "k.csv", source="test")
    assert (second.added, second.updated) == (1, 1)
    assert _weeks(agent) == {"2026-11-02": (2, 40, 20, 6), "2026-11-09": (1, 7, 7, 1), "2026-11-16": (1, 5, 5, 0)}
    undo(second.record)
    assert _weeks(agent) == {"2026-11-02": (2, 30, 15, 5), "2026-11-09": (1, 7, 7, 1)}
    undo(first.record)
    assert _weeks(agent) == {} and KpiDaily.select().count() == 0


def test_a_duplicate_in_a_later_batch_points_at_the_first_row(agent, monkeypatch):
    monkeypatch.setattr(kpi_import, "BATCH", 2)
    result = import_bytes(_csv("A1,2026-11-02,1,1,1,1,1", "A1,2026-11-03,1,1,1,1,1", "A1,2026-11-04,1,1,1,1,1",
                               "A1,2026-11-02,9,1,1,1,1"), "k.csv", source="test")
    assert not result.ok and result.rejected == 1
    assert (result.problems[0].row, result.problems[0].args) == (5, {"row": 2})
    assert KpiDaily.select().count() == 0


def test_problems_are_all_counted_and_the_first_ones_kept(agent, monkeypatch):
    monkeypatch.setattr(kpi_import, "MAX_REPORTED", 3)
    lines = [f"NOPE{i},2026-11-02,1,1,1,1,1" for i in range(5)] + ["A1,2026-11-02,x,1,1,1,1"]
    result = import_bytes(_csv(*lines), "k.csv", source="test")
    assert (result.rejected, result.problems_total, len(result.problems)) == (6, 6, 3)
    record = KpiImport.get_by_id(result.record.id)
    assert (record.status, record.rejected, record.problems_total) == ("rejected", 6, 6)
    assert [p.row for p in kpi_import.reported_problems(record)] == [2, 3, 4]


def test_a_file_unreadable_part_way_writes_nothing(agent):
    data = _csv("A1,2026-11-02,1,1,1,1,1") + b'A1,"' + b"x" * 200_000 + b'"\n'  # beyond csv's field limit
    result = import_bytes(data, "k.csv", source="test", skip_invalid=True)
    assert result.status == "rejected" and "not valid CSV" in result.problems[-1].reason
    assert KpiDaily.select().count() == 0


def test_a_row_with_a_nul_is_refused_with_the_encoding_hint(agent):
    result = import_bytes(_csv("A1,2026-11-02,1,1,1,1,1", "A1\x00,2026-11-03,1,1,1,1,1"), "k.csv", source="test")
    assert result.status == "rejected" and "encoding" in result.problems[0].reason


def test_repeat_contact_rate_is_a_ratio_of_sums_and_recent_days_are_provisional(agent):
    header = HEADER + ",repeat_contacts_7d"
    # Week of 9 Nov: 10 repeats of the 100 contacts of the days that have a count (the 50 without do not count).
    # Week of 23 Nov: today is the 24th, so its repeat counts are still provisional.
    result = import_bytes(_csv("A1,2026-11-09,100,50,1000,10,5,10", "A1,2026-11-10,50,25,500,10,5,",
                               "A1,2026-11-23,40,20,400,10,5,2", header=header), "k.csv", source="test")
    assert result.ok, [p.as_dict() for p in result.problems]
    weeks = {w.start.isoformat(): w for w in weekly(agent, SETTINGS, 3, clock.today())}
    assert weeks["2026-11-09"].values["repeat"] == pytest.approx(10 / 100)
    assert not weeks["2026-11-09"].provisional["repeat"]
    assert weeks["2026-11-23"].values["repeat"] == pytest.approx(2 / 40) and weeks["2026-11-23"].provisional["repeat"]
    assert weeks["2026-11-16"].values["repeat"] is None and not weeks["2026-11-16"].provisional["repeat"]
    assert not weeks["2026-11-23"].provisional["fcr"]  # only window-based KPIs are provisional


def test_the_cli_shows_a_progress_bar_on_a_terminal_only(agent, monkeypatch, tmp_path):
    from lms.commands import kpi as kpi_commands

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    terminal = Terminal()
    monkeypatch.setattr("sys.stderr", terminal)
    with kpi_commands._progress_bar(tmp_path / "k.csv") as on_progress:
        on_progress("checking", 0.5)
        on_progress("writing", 1.0)
    assert "k.csv: writing" in terminal.getvalue() and "100%" in terminal.getvalue()
    monkeypatch.setattr("sys.stderr", io.StringIO())
    with kpi_commands._progress_bar(tmp_path / "k.csv") as on_progress:
        assert on_progress is None
