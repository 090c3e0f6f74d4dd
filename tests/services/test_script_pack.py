"""Golden scripts from assessments/scripts/: every problem named (file, script, field, value);
`lms content load` writes nothing when one is wrong, counts them, keeps web edits unless forced."""
import json
import shutil
from pathlib import Path

import pytest

from lms.commands import cli
from lms.models import GoldenScript, GoldenScriptGram, Track
from lms.services.script_pack import read_scripts
from lms.services.script_search import Filters, search

ROOT = Path(__file__).resolve().parents[2]
GOOD = '''[[scripts]]
slug = "gs-a"
title = "退款到账"
scenario = "complaint"
topic = "refund_objection"
channel = "phone"
situation = "客户问退款"
before = "等着吧"
after = "非常理解您的着急"
elements = ["empathy", "apology"]
why = "先共情"
approved_by = "培训组"
'''


def _write(root: Path, name: str, text: str) -> Path:
    (root / "scripts").mkdir(exist_ok=True)
    path = root / "scripts" / name
    path.write_text(text, encoding="utf-8")
    return path


def test_the_shipped_scripts_are_valid_and_many():
    pack = read_scripts(ROOT / "assessments")
    assert pack.ok, [str(p) for p in pack.problems]
    assert len(pack.scripts) >= 40
    assert {s["channel"] for s in pack.scripts} == {"phone", "chat", "email"}


def test_every_problem_is_named_with_file_script_field_and_value(tmp_path):
    bad = GOOD.replace('scenario = "complaint"', 'scenario = "praise"').replace('"phone"', '"fax"')
    bad += GOOD.replace('"gs-a"', '"gs-b"').replace('"empathy", "apology"', '"empathy", "greeting"')
    bad += GOOD.replace('"gs-a"', '"gs-c"').replace('why = "先共情"\n', '').replace('title = "退款到账"', 'title = ""')
    bad += GOOD.replace('"gs-a"', '"gs-d"').replace('topic = "refund_objection"', 'topic = "Refund Objection"')
    bad += GOOD.replace('"gs-a"', '"new"') + GOOD.replace('"gs-a"', '"gs-e"').replace("approved_by", "approver")
    path = _write(tmp_path, "a.toml", bad)
    _write(tmp_path, "b.toml", GOOD.replace('"gs-a"', '"gs-b"'))
    _write(tmp_path, "c.toml", "[[scripts]\nslug =")
    problems = [str(p) for p in read_scripts(tmp_path).problems]
    expected = [
        f"{path}: scripts[1] (gs-a).scenario: unknown scenario 'praise' (one of complaint, consultation, after_sales)",
        f"{path}: scripts[1] (gs-a).channel: unknown channel 'fax' (one of phone, chat, email)",
        f"{path}: scripts[2] (gs-b).elements: unknown element 'greeting' for complaint "
        "(one of empathy, apology, clarify, options, confirm)",
        f"{path}: scripts[3] (gs-c).why: missing",
        f"{path}: scripts[3] (gs-c).title: required",
        f"{path}: scripts[4] (gs-d).topic: topic 'Refund Objection': lower-case letters, digits and '_' only",
        f"{path}: scripts[5] (new).slug: slug 'new' is reserved (a page name)",
        f"{path}: scripts[6] (gs-e).approver: unknown key (allowed: slug, title, scenario, topic, channel, "
        "situation, before, after, elements, why, approved_by)",
        f"{path}: scripts[6] (gs-e).approved_by: missing",
        f"{tmp_path / 'scripts' / 'b.toml'}: scripts[1] (gs-b).slug: duplicate slug 'gs-b' (also in {path})",
    ]
    for line in expected:
        assert line in problems, (line, problems)
    assert any(p.startswith(f"{tmp_path / 'scripts' / 'c.toml'}: file: not valid TOML") for p in problems)


def test_no_scripts_folder_is_nothing_to_load(tmp_path):
    pack = read_scripts(tmp_path)
    assert pack.ok and pack.scripts == []


def _load(runner, *args):
    result = runner.invoke(cli, ["content", "load", *args, "--json"])
    return result.exit_code, json.loads(result.stdout) if result.stdout.strip() else None


@pytest.fixture
def assessments(app, tmp_path):
    root = Path(shutil.copytree(ROOT / "assessments", tmp_path / "assessments"))
    app.config["LMS_PATHS_ASSESSMENTS"] = str(root)
    return root


def test_content_load_counts_indexes_and_reloads_as_a_no_op(runner, conn):
    code, out = _load(runner, "--dry-run")
    assert code == 0 and out["golden_scripts"] == len(read_scripts(ROOT / "assessments").scripts)
    assert GoldenScript.select().count() == 0 and GoldenScriptGram.select().count() == 0
    code, out = _load(runner)
    assert code == 0 and out["golden_scripts"] >= 40
    assert sum(item.startswith("golden_script ") for item in out["created"]) == out["golden_scripts"]
    assert GoldenScript.select().where(GoldenScript.status == "published").count() == out["golden_scripts"]
    assert search("退款", Filters()) and GoldenScriptGram.select().count() > 1000
    code, again = _load(runner)
    assert code == 0 and again["created"] == [] and again["updated"] == [] and again["conflicts"] == []


def test_a_bad_script_stops_the_whole_load(runner, conn, assessments):
    _write(assessments, "zz-broken.toml", GOOD.replace('"phone"', '"fax"'))
    result = runner.invoke(cli, ["content", "load"])
    assert result.exit_code == 1
    assert "zz-broken.toml: scripts[1] (gs-a).channel: unknown channel 'fax'" in result.output
    assert Track.select().count() == 0 and GoldenScript.select().count() == 0
    dry = runner.invoke(cli, ["content", "load", "--dry-run"])
    assert dry.exit_code == 1 and "unknown channel 'fax'" in dry.output


def test_a_web_edit_is_kept_unless_forced(runner, conn, assessments):
    _load(runner)
    script = GoldenScript.get(GoldenScript.slug == "gs-complaint-escalation-phone")
    GoldenScript.update(why="网页上改过的说明").where(GoldenScript.id == script.id).execute()
    path = assessments / "scripts" / "complaint.toml"
    path.write_text(path.read_text(encoding="utf-8").replace('title = "客户要求“叫你们领导来”的升级安抚"',
                                                             'title = "文件里改过的标题"'), encoding="utf-8")
    code, out = _load(runner)
    assert code == 0 and out["conflicts"] == ["golden_script gs-complaint-escalation-phone"]
    assert GoldenScript.get_by_id(script.id).why == "网页上改过的说明"
    code, out = _load(runner, "--force")
    assert out["overwritten"] == ["golden_script gs-complaint-escalation-phone"]
    fresh = GoldenScript.get_by_id(script.id)
    assert fresh.title == "文件里改过的标题" and fresh.why != "网页上改过的说明"
    assert [h.script.slug for h in search("文件里改过", Filters())] == [script.slug]  # re-indexed
