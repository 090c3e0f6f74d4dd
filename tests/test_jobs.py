"""Jobs by name, safe to run twice; the scheduler holds every job."""
import datetime as dt
import json

from lms.commands import cli
from lms.jobs import JOBS, build_scheduler
from lms.models import LoginFailure, OneTimeToken
from lms.services import accounts, clock, throttle

from .factories import make_user


def test_purge_sign_in_records(runner, conn):
    user = make_user()
    clock.freeze(dt.datetime(2026, 9, 1, 8))
    throttle.record_failure("A1", "10.0.0.1")
    accounts.issue_link_token(user, ttl_hours=1)
    clock.freeze(dt.datetime(2026, 11, 20, 8))
    throttle.record_failure("A1", "10.0.0.1")
    result = runner.invoke(cli, ["jobs", "run", "purge-sign-in-records", "--date", "2026-11-24", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == {"date": "2026-11-24", "login_failures_removed": 2, "links_removed": 1}
    assert LoginFailure.select().count() == 2 and OneTimeToken.select().count() == 0
    again = runner.invoke(cli, ["jobs", "run", "purge-sign-in-records", "--date", "2026-11-24", "--json"])
    assert json.loads(again.output)["login_failures_removed"] == 0


def test_unknown_job_and_bad_date_are_usage_errors(runner):
    assert runner.invoke(cli, ["jobs", "run", "no-such-job"]).exit_code == 2
    assert runner.invoke(cli, ["jobs", "run", "purge-sign-in-records", "--date", "tomorrow"]).exit_code == 2


def test_scheduler_has_every_job_once(app):
    scheduler = build_scheduler("Asia/Shanghai")
    assert sorted(job.id for job in scheduler.get_jobs()) == sorted(JOBS)
    assert all(job.max_instances == 1 and job.coalesce for job in scheduler.get_jobs())
    assert "purge-sign-in-records" in JOBS
