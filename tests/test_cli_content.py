"""`lms content load/export`: upsert by slug, no-op reload, round trip, conflicts, nothing half-written."""
import json
import shutil
from pathlib import Path

import pytest

from lms.commands import cli
from lms.services.assessment_pack import read_assessments
from lms.services.script_pack import read_scripts
from lms.models import Activity, Completion, ContentChange, Module, ModulePrerequisite, Track

from .factories import make_user

ROOT = Path(__file__).resolve().parent.parent


def _load(runner, *args):
    result = runner.invoke(cli, ["content", "load", *args, "--json"])
    return result.exit_code, json.loads(result.stdout) if result.stdout.strip() else None


@pytest.fixture
def pack_dir(tmp_path):
    return Path(shutil.copytree(ROOT / "courses", tmp_path / "courses"))


def test_load_shipped_packs_and_reload_is_a_no_op(runner, conn):
    code, out = _load(runner)
    shipped = read_assessments(ROOT / "assessments").counts()
    assert code == 0 and out["tracks"] == 3 and out["lessons"] >= 12 and out["questions"] == shipped["questions"]
    assert Track.select().count() == 3 and Activity.select().where(Activity.kind == "lesson").count() == out["lessons"]
    assert out["golden_scripts"] == len(read_scripts(ROOT / "assessments").scripts) >= 40
    assert ModulePrerequisite.select().count() >= 2
    code, again = _load(runner)
    assert code == 0 and again["created"] == [] and again["updated"] == [] and again["retired"] == []


def test_edited_pack_updates_content_and_keeps_progress(runner, conn, pack_dir):
    _load(runner, str(pack_dir))
    agent = make_user()
    lesson = Activity.get(Activity.slug == "newcomer-service-process")
    Completion.create(user=agent, activity=lesson)
    body = pack_dir / "newcomer" / "lessons" / "01-service-process.md"
    body.write_text(body.read_text(encoding="utf-8") + "\n新增的一段。\n", encoding="utf-8")
    toml = pack_dir / "newcomer" / "track.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace('title = "情绪自我管理：先稳住自己，再稳住客户"',
                                                           'title = "情绪自我管理"'), encoding="utf-8")
    code, out = _load(runner, str(pack_dir))
    assert code == 0 and sorted(out["updated"]) == ["activity newcomer-self-calm", "activity newcomer-service-process"]
    assert "新增的一段" in Activity.get(Activity.slug == "newcomer-service-process").body
    assert Completion.select().where(Completion.activity == lesson).count() == 1


def test_removed_activity_is_unpublished_not_deleted(runner, conn, pack_dir):
    _load(runner, str(pack_dir))
    agent = make_user()
    Completion.create(user=agent, activity=Activity.get(Activity.slug == "newcomer-self-calm"))
    toml = pack_dir / "newcomer" / "track.toml"
    text = toml.read_text(encoding="utf-8")
    toml.write_text(text[:text.index('  [[modules.activities]]\n  slug = "newcomer-self-calm"')], encoding="utf-8")
    code, out = _load(runner, str(pack_dir))
    assert code == 0 and out["retired"] == ["activity newcomer-self-calm", "activity newcomer-scenarios-quiz"]
    assert not Activity.get(Activity.slug == "newcomer-self-calm").published
    assert Completion.select().count() == 1


def test_broken_pack_writes_nothing_and_exits_1(runner, conn, pack_dir):
    (pack_dir / "elite" / "lessons" / "04-coaching.md").unlink()
    result = runner.invoke(cli, ["content", "load", str(pack_dir)])
    assert result.exit_code == 1
    assert "elite/track.toml: modules[2].activities[3].body: lesson file not found" in result.output
    assert Track.select().count() == 0 and Activity.select().count() == 0


def test_dry_run_writes_nothing(runner, conn):
    code, out = _load(runner, "--dry-run")
    assert code == 0 and out["dry_run"] and len(out["created"]) > 0
    assert Track.select().count() == 0 and ContentChange.select().count() == 0


