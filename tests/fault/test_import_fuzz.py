"""The KPI and roster importers fuzzed through the functions the command line and the web call,
fed bytes as an uploaded file (random encodings, cut or spliced files, huge fields, wrong types,
missing, extra or repeated columns, damaged workbooks): nothing raises, a rejected import
writes nothing, an accepted one writes consistently, and every problem names the file and its
place in it."""
import collections
import datetime as dt
import json

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from lms.models import (
    AuditLog,
    KpiChange,
    KpiDaily,
    KpiImport,
    KpiWeekly,
    Membership,
    OneTimeToken,
    RoleScope,
    Site,
    Team,
    TierChange,
    User,
    UserRole,
)
from lms.services import clock
from lms.services.kpi_import import import_bytes
from lms.services.kpi_rows import MAPPINGS
from lms.services.roster import RosterError, apply_plan, plan_upload

from ..factories import make_team, make_user
from .files import JUNK, WRONG_NUMBERS, complete_header, counts, header, plain_csv, some_date, table, upload
from .state import rows

TODAY = dt.date(2026, 11, 24)
HIRED = dt.date(2026, 9, 1)
# Reproducible in CI and cheap: together these cost a few seconds per database.
FUZZ = settings(max_examples=150, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                       HealthCheck.data_too_large])


@pytest.fixture(autouse=True)
def fixed_today(app):
    clock.freeze(dt.datetime(2026, 11, 24, 2, 0))


def assert_names_its_place(problem, filename: str) -> None:
    """A problem reads as FILE:ROW:COLUMN: value: reason, or FILE: reason for the whole file."""
    line = problem.format(filename)
    assert line.startswith(filename + ":") and problem.reason.strip(), line
    if problem.value is not None:  # a value is shown only where a row and column say where it is
        assert problem.row is not None, line
    json.dumps(problem.as_dict(), ensure_ascii=False)


# -- KPI -----------------------------------------------------------------------------------

KPI_AGENTS = ("K1", "K2", "K3")
CANONICAL = tuple(MAPPINGS["canonical"])
KPI_REQUIRED = CANONICAL[:7]
KPI_OPTIONAL = CANONICAL[7:]


def kpi_cell(name: str):
    field = name if name in CANONICAL else MAPPINGS["zh"].get(name)
    if field == "employee_no":
        return st.sampled_from(KPI_AGENTS)
    if field == "date":  # a fortnight: a second row for an agent-day happens now and then
        return some_date(TODAY - dt.timedelta(days=13), TODAY)
    if field == "aht":
        return st.integers(0, 900).map(lambda s: f"{s // 60:02d}:{s % 60:02d}")
    if field in ("fcr_rate", "csat_rate"):
        return st.integers(0, 100).map(lambda p: f"{p}%")
    if field in ("contacts", "csat_responses"):
        return counts(20, 60)
    if field == "handle_seconds":
        return counts(0, 20000)
    if field is not None:  # resolved, positive and the optional counts: never above the totals
        return counts(0, 20)
    return JUNK


def kpi_wrong(name: str):
    field = name if name in CANONICAL else MAPPINGS["zh"].get(name)
    if field in ("employee_no", "date"):
        return st.sampled_from(["", "K9", "k1", "K1 K2", "2026-02-30", "2026-13-01", "26-1-1", "0000-01-01", "1.0",
                                str(TODAY + dt.timedelta(days=1)), str(HIRED - dt.timedelta(days=1))])
    return WRONG_NUMBERS


KPI_LAYOUTS = (
    (KPI_REQUIRED, KPI_OPTIONAL),
    (tuple(MAPPINGS["zh"])[:7], tuple(MAPPINGS["zh"])[7:10]),
    (("employee_no", "date", "contacts", "csat_responses", "fcr_rate", "aht", "csat_rate"), KPI_OPTIONAL[:3]),
)
KPI_COMPLETE = st.one_of(*[complete_header(*layout) for layout in KPI_LAYOUTS])
KPI_ANY = st.one_of(*[header(*layout, ("junk", "备注", "")) for layout in KPI_LAYOUTS])


def weekly_sums_match_days() -> None:
    days = collections.Counter()
    for row in KpiDaily.select():
        days[(row.user_id, row.week)] += row.contacts
    weeks = {(w.user_id, w.week): w.contacts for w in KpiWeekly.select()}
    assert weeks == dict(days)


def check_kpi_import(data: bytes, filename: str, skip_invalid: bool, dry_run: bool) -> None:
    for number in KPI_AGENTS:
        if not User.select().where(User.employee_no == number).exists():
            make_user(employee_no=number, hire_date=HIRED)
    before = rows(KpiDaily, KpiWeekly, KpiChange)
    imports = KpiImport.select().count()

    outcome = import_bytes(data, filename, source="test", today=TODAY, skip_invalid=skip_invalid,
                           dry_run=dry_run)

    assert KpiImport.select().count() == imports + 1  # every attempt is on record, finished
    record = KpiImport.get_by_id(outcome.record.id)
    event(f"import {record.status}")  # --hypothesis-show-statistics: how often each end was reached
    assert record.status in ("done", "dry_run", "rejected", "failed") and record.finished_at is not None
    assert len(json.loads(record.report or "[]")) == len(outcome.problems)
    for problem in outcome.problems:
        assert_names_its_place(problem, filename)
    if record.status == "done":
        after = rows(KpiDaily, KpiWeekly, KpiChange)
        assert len(after["KpiDaily"]) == len(before["KpiDaily"]) + outcome.added
        assert len(after["KpiChange"]) == len(before["KpiChange"]) + outcome.added + outcome.updated
        assert skip_invalid or not outcome.problems
        weekly_sums_match_days()
    else:
        assert rows(KpiDaily, KpiWeekly, KpiChange) == before
        assert record.status == "dry_run" or outcome.problems


