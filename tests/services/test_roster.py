"""Roster import service: validation of whole files, all-or-nothing writes, re-imports."""
import datetime as dt
import io
from pathlib import Path

import openpyxl
import pytest

from lms.models import (
    AuditLog,
    Membership,
    OneTimeToken,
    RoleScope,
    Site,
    Team,
    TierChange,
    User,
    UserRole,
)
from lms.services import accounts, clock
from lms.services.credentials import credentials_csv
from lms.services.roster import RosterError, apply_plan, plan_upload

from ..factories import make_site, make_team, make_user

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "roster.csv"
EN = "employee_no,name,email,hire_date,site,team,roles"
ZH = "工号,姓名,邮箱,入职日期,站点,班组,角色"
GOOD_ROWS = [
    "A100,陈晓,a100@example.com,2025-03-03,上海中心,在线一组,agent",
    "A101,刘洋,A101@Example.com,2024/6/17,上海中心,在线一组,坐席",
    "A102,赵敏,a102@example.com,2023-11-20,上海中心,电话一组,agent；mentor",
    "T200,周老师,t200@example.com,2020-01-06,上海中心,在线一组;电话一组,trainer",
    "M300,吴经理,,2019-04-01,上海中心,,manager",
]
TABLES = (User, UserRole, Site, Team, Membership, RoleScope, TierChange, OneTimeToken, AuditLog)


@pytest.fixture(autouse=True)
def fixed_today(app):
    clock.freeze(dt.datetime(2026, 11, 24, 2, 0))


def csv_bytes(rows, header=EN, encoding="utf-8") -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode(encoding)


def snapshot() -> dict:
    return {model.__name__: model.select().count() for model in TABLES}


def run(data, filename="roster.csv", **options):
    plan = plan_upload(data, filename)
    assert plan.ok, [p.format(filename) for p in plan.problems]
    return apply_plan(plan, **options)


def memberships(user):
    rows = Membership.select().where(Membership.user == user).order_by(Membership.id)
    return [(m.team.name, m.ended_on is None) for m in rows]


def scopes(employee_no):
    rows = RoleScope.select().join(User).where(User.employee_no == employee_no)
    return sorted((s.role, s.site.name, s.team.name if s.team else None) for s in rows)


def test_the_sample_roster_sets_up_an_org(conn):
    result = run(SAMPLE.read_bytes())
    assert (len(result.created), len(result.updated), result.unchanged) == (6, 0, 0)
    assert result.sites_created == ["上海中心"]
    assert result.teams_created == [("上海中心", "在线一组"), ("上海中心", "电话一组")]
    agents = User.select().join(UserRole).where(UserRole.role == "agent")
    assert sorted(u.employee_no for u in agents) == ["A100", "A101", "A102", "A103"]
    assert all(u.tier == "newcomer" for u in agents)
    assert User.get(User.employee_no == "A102").role_names == {"agent", "mentor"}
    assert scopes("T200") == [("trainer", "上海中心", "在线一组")]
    assert TierChange.get(TierChange.user == User.get(User.employee_no == "A100")).effective_on == dt.date(2025, 3, 3)
    # one-time passwords, returned once, stored only as hashes
    assert len(result.credentials) == 6
    for credential in result.credentials:
        user = User.get(User.employee_no == credential.employee_no)
        assert credential.secret not in (user.password_hash or "")
        assert accounts.check_password(user, credential.secret) and user.must_change_password


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
@pytest.mark.parametrize("header", [EN, ZH, EN.upper().replace("_", " "), "\u3000" + ZH.replace(",", " ,\u3000")])
def test_good_files_in_each_encoding_and_header_set(conn, encoding, header):
    plan = plan_upload(csv_bytes(GOOD_ROWS, header, encoding), "roster.csv")
    assert plan.ok, plan.problems
    result = apply_plan(plan, credentials="none")
    assert len(result.created) == 5
    a101 = User.get(User.employee_no == "A101")
    assert (a101.name, a101.email, a101.hire_date) == ("刘洋", "a101@example.com", dt.date(2024, 6, 17))
    assert a101.role_names == {"agent"} and a101.password_hash is None
    assert User.get(User.employee_no == "A102").role_names == {"agent", "mentor"}
    assert scopes("T200") == [("trainer", "上海中心", "在线一组"), ("trainer", "上海中心", "电话一组")]
    assert scopes("M300") == [("manager", "上海中心", None)]  # empty team: the whole site