def test_web_edit_is_kept_unless_forced(runner, conn, pack_dir):
    _load(runner, str(pack_dir))
    Activity.update(title="网页上改过的标题").where(Activity.slug == "newcomer-self-calm").execute()
    toml = pack_dir / "newcomer" / "track.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace('title = "情绪自我管理：先稳住自己，再稳住客户"',
                                                           'title = "文件里改过的标题"'), encoding="utf-8")
    code, out = _load(runner, str(pack_dir))
    assert code == 0 and out["conflicts"] == ["activity newcomer-self-calm"]
    assert Activity.get(Activity.slug == "newcomer-self-calm").title == "网页上改过的标题"
    plain = runner.invoke(cli, ["content", "load", str(pack_dir)])
    assert "conflict: activity newcomer-self-calm" in plain.output
    code, out = _load(runner, str(pack_dir), "--force")
    assert out["overwritten"] == ["activity newcomer-self-calm"]
    assert Activity.get(Activity.slug == "newcomer-self-calm").title == "文件里改过的标题"


def test_web_edit_untouched_by_the_pack_is_no_conflict(runner, conn, pack_dir):
    _load(runner, str(pack_dir))
    Module.update(summary="网页改的简介").where(Module.slug == "elite-strategy").execute()
    code, out = _load(runner, str(pack_dir))
    assert out["conflicts"] == ["module elite-strategy"]  # the file still says otherwise: reported, kept
    assert Module.get(Module.slug == "elite-strategy").summary == "网页改的简介"


def test_export_then_load_is_a_no_op(runner, conn, tmp_path):
    _load(runner)
    Activity.update(published=False).where(Activity.slug == "elite-coaching").execute()  # a web edit
    out_dir = tmp_path / "exported"
    exported = runner.invoke(cli, ["content", "export", str(out_dir), "--json"])
    assert exported.exit_code == 0 and json.loads(exported.stdout)["tracks"] == 3
    code, out = _load(runner, str(out_dir))
    assert code == 0 and not (out["created"] or out["updated"] or out["retired"] or out["conflicts"]), out
    assert not Activity.get(Activity.slug == "elite-coaching").published
    assert 'published = false' in (out_dir / "elite" / "track.toml").read_text(encoding="utf-8")
    assert runner.invoke(cli, ["content", "export", str(out_dir)]).exit_code == 2  # not empty


def test_question_edited_on_the_web_is_kept_unless_forced(runner, conn, tmp_path, app):
    from lms.models import Question

    assessments = Path(shutil.copytree(ROOT / "assessments", tmp_path / "assessments"))
    app.config["LMS_PATHS_ASSESSMENTS"] = str(assessments)
    _load(runner)
    question = Question.select().order_by(Question.id).first()
    Question.update(feedback="网页上改过的解析").where(Question.id == question.id).execute()
    code, out = _load(runner)  # the file still says otherwise: reported, and the web's version kept
    assert out["conflicts"] == [f"question {question.slug}"]
    assert Question.get_by_id(question.id).feedback == "网页上改过的解析"
    bank_file = next(f for f in (assessments / "banks").glob("*.toml") if f'id = "{question.slug}"' in f.read_text("utf-8"))
    text = bank_file.read_text(encoding="utf-8")
    start = text.index(f'id = "{question.slug}"')
    prompt_at = text.index("prompt = ", start)
    bank_file.write_text(text[:prompt_at] + 'prompt = "文件里改过的题干"\n' + text[text.index("\n", prompt_at) + 1:],
                         encoding="utf-8")
    code, out = _load(runner)
    assert out["conflicts"] == [f"question {question.slug}"]
    assert Question.get_by_id(question.id).feedback == "网页上改过的解析"
    code, out = _load(runner, "--force")
    assert out["overwritten"] == [f"question {question.slug}"]
    assert Question.get_by_id(question.id).prompt == "文件里改过的题干"
