"""`lms user export` and `lms user erase`."""
import io
import json
import zipfile

import pytest

from lms.commands import cli
from lms.models import AuditLog, KpiDaily, User
from lms.services import accounts

from . import privacy_world as pw_world


@pytest.fixture
def world(conn):
    return pw_world.build()


def test_export_json_and_zip_to_files(runner, world, tmp_path):
    target = tmp_path / "p100.json"
    result = runner.invoke(cli, ["user", "export", "P100", "--output", str(target)])
    assert result.exit_code == 0, result.output
    document = json.loads(target.read_text("utf-8"))
    assert document["person"]["name"] == "张小明" and len(document["sections"]["kpi_daily.user"]) == 2
    archive_path = tmp_path / "p100.zip"
    result = runner.invoke(cli, ["user", "export", "P100", "--format", "zip", "--output", str(archive_path)])
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(archive_path) as archive:
        assert archive.read("user.csv").startswith(b"\xef\xbb\xbf")
    entries = AuditLog.select().where((AuditLog.action == "privacy.export") & (AuditLog.subject == world["agent"]))
    assert [json.loads(e.detail)["format"] for e in entries.order_by(AuditLog.id)] == ["json", "zip"]
    assert all(e.actor is None for e in entries)
    result = runner.invoke(cli, ["user", "export", "P100", "--output", "-"])  # - is standard output
    assert result.exit_code == 0
    assert json.loads(result.stdout_bytes.decode("utf-8"))["person"]["employee_no"] == "P100"
    zipped = runner.invoke(cli, ["user", "export", "P100", "--format", "zip", "--output", "-"])
    assert zipfile.ZipFile(io.BytesIO(zipped.stdout_bytes)).namelist()


def test_export_errors(runner, world, tmp_path):
    unknown = runner.invoke(cli, ["user", "export", "NOBODY", "--output", str(tmp_path / "x.json")])
    assert unknown.exit_code == 1 and "no user with employee no. 'NOBODY'" in unknown.output
    assert not (tmp_path / "x.json").exists()
    assert runner.invoke(cli, ["user", "export", "P100", "--format", "xml", "--output", "x"]).exit_code == 2
    assert runner.invoke(cli, ["user", "export", "P100"]).exit_code == 2  # --output is required


def test_erase_asks_for_the_number_unless_yes(runner, world):
    active = runner.invoke(cli, ["user", "erase", "P100", "--yes"])
    assert active.exit_code == 1 and "still active" in active.output
    assert User.get_by_id(world["agent"].id).name == "张小明"
    accounts.deactivate(User.get_by_id(world["agent"].id))
    wrong = runner.invoke(cli, ["user", "erase", "P100"], input="P1000\n")
    assert wrong.exit_code == 1 and "does not match" in wrong.output
    assert User.get_by_id(world["agent"].id).name == "张小明"
    right = runner.invoke(cli, ["user", "erase", "P100", "--json"], input="P100\n")
    assert right.exit_code == 0, right.output
    out = json.loads(right.stdout.strip().splitlines()[-1])
    assert out["employee_no"].startswith("已离职-") and not out["already_erased"] and out["changed"]["drill_replies"] == 1
    user = User.get_by_id(world["agent"].id)
    assert user.employee_no == out["employee_no"]
    assert KpiDaily.select().where(KpiDaily.user == user).count() == 2
    again = runner.invoke(cli, ["user", "erase", user.employee_no, "--yes"])
    assert again.exit_code == 0 and "already anonymised" in again.output
    assert runner.invoke(cli, ["user", "erase", "P100", "--yes"]).exit_code == 1  # the number is gone


def test_kpi_summary_is_the_same_under_the_pseudonym(runner, world):
    args = ["--from", "2025-03-01", "--to", "2025-03-31", "--json"]
    before = json.loads(runner.invoke(cli, ["kpi", "summary", "--employee", "P100", *args]).output)
    accounts.deactivate(User.get_by_id(world["agent"].id))
    assert runner.invoke(cli, ["user", "erase", "P100", "--yes"]).exit_code == 0
    pseudonym = User.get_by_id(world["agent"].id).employee_no
    after = json.loads(runner.invoke(cli, ["kpi", "summary", "--employee", pseudonym, *args]).output)
    assert after == {**before, "employee_no": pseudonym}