def test_xlsx_with_excel_dates_numbers_and_chinese_tiers(conn):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(ZH.split(",") + ["层级", "备注"])
    sheet.append([1001, "陈晓", "a@example.com", dt.datetime(2025, 3, 3), "北京中心", "一组", "坐席", "进阶", "x"])
    sheet.append(["1002", "刘洋", None, "2025/03/04", "北京中心", "一组", "agent", None, None])
    out = io.BytesIO()
    book.save(out)
    plan = plan_upload(out.getvalue(), "花名册.xlsx")
    assert plan.ok, plan.problems
    assert plan.ignored_columns == ["备注"] and plan.encoding == "xlsx"
    apply_plan(plan, credentials="none")
    first, second = User.get(User.employee_no == "1001"), User.get(User.employee_no == "1002")
    assert (first.hire_date, first.tier) == (dt.date(2025, 3, 3), "advanced")
    assert (second.hire_date, second.tier) == (dt.date(2025, 3, 4), "newcomer")


BAD_FILES = {
    "missing column": (csv_bytes(["A1,张伟,2025-01-01,上海中心,在线一组,agent"],
                                 "employee_no,name,hire_date,site,team,roles"),
                       (1, "email", None, "missing required column (email or 邮箱)")),
    "GBK read wrongly": ("工号,姓名,邮箱,入职日期,站点,班组,角色\nA1,张伟,,2025-01-01,上海中心,在线一组,agent\n"
                         .encode("gbk").decode("latin-1").encode("utf-8"),
                         (1, None, "¹¤ºÅ,ÐÕÃû,ÓÊÏä,ÈëÖ°ÈÕÆÚ,Õ¾µã,°à×é,½ÇÉ«", "check the file's encoding")),
    "UTF-16": (csv_bytes(GOOD_ROWS, ZH, "utf-16"), (None, None, None, "check the file's encoding")),
    "duplicate employee no.": (csv_bytes(GOOD_ROWS + ["A100,重复,,2025-01-01,上海中心,在线一组,agent"]),
                               (7, "employee_no", "A100", "duplicate employee no.: also on row 2")),
    "bad date": (csv_bytes(["A1,张伟,,2025-13-01,上海中心,在线一组,agent"]),
                 (2, "hire_date", "2025-13-01", "not a date; use YYYY-MM-DD")),
    "hire date too far ahead": (csv_bytes(["A1,张伟,,2027-11-25,上海中心,在线一组,agent"]),
                                (2, "hire_date", "2027-11-25", "more than a year in the future")),
    "unknown role": (csv_bytes(["A1,张伟,,2025-01-01,上海中心,在线一组,agent;boss"]),
                     (2, "roles", "boss", "unknown role")),
    "unknown scope team": (csv_bytes(GOOD_ROWS + ["T201,王老师,,2020-01-06,上海中心,在线二组,trainer"]),
                           (7, "team", "在线二组", "unknown team of site 上海中心 for a scope")),
    "unknown scope site": (csv_bytes(GOOD_ROWS + ["M301,钱经理,,2020-01-06,北京中心,,manager"]),
                           (7, "site", "北京中心", "unknown site for a scope")),
    "unknown tier": (csv_bytes(["A1,张伟,,2025-01-01,上海中心,在线一组,agent,guru"], EN + ",tier"),
                     (2, "tier", "guru", "unknown tier")),
    "tier for a non-agent": (csv_bytes(["T1,王老师,,2020-01-06,上海中心,,trainer,elite"], EN + ",tier"),
                             (2, "tier", "elite", "only agents have a tier")),
    "bad email": (csv_bytes(["A1,张伟,zhang at example,2025-01-01,上海中心,在线一组,agent"]),
                  (2, "email", "zhang at example", "not an e-mail address")),
    "empty name": (csv_bytes(["A1,,,2025-01-01,上海中心,在线一组,agent"]), (2, "name", "", "empty required field")),
    "agent in two teams": (csv_bytes(["A1,张伟,,2025-01-01,上海中心,一组;二组,agent"]),
                           (2, "team", "一组;二组", "an agent belongs to exactly one team")),
    "mentor who is not an agent": (csv_bytes(["A1,张伟,,2025-01-01,上海中心,一组,mentor"]),
                                   (2, "roles", "mentor", "a mentor must also be an agent")),
    "Chinese headers name the column": (csv_bytes(["A1,张伟,,2025/02/30,上海中心,在线一组,坐席"], ZH, "gbk"),
                                        (2, "入职日期", "2025/02/30", "not a date; use YYYY-MM-DD")),
    "unquoted comma": (csv_bytes(["A1,张, 伟,,2025-01-01,上海中心,在线一组,agent"]),
                       (2, None, "agent", "more values than columns (an unquoted comma?)")),
}


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_bad_files_report_row_column_value_reason_and_write_nothing(conn, case):
    make_team("在线一组", make_site("上海中心"))
    data, (row, column, value, reason) = BAD_FILES[case]
    before = snapshot()
    plan = plan_upload(data, "roster.csv")
    found = [(p.row, p.column, p.value) for p in plan.problems if reason in p.reason]
    assert (row, column, value) in found, [p.format("roster.csv") for p in plan.problems]
    with pytest.raises(RosterError):
        apply_plan(plan)
    assert snapshot() == before