@FUZZ
@given(upload=plain_csv(table(KPI_COMPLETE, kpi_cell, kpi_wrong), "kpi"), skip_invalid=st.booleans())
def test_kpi_import_of_wrong_values(conn, upload, skip_invalid):
    check_kpi_import(*upload, skip_invalid=skip_invalid, dry_run=False)


@FUZZ
@given(upload=upload(table(KPI_ANY, kpi_cell, kpi_wrong), "kpi"), skip_invalid=st.booleans(),
       dry_run=st.sampled_from([False, False, False, True]))
def test_kpi_import_of_damaged_files(conn, upload, skip_invalid, dry_run):
    check_kpi_import(*upload, skip_invalid=skip_invalid, dry_run=dry_run)


# -- roster --------------------------------------------------------------------------------

EN = ("employee_no", "name", "email", "hire_date", "site", "team", "roles")
ZH = ("工号", "姓名", "邮箱", "入职日期", "站点", "班组", "角色")
ROSTER_TABLES = (User, UserRole, Site, Team, Membership, RoleScope, TierChange, OneTimeToken, AuditLog)


def roster_cell(name: str):
    field = {**dict(zip(ZH, EN)), "层级": "tier"}.get(name, name)
    return {
        "employee_no": st.sampled_from(["R1", "R2", "R3", "R4", "R5", "R6", "R7", "r1"]),
        "name": st.one_of(st.sampled_from(["陈晓", "刘洋", "O'Brien", "<b>x</b>"]), st.text(min_size=1, max_size=8)),
        "email": st.sampled_from(["", "r@example.com", "R@Example.COM"]),
        "hire_date": some_date(dt.date(2020, 1, 1), TODAY + dt.timedelta(days=300)),
        "site": st.sampled_from(["上海中心", "北京中心"]),
        "team": st.sampled_from(["在线一组", "电话一组"]),
        "roles": st.sampled_from(["agent", "agent", "agent;mentor", "坐席", "trainer", "manager", "admin"]),
        "tier": st.sampled_from(["", "newcomer", "进阶", "elite"]),
    }.get(field, JUNK)


def roster_wrong(name: str):
    return st.sampled_from(["", " ", "a b", "x" * 33, "长" * 101, "2026-02-30", "9999-01-01", "1.0", "45000",
                            "agent;;", ";", "a@b", "@", "no-at-sign", "<script>", "ADMIN1", "mentor", "boss",
                            "god", "在线一组;电话一组", "上海中心;北京中心"])


ROSTER_COMPLETE = st.one_of(complete_header(EN, ("tier",)), complete_header(ZH, ("层级",)))
ROSTER_ANY = st.one_of(header(EN, ("tier",), ("notes", "")), header(ZH, ("层级",), ("备注",)))


def check_roster_import(data: bytes, filename: str, credentials: str, dry_run: bool,
                        deactivate_missing: bool) -> None:
    if not User.select().where(User.employee_no == "ADMIN1").exists():
        make_user(("admin",), employee_no="ADMIN1")
        make_team("在线一组")
    admin = User.get(User.employee_no == "ADMIN1")
    before = rows(*ROSTER_TABLES)

    plan = plan_upload(data, filename, actor=admin)

    assert rows(*ROSTER_TABLES) == before  # checking writes nothing
    for problem in plan.problems:
        assert_names_its_place(problem, filename)
    event("plan rejected" if not plan.ok else "plan applied")
    if not plan.ok:
        with pytest.raises(RosterError):
            apply_plan(plan, actor=admin)
        assert rows(*ROSTER_TABLES) == before
        return
    result = apply_plan(plan, credentials=credentials, dry_run=dry_run, deactivate_missing=deactivate_missing,
                        actor=admin)
    if dry_run:
        assert rows(*ROSTER_TABLES) == before
        return
    people = {u.employee_no: u for u in User.select()}
    for person in plan.people:
        user = people[person.employee_no]
        assert (user.name, user.email, user.active) == (person.name, person.email, True)
        assert {r.role for r in UserRole.select().where(UserRole.user == user)} == person.roles
    assert len(result.credentials) == (0 if credentials == "none" else len(result.created))
    assert people[admin.employee_no].active  # an import never locks the administrators out


OPTIONS = {"credentials": st.sampled_from(["none", "password", "invite"]), "dry_run": st.booleans(),
           "deactivate_missing": st.booleans()}


@FUZZ
@given(upload=plain_csv(table(ROSTER_COMPLETE, roster_cell, roster_wrong), "roster"), **OPTIONS)
def test_roster_import_of_wrong_values(conn, upload, credentials, dry_run, deactivate_missing):
    check_roster_import(*upload, credentials, dry_run, deactivate_missing)


@FUZZ
@given(upload=upload(table(ROSTER_ANY, roster_cell, roster_wrong), "roster"), **OPTIONS)
def test_roster_import_of_damaged_files(conn, upload, credentials, dry_run, deactivate_missing):
    check_roster_import(*upload, credentials, dry_run, deactivate_missing)
