"""A large KPI import (ten check batches, thousands of days updated and added) killed outright
part-way through checking, between its write statements or just before its commit leaves the
KPI tables exactly as they were; run again, it succeeds. (tests/test_kpi_crash.py kills a
small one.)"""
import datetime as dt
import json
import signal

from lms.models import KpiChange, KpiDaily, KpiWeekly, User
from lms.services.kpi_import import BATCH, import_bytes

from ..factories import run_lms
from .state import rows

AGENTS = 100
FIRST = dt.date.today() - dt.timedelta(days=240)  # the child's clock is the real one: no future days
HEADER = "employee_no,date,contacts,resolved_first_contact,handle_seconds,csat_responses,csat_positive"


def _file(first_day: dt.date, days: int, contacts: int) -> bytes:
    lines = [HEADER] + [f"L{a},{first_day + dt.timedelta(days=d)},{contacts},{contacts // 2},{contacts * 300},4,3"
                        for a in range(AGENTS) for d in range(days)]
    return ("\n".join(lines) + "\n").encode()


def test_a_killed_large_import_changes_nothing(database_url, conn, tmp_path):
    User.insert_many([{"employee_no": f"L{a}", "name": "大批量", "hire_date": FIRST - dt.timedelta(days=30)}
                      for a in range(AGENTS)]).execute()
    assert import_bytes(_file(FIRST, 100, 30), "first.csv", source="test").ok
    before = rows(KpiDaily, KpiWeekly, KpiChange)
    path = tmp_path / "second.csv"
    path.write_bytes(_file(FIRST + dt.timedelta(days=100), 100, 40) + _file(FIRST, 100, 35).split(b"\n", 1)[1])
    assert path.read_bytes().count(b"\n") - 1 == 20000 >= 10 * BATCH
    env = {"LMS_DATABASE_URL": database_url}
    for point in ("kpi-import:checking", "kpi-import:mid-write", "kpi-import:before-commit"):
        killed = run_lms("kpi", "import", str(path), cwd=tmp_path, env={**env, "LMS_FAILPOINTS": point})
        assert killed.returncode == -signal.SIGKILL, (point, killed.stderr[-2000:])
        assert rows(KpiDaily, KpiWeekly, KpiChange) == before, point
    again = run_lms("kpi", "import", str(path), "--json", cwd=tmp_path, env=env)
    assert again.returncode == 0, again.stderr
    assert (json.loads(again.stdout)["added"], json.loads(again.stdout)["updated"]) == (10000, 10000)