def test_every_problem_of_a_file_is_reported_at_once(conn):
    rows = ["A1,张伟,bad,2025-13-01,上海中心,在线一组,agent;boss", "A1,,,,,,", "T1,王老师,,,上海中心,无此组,trainer"]
    plan = plan_upload(csv_bytes(rows), "roster.csv")
    assert [(p.row, p.column) for p in plan.problems] == [
        (2, "email"), (2, "hire_date"), (2, "roles"),
        (3, "employee_no"), (3, "name"), (3, "roles"), (4, "team")]


def test_scopes_may_name_existing_teams_and_teams_the_file_creates(conn):
    make_team("老组", make_site("上海中心"))
    rows = ["A1,张伟,,2025-01-01,上海中心,新组,agent", "T1,王老师,,2020-01-06,上海中心,老组;新组,trainer;manager",
            "A2,李雷,,2025-01-01,上海中心,新组,agent;trainer"]
    run(csv_bytes(rows), credentials="none")
    assert scopes("T1") == [("manager", "上海中心", "新组"), ("manager", "上海中心", "老组"),
                            ("trainer", "上海中心", "新组"), ("trainer", "上海中心", "老组")]
    assert scopes("A2") == [("trainer", "上海中心", "新组")]  # an agent-trainer oversees their own team


def test_reimport_updates_by_employee_no_and_keeps_team_history(conn):
    run(csv_bytes(GOOD_ROWS), credentials="none")
    a100 = User.get(User.employee_no == "A100")
    changed = [
        "A100,陈晓晓,new@example.com,2025-03-04,上海中心,电话一组,agent;mentor,advanced",
        "A101,刘洋,a101@example.com,2024-06-17,上海中心,在线一组,agent,",
        "A102,赵敏,a102@example.com,2023-11-20,上海中心,电话一组,agent;mentor,newcomer",
        "T200,周老师,t200@example.com,2020-01-06,上海中心,电话一组,trainer,",
    ]
    result = run(csv_bytes(changed, EN + ",tier"), credentials="password")
    assert result.created == [] and result.credentials == []
    assert result.updated == {"A100": ["name", "email", "hire_date", "roles", "team", "tier"], "T200": ["scopes"]}
    assert result.unchanged == 2
    a100 = User.get_by_id(a100.id)
    assert (a100.name, a100.email, a100.hire_date, a100.tier) == ("陈晓晓", "new@example.com", dt.date(2025, 3, 4),
                                                                  "advanced")
    assert memberships(a100) == [("在线一组", False), ("电话一组", True)]
    assert scopes("T200") == [("trainer", "上海中心", "电话一组")]
    # M300 is missing from the file: listed, still active
    assert result.missing == [{"employee_no": "M300", "name": "吴经理", "deactivated": False}]
    assert User.get(User.employee_no == "M300").active


