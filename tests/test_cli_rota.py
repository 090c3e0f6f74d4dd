"""`lms rota import`: on/off days per agent in GBK or UTF-8, every bad row named, all or nothing."""
import datetime as dt
import json

import pytest

from lms.commands import cli
from lms.config import load_settings
from lms.models import RotaDay
from lms.services import clock
from lms.services.work_calendar import working_agents

from .factories import make_user


@pytest.fixture
def agents(app, conn):
    clock.freeze(dt.datetime(2026, 11, 2, 1))
    return [make_user(("agent",), None, f"R{i}", tier="newcomer") for i in range(2)]


@pytest.mark.parametrize("encoding, header", [("utf-8", "employee_no,date,shift"), ("gbk", "工号,日期,班次")])
def test_import_in_each_encoding_and_the_rota_wins(runner, agents, tmp_path, encoding, header):
    path = tmp_path / "rota.csv"
    path.write_bytes(f"{header}\nR0,2026-11-01,上班\nR1,2026/11/2,休息\n".encode(encoding))
    out = runner.invoke(cli, ["rota", "import", str(path), "--json"])
    assert out.exit_code == 0, out.output
    assert json.loads(out.stdout) == {"ok": True, "file": str(path), "rows": 2, "working": 1, "resting": 1,
                                      "dry_run": False}
    settings = load_settings(None, environ={"LMS_CONFIG": ""})
    assert [u.employee_no for u in working_agents(settings, dt.date(2026, 11, 1))] == ["R0"]  # a Sunday shift
    assert [u.employee_no for u in working_agents(settings, dt.date(2026, 11, 2))] == ["R0"]  # R1 rests Monday
    path.write_bytes(f"{header}\nR1,2026-11-02,on\n".encode(encoding))
    assert runner.invoke(cli, ["rota", "import", str(path)]).exit_code == 0
    assert RotaDay.get(RotaDay.user == agents[1]).working  # re-imported: replaced, not duplicated


def test_every_bad_row_is_named_and_nothing_written(runner, agents, tmp_path):
    path = tmp_path / "rota.csv"
    path.write_text("employee_no,date,shift\nR0,2026-11-01,on\nNOPE,2026-11-01,on\nR1,11/01,on\nR1,2026-11-03,maybe\n"
                    "R0,2026-11-01,off\n", encoding="utf-8")
    out = runner.invoke(cli, ["rota", "import", str(path)])
    assert out.exit_code == 1
    for expected in (":3:employee_no: value 'NOPE': unknown employee no.", ":4:date: value '11/01': not a date",
                     ":5:shift: value 'maybe': not a shift", ":6:date: value '2026-11-01': a second row"):
        assert expected in out.output, out.output
    assert RotaDay.select().count() == 0
    path.write_text("who,when\nR0,2026-11-01\n", encoding="utf-8")
    assert "missing column(s) employee_no, date, shift" in runner.invoke(cli, ["rota", "import", str(path)]).output
