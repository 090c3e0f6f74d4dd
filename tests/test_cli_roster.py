"""`lms roster import`: exit codes, problem report, dry run, credentials, the real executable."""
import datetime as dt
import json
import shutil
from pathlib import Path

import pytest

from lms.commands import cli
from lms.models import Membership, OneTimeToken, RoleScope, Site, Team, User
from lms.services import accounts, clock

from .factories import make_user, run_lms

SAMPLE = Path(__file__).resolve().parent / "data" / "roster.csv"
HEADER = "employee_no,name,email,hire_date,site,team,roles"


@pytest.fixture(autouse=True)
def fixed_today(app):
    clock.freeze(dt.datetime(2026, 11, 24, 2, 0))


@pytest.fixture
def sample(tmp_path):
    return str(shutil.copy(SAMPLE, tmp_path / "roster.csv"))


def write(tmp_path, rows, name="roster.csv", header=HEADER, encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(("\n".join([header, *rows]) + "\n").encode(encoding))
    return str(path)


def counts():
    return tuple(model.select().count() for model in (User, Site, Team, Membership, RoleScope, OneTimeToken))


def test_import_prints_new_passwords_once(app, runner, conn, sample):
    result = runner.invoke(cli, ["roster", "import", sample])
    assert result.exit_code == 0, result.output
    assert "created 6, updated 0, unchanged 0" in result.stdout
    assert "teams created: 上海中心 / 在线一组, 上海中心 / 电话一组" in result.stdout
    lines = result.stdout.splitlines()
    table = lines[lines.index("employee_no\tname\tinitial_password") + 1:]
    assert [line.split("\t")[0] for line in table] == ["A100", "A101", "A102", "A103", "T200", "M300"]
    employee_no, _name, password = table[0].split("\t")
    assert accounts.check_password(User.get(User.employee_no == employee_no), password)
    again = runner.invoke(cli, ["roster", "import", sample])
    assert again.exit_code == 0 and "unchanged 6" in again.stdout and "initial_password" not in again.stdout


def test_json_output_is_one_document(runner, conn, sample):
    result = runner.invoke(cli, ["roster", "import", sample, "--json", "--credentials", "invite"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["ok"] and out["created"] == 6 and out["sites_created"] == ["上海中心"]
    assert [c["employee_no"] for c in out["credentials"]] == ["A100", "A101", "A102", "A103", "T200", "M300"]
    assert all(c["invite_path"].startswith("/welcome/") for c in out["credentials"])


def test_invite_paths_open_the_welcome_page(app, runner, conn, sample):
    out = json.loads(runner.invoke(cli, ["roster", "import", sample, "--json", "--credentials", "invite"]).stdout)
    assert app.test_client().get(out["credentials"][0]["invite_path"]).status_code == 200


@pytest.mark.parametrize("rows, line", [
    (["A1,张伟,,2025-01-01,上海中心,在线一组,agent", "A1,李雷,,2025-01-01,上海中心,在线一组,agent"],
     "roster.csv:3:employee_no: value 'A1': duplicate employee no.: also on row 2"),
    (["A1,张伟,,2025/1/32,上海中心,在线一组,agent"],
     "roster.csv:2:hire_date: value '2025/1/32': not a date; use YYYY-MM-DD"),
    (["A1,张伟,,2025-01-01,上海中心,在线一组,agent;wizard"],
     "roster.csv:2:roles: value 'wizard': unknown role; use agent, mentor, trainer, manager or admin"),
    (["A1,张伟,,2025-01-01,上海中心,在线一组,agent", "T1,王老师,,2020-01-01,上海中心,在线九组,trainer"],
     "roster.csv:3:team: value '在线九组': unknown team of site 上海中心 for a scope"),
])
def test_rejected_file_prints_every_problem_and_writes_nothing(runner, conn, tmp_path, rows, line):
    before = counts()
    result = runner.invoke(cli, ["roster", "import", write(tmp_path, rows)])
    assert result.exit_code == 1
    assert any(printed.endswith(line) or line in printed for printed in result.stdout.splitlines()), result.stdout
    assert "nothing was written" in result.output
    assert counts() == before


def test_missing_column_and_wrong_encoding(runner, conn, tmp_path):
    missing = runner.invoke(cli, ["roster", "import", write(tmp_path, ["A1,张伟,2025-01-01,上海中心,一组,agent"],
                                                            header="employee_no,name,hire_date,site,team,roles")])
    assert missing.exit_code == 1
    assert missing.stdout.startswith(f"{tmp_path}/roster.csv:1:email: missing required column (email or 邮箱)")
    utf16 = tmp_path / "utf16.csv"
    utf16.write_text(f"{HEADER}\nA1,张伟,,2025-01-01,上海中心,一组,agent\n", encoding="utf-16")
    wrong = runner.invoke(cli, ["roster", "import", str(utf16), "--json"])
    out = json.loads(wrong.stdout)
    assert wrong.exit_code == 1 and out["ok"] is False
    assert "check the file's encoding" in out["problems"][0]["reason"]
    assert counts() == (0, 0, 0, 0, 0, 0)


def test_json_problem_report(runner, conn, tmp_path):
    result = runner.invoke(cli, ["roster", "import", write(tmp_path, ["A1,张伟,x,2025-01-01,上海中心,一组,boss"]),
                                 "--json"])
    assert result.exit_code == 1
    out = json.loads(result.stdout)
    assert out["ok"] is False and out["problems"] == [
        {"row": 2, "column": "email", "value": "x", "reason": "not an e-mail address"},
        {"row": 2, "column": "roles", "value": "boss",
         "reason": "unknown role; use agent, mentor, trainer, manager or admin (or 坐席, 导师, 培训师, 经理, 管理员)"}]


def test_dry_run_writes_nothing(runner, conn, sample):
    result = runner.invoke(cli, ["roster", "import", sample, "--dry-run"])
    assert result.exit_code == 0 and "created 6" in result.stdout and "dry run: nothing was written" in result.stdout
    assert "initial_password" not in result.stdout
    assert counts() == (0, 0, 0, 0, 0, 0)


def test_credentials_out_writes_an_excel_friendly_csv(runner, conn, sample, tmp_path):
    target = tmp_path / "secrets.csv"
    result = runner.invoke(cli, ["roster", "import", sample, "--credentials-out", str(target)])
    assert result.exit_code == 0, result.output
    assert str(target) in result.stdout and "initial_password" not in result.stdout
    data = target.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = [line.split(",") for line in data.decode("utf-8-sig").splitlines()]
    assert rows[0] == ["employee_no", "name", "initial_password"] and len(rows) == 7
    assert rows[1][:2] == ["A100", "陈晓"]
    assert accounts.check_password(User.get(User.employee_no == "A100"), rows[1][2])
    assert oct(target.stat().st_mode & 0o777) == "0o600"
    again = runner.invoke(cli, ["roster", "import", sample, "--credentials-out", str(target)])
    assert again.exit_code == 2 and "already exists" in again.output


def test_missing_people_are_listed_and_deactivated_only_on_request(runner, conn, sample, tmp_path):
    runner.invoke(cli, ["roster", "import", sample, "--credentials", "none"])
    make_user(("admin",), None, "ADM", name="管理员")
    shorter = write(tmp_path, SAMPLE.read_text(encoding="utf-8").splitlines()[1:5], name="shorter.csv")
    kept = runner.invoke(cli, ["roster", "import", shorter])
    assert kept.exit_code == 0
    assert "not in the file, still active (--deactivate-missing deactivates them): ADM 管理员, M300 吴经理, " \
           "T200 周老师" in kept.stdout
    assert User.get(User.employee_no == "T200").active
    gone = runner.invoke(cli, ["roster", "import", shorter, "--deactivate-missing", "--json"])
    out = json.loads(gone.stdout)
    assert out["deactivated"] == 2
    assert {m["employee_no"]: m["deactivated"] for m in out["missing"]} == {"ADM": False, "M300": True, "T200": True}
    assert not User.get(User.employee_no == "T200").active and User.get(User.employee_no == "ADM").active


def test_reimport_moves_an_agent_keeping_history(runner, conn, sample, tmp_path):
    runner.invoke(cli, ["roster", "import", sample, "--credentials", "none"])
    moved = SAMPLE.read_text(encoding="utf-8").replace("A100,陈晓,a100@example.com,2025-03-03,上海中心,在线一组",
                                                       "A100,陈晓,a100@example.com,2025-03-03,上海中心,电话一组")
    path = tmp_path / "moved.csv"
    path.write_text(moved, encoding="gbk")
    result = runner.invoke(cli, ["roster", "import", str(path), "--json"])
    assert json.loads(result.stdout)["changes"] == {"A100": ["team"]}
    history = Membership.select().join(User).where(User.employee_no == "A100").order_by(Membership.id)
    assert [(m.team.name, m.ended_on) for m in history] == [("在线一组", dt.date(2026, 11, 24)),
                                                            ("电话一组", None)]


def test_usage_errors_exit_2_and_unsupported_files_exit_1(runner, conn, sample, tmp_path):
    assert runner.invoke(cli, ["roster", "import", str(tmp_path / "nope.csv")]).exit_code == 2
    assert runner.invoke(cli, ["roster", "import", sample, "--credentials", "email"]).exit_code == 2
    assert runner.invoke(cli, ["roster", "import"]).exit_code == 2
    pdf = tmp_path / "roster.pdf"
    pdf.write_bytes(b"%PDF-1.4")
    result = runner.invoke(cli, ["roster", "import", str(pdf)])
    assert result.exit_code == 1 and f"{pdf}: unsupported file type" in result.stdout


def test_real_executable_imports_the_sample(tmp_path):
    def run(*args):
        return run_lms(*args, cwd=tmp_path, env={"LMS_DATABASE_URL": f"sqlite:///{tmp_path}/lms.db"})

    assert run("db", "upgrade").returncode == 0
    imported = run("roster", "import", str(SAMPLE), "--json")
    assert imported.returncode == 0, imported.stderr
    out = json.loads(imported.stdout)
    assert out["created"] == 6 and len(out["credentials"]) == 6
    users = json.loads(run("user", "list", "--json").stdout)
    agents = [u for u in users if "agent" in u["roles"]]
    assert len(users) == 6 and len(agents) == 4 and all(u["tier"] == "newcomer" for u in agents)
    bad = tmp_path / "bad.csv"
    bad.write_text(f"{HEADER}\nA1,张伟,,2025-01-01,上海中心,一组,boss\n", encoding="utf-8")
    rejected = run("roster", "import", str(bad))
    assert rejected.returncode == 1 and f"{bad}:2:roles: value 'boss': unknown role" in rejected.stdout
