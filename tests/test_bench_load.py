"""The load check's own helpers (bench/load.py; the load run itself is not part of the suite)."""
import datetime as dt
import zoneinfo

import pytest

from bench import load
from lms.services import roster


@pytest.mark.parametrize("hour", [0, 1, 8, 9, 15, 16, 23])
def test_the_centre_time_zone_puts_the_run_at_nine_in_the_morning(hour):
    now = dt.datetime(2026, 11, 24, hour, 30, tzinfo=dt.timezone.utc)
    local = now.astimezone(zoneinfo.ZoneInfo(load.morning_timezone(now)))
    assert local.hour == 9


def test_the_generated_roster_passes_the_roster_checks(conn, tmp_path):
    path = tmp_path / "roster.csv"
    load.roster_csv(path, 45, seed=7, today=dt.date(2026, 11, 24))
    plan = roster.plan_upload(path.read_bytes(), "roster.csv")
    assert plan.ok, plan.problems
    assert len(plan.people) == 45 and {p.tier for p in plan.people} <= {"newcomer", "advanced", "elite"}
    assert len({p.teams[0] for p in plan.people}) == 3  # teams of 20


def test_the_report_takes_percentiles_by_nearest_rank():
    values = [float(v) for v in range(1, 101)]
    assert (load.percentile(values, 50), load.percentile(values, 95), load.percentile(values, 99)) == (50, 95, 99)
    assert load.percentile([7.0], 99) == 7.0
