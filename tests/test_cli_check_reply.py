"""`lms check-reply`: the JSON contract of design.md §4, the readable report, exit codes, configured rules."""
import json
import shutil
from pathlib import Path

import pytest

from lms import create_app
from lms.commands import cli
from lms.resources import shipped_dir
from lms.services.script_check import check_reply

from .conftest import TEST_SECRET
from .factories import run_lms

CONTRACT = {"scenario", "score", "findings", "elements", "formula"}
FINDING = {"rule", "category", "span", "text", "severity", "suggestion"}
COMPLAINT = "非常抱歉让您久等了，我理解您的着急。请问订单号是多少？我们可以补发或者退款，您选哪一种？"


def _json(runner, *args):
    result = runner.invoke(cli, ["check-reply", *args, "--json"])
    return result.exit_code, json.loads(result.stdout) if result.stdout.strip() else None


@pytest.mark.parametrize("scenario,text", [
    ("complaint", "这不是我们的责任，您去找快递吧。"),
    ("complaint", COMPLAINT),
    ("consultation", "请问能不能提供一下您的订单号？我马上帮您查。"),
    ("after_sales", "您好，已为您提交工單，我們會盡快處理。"),
])
def test_json_is_the_contract_and_the_service_result(runner, scenario, text):
    code, out = _json(runner, "--scenario", scenario, text)
    assert code == 0
    assert set(out) == CONTRACT and out["scenario"] == scenario and isinstance(out["score"], int)
    assert all(set(f) == FINDING for f in out["findings"])
    assert set(out["formula"]) == {"empathy", "responsibility", "commitment"}
    assert out == check_reply(text, scenario, shipped_dir("assessments")).as_dict()
    for finding in out["findings"]:
        start, end = finding["span"]
        assert text[start:end] == finding["text"]


def test_acceptance_examples(runner):
    _, blame = _json(runner, "--scenario", "complaint", "这不是我们的责任，您去找快递吧。")
    assert "blame" in {f["category"] for f in blame["findings"]}
    _, polite = _json(runner, "--scenario", "consultation", "请问能不能提供一下您的订单号？我马上帮您查。")
    assert "refusal" not in {f["category"] for f in polite["findings"]}
    _, good = _json(runner, "--scenario", "complaint", COMPLAINT)
    assert all(good["elements"][e] for e in ("empathy", "apology", "options"))


def test_readable_report(runner):
    result = runner.invoke(cli, ["check-reply", "--scenario", "complaint", "抱歉，这个不能退，您去找快递吧。"])
    assert result.exit_code == 0
    out = result.stdout
    assert "score" in out and "/100" in out
    assert "“不能”" in out and "“您去找快递”" in out  # each finding with its matched words
    assert "不推责" in out or "不把客户推给别人" in out  # ... and its suggestion
    assert "[x] apology" in out and "[ ] options" in out  # element checklist
    assert "[ ] responsibility" in out  # formula checklist


def test_text_from_stdin(runner):
    result = runner.invoke(cli, ["check-reply", "--scenario", "complaint", "-", "--json"], input=COMPLAINT)
    assert result.exit_code == 0
    assert json.loads(result.stdout) == check_reply(COMPLAINT, "complaint", shipped_dir("assessments")).as_dict()


@pytest.mark.parametrize("args,hint", [
    (["--scenario", "refund", "您好"], "after_sales, complaint, consultation"),
    (["--scenario", "complaint", "   "], "empty"),
    (["--scenario", "complaint", ""], "empty"),
    (["您好"], "--scenario"),
    (["--scenario", "complaint"], "TEXT"),
])
def test_usage_errors_exit_2(runner, args, hint):
    result = runner.invoke(cli, ["check-reply", *args, "--json"])
    assert result.exit_code == 2
    assert hint in result.output
    assert not result.stdout.strip().startswith("{")


@pytest.fixture
def rules_dir(tmp_path):
    folder = tmp_path / "assessments"
    folder.mkdir()
    shutil.copyfile(Path(shipped_dir("assessments")) / "check_rules.toml", folder / "check_rules.toml")
    return folder


def _runner_with(database_url, folder):
    app = create_app(database_url=database_url, secret_key=TEST_SECRET, TESTING=True, paths_assessments=str(folder))
    return app.test_cli_runner()


def test_configured_assessments_folder_is_used(database_url, rules_dir):
    rules = rules_dir / "check_rules.toml"
    rules.write_text(rules.read_text(encoding="utf-8").replace("patterns = ['客诉|外呼']", "patterns = ['客诉|外呼|亲']"),
                     encoding="utf-8")
    code, out = _json(_runner_with(database_url, rules_dir), "--scenario", "complaint", "亲，您好。")
    assert code == 0 and [f["rule"] for f in out["findings"]] == ["jargon-internal"]


def test_broken_rules_file_exits_1_naming_file_and_key(database_url, rules_dir):
    rules = rules_dir / "check_rules.toml"
    rules.write_text(rules.read_text(encoding="utf-8").replace('severity = "major"', 'severity = "huge"', 1),
                     encoding="utf-8")
    result = _runner_with(database_url, rules_dir).invoke(cli, ["check-reply", "--scenario", "complaint", "您好",
                                                                "--json"])
    assert result.exit_code == 1 and not result.stdout.strip()
    assert f"{rules}: rules[1].severity: unknown value 'huge'" in result.stderr


def test_the_installed_command_reads_traditional_text(tmp_path):
    done = run_lms("check-reply", "--scenario", "complaint", "這不是我們的責任，不行。", "--json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert {(f["category"], f["text"]) for f in out["findings"]} == {("blame", "這不是我們的責任"), ("refusal", "不行")}