def test_without_a_tier_column_tiers_stay(conn):
    run(csv_bytes(GOOD_ROWS), credentials="none")
    accounts.set_tier(User.get(User.employee_no == "A100"), "elite")
    result = run(csv_bytes(GOOD_ROWS), credentials="none")
    assert result.unchanged == 5 and User.get(User.employee_no == "A100").tier == "elite"


def test_deactivate_missing_spares_admins_and_reactivates_the_listed(conn):
    run(csv_bytes(GOOD_ROWS), credentials="none")
    admin = make_user(("admin",), None, "ADM")
    accounts.deactivate(User.get(User.employee_no == "A101"))
    result = run(csv_bytes(GOOD_ROWS[1:4]), deactivate_missing=True, actor=admin)
    assert result.reactivated == ["A101"] and User.get(User.employee_no == "A101").active
    assert result.missing == [{"employee_no": "A100", "name": "陈晓", "deactivated": True},
                              {"employee_no": "ADM", "name": "测试员", "deactivated": False},
                              {"employee_no": "M300", "name": "吴经理", "deactivated": True}]
    assert not User.get(User.employee_no == "A100").active and User.get(User.employee_no == "ADM").active


def test_an_admin_cannot_drop_their_own_admin_role(conn):
    admin = make_user(("admin",), None, "ADM")
    make_site("上海中心")
    plan = plan_upload(csv_bytes(["ADM,管理员,,,上海中心,,trainer"]), "roster.csv", actor=admin)
    assert [p.format("r.csv") for p in plan.problems] == [
        "r.csv:2:roles: value 'trainer': you cannot remove your own admin role"]
    assert plan_upload(csv_bytes(["ADM,管理员,,,上海中心,,admin;trainer"]), "roster.csv", actor=admin).ok


def test_dry_run_writes_nothing_but_reports(conn):
    before = snapshot()
    result = run(csv_bytes(GOOD_ROWS), dry_run=True)
    assert result.dry_run and len(result.created) == 5 and result.teams_created and result.credentials == []
    assert snapshot() == before


def test_a_failure_while_writing_rolls_everything_back(conn, monkeypatch):
    original, calls = accounts.create_user, []

    def failing(**kwargs):
        calls.append(kwargs["employee_no"])
        if len(calls) == 3:
            raise accounts.AccountError("disk on fire")
        return original(**kwargs)

    monkeypatch.setattr(accounts, "create_user", failing)
    before = snapshot()
    with pytest.raises(RosterError, match="disk on fire"):
        run(csv_bytes(GOOD_ROWS))
    assert snapshot() == before


def test_invites_and_the_credentials_csv(conn):
    result = run(csv_bytes(GOOD_ROWS[:2]), credentials="invite", invite_ttl_hours=24)
    assert [c.kind for c in result.credentials] == ["invite", "invite"]
    for credential in result.credentials:
        row = accounts.find_link_token(credential.secret)
        assert row.user.employee_no == credential.employee_no and row.purpose == "invite"
    data = credentials_csv(result.credentials, link=lambda token: f"/welcome/{token}")
    assert data.startswith(b"\xef\xbb\xbf")
    lines = data.decode("utf-8-sig").splitlines()
    assert lines[0] == "employee_no,name,invite_path"
    assert lines[1] == f"A100,陈晓,/welcome/{result.credentials[0].secret}"
