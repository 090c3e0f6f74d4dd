"""An import killed outright (SIGKILL, no cleanup) while checking or just before its commit
leaves the database exactly as it was; the same import run again then succeeds."""
import datetime as dt
import signal

import pytest

from lms.models import KpiChange, KpiDaily, KpiImport, KpiWeekly
from lms.services.kpi_import import import_bytes

from .factories import make_user, run_lms

HEADER = "employee_no,date,contacts,resolved_first_contact,handle_seconds,csat_responses,csat_positive"


def _file(first_day, days, contacts):
    lines = [HEADER] + [f"C{a},{first_day + dt.timedelta(days=d)},{contacts},{contacts // 2},{contacts * 300},4,3"
                        for a in range(20) for d in range(days)]
    return ("\n".join(lines) + "\n").encode()


def _snapshot():
    return (sorted((r.user_id, r.day, r.contacts, r.last_import_id) for r in KpiDaily.select()),
            sorted((r.user_id, r.week, r.contacts, r.days) for r in KpiWeekly.select()),
            KpiChange.select().count())


@pytest.mark.parametrize("point", ["kpi-import:checking", "kpi-import:before-commit"])
def test_a_killed_import_changes_nothing(database_url, conn, tmp_path, point):
    for a in range(20):
        make_user(employee_no=f"C{a}", hire_date=dt.date(2026, 1, 5))
    assert import_bytes(_file(dt.date(2026, 10, 1), 10, 30), "first.csv", source="test").ok
    before = _snapshot()
    path = tmp_path / "second.csv"
    path.write_bytes(_file(dt.date(2026, 10, 6), 10, 40))  # 5 days changed, 5 new, per agent
    env = {"LMS_DATABASE_URL": database_url}
    killed = run_lms("kpi", "import", str(path), cwd=tmp_path, env={**env, "LMS_FAILPOINTS": point})
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert _snapshot() == before
    record = KpiImport.select().order_by(KpiImport.id.desc()).get()
    assert record.status in ("checking", "writing") and record.finished_at is None
    again = run_lms("kpi", "import", str(path), "--json", cwd=tmp_path, env=env)
    assert again.returncode == 0, again.stderr
    assert '"added": 100' in again.stdout and '"updated": 100' in again.stdout
    assert _snapshot() != before
