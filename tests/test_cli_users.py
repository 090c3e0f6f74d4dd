"""`lms user create` and `lms user list`, `lms db upgrade`, and the real executable."""
import json

from lms.commands import cli
from lms.models import OneTimeToken, User

from .factories import login, make_site, make_team, make_user, run_lms


def test_user_create_generates_a_one_time_password(app, runner, conn):
    make_team("在线一组", make_site("上海中心"))
    result = runner.invoke(cli, ["user", "create", "--employee-no", "A700", "--name", "张伟", "--hire-date",
                                 "2026-11-02", "--site", "上海中心", "--team", "在线一组", "--json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    user = User.get(User.employee_no == "A700")
    assert user.tier == "newcomer" and user.must_change_password
    response = login(app.test_client(), user, out["initial_password"])
    assert response.headers["Location"].endswith("/password")


def test_user_create_invite_link(app, runner, conn):
    result = runner.invoke(cli, ["user", "create", "--employee-no", "T700", "--name", "周老师", "--role", "trainer",
                                 "--password", "invite", "--json"])
    out = json.loads(result.output)
    assert out["invite_path"].startswith("/welcome/")
    assert OneTimeToken.select().count() == 1
    assert app.test_client().get(out["invite_path"]).status_code == 200
    assert User.get(User.employee_no == "T700").tier is None  # not an agent: no tier


def test_user_create_prompted_password(runner, conn):
    result = runner.invoke(cli, ["user", "create", "--employee-no", "ADM7", "--name", "管理员", "--role", "admin",
                                 "--password", "prompt"], input="Strong-pass-77\nStrong-pass-77\n")
    assert result.exit_code == 0, result.output
    assert not User.get(User.employee_no == "ADM7").must_change_password
    weak = runner.invoke(cli, ["user", "create", "--employee-no", "ADM8", "--name", "x", "--password", "prompt"],
                         input="short\nshort\n")
    assert weak.exit_code == 1 and not User.select().where(User.employee_no == "ADM8").exists()


def test_user_create_errors(runner, conn):
    make_user(employee_no="A701")
    duplicate = runner.invoke(cli, ["user", "create", "--employee-no", "A701", "--name", "x"])
    assert duplicate.exit_code == 1 and "A701" in duplicate.output
    bad_date = runner.invoke(cli, ["user", "create", "--employee-no", "A702", "--name", "x", "--hire-date", "2026/1/1"])
    assert bad_date.exit_code == 2 and "--hire-date" in bad_date.output
    no_team = runner.invoke(cli, ["user", "create", "--employee-no", "A703", "--name", "x", "--site", "无",
                                  "--team", "无"])
    assert no_team.exit_code == 1 and "no team" in no_team.output
    bad_role = runner.invoke(cli, ["user", "create", "--employee-no", "A704", "--name", "x", "--role", "boss"])
    assert bad_role.exit_code == 2
    assert User.select().where(User.employee_no.in_(["A702", "A703", "A704"])).count() == 0


def test_user_list_json_shape(runner, conn):
    site = make_site("上海中心")
    team = make_team("在线一组", site)
    make_user(("agent", "mentor"), team, "A710", name="赵敏")
    make_user(("manager",), None, "M710", scopes=[team])
    result = runner.invoke(cli, ["user", "list", "--json"])
    rows = {r["employee_no"]: r for r in json.loads(result.output)}
    assert rows["A710"] == {"employee_no": "A710", "name": "赵敏", "email": "", "roles": ["agent", "mentor"],
                            "site": "上海中心", "teams": ["在线一组"], "tier": "newcomer", "active": True}
    assert rows["M710"]["teams"] == ["在线一组"] and rows["M710"]["tier"] is None
    plain = runner.invoke(cli, ["user", "list"])
    assert "A710\t赵敏\tagent;mentor" in plain.output


def test_real_executable_end_to_end(tmp_path):
    def run(*args):
        return run_lms(*args, cwd=tmp_path, env={"LMS_DATABASE_URL": f"sqlite:///{tmp_path}/lms.db"})

    assert run("db", "upgrade").returncode == 0
    again = run("db", "upgrade")
    assert again.returncode == 0 and "0 migration(s) applied" in again.stdout
    created = run("user", "create", "--employee-no", "A1", "--name", "陈晓", "--json")
    assert created.returncode == 0 and json.loads(created.stdout)["employee_no"] == "A1"
    listed = run("user", "list", "--json")
    assert [u["employee_no"] for u in json.loads(listed.stdout)] == ["A1"]
    assert run("nonsense").returncode == 2
