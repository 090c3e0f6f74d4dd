"""Reading packs: the shipped packs are clean; each kind of error is named with file and key."""
import shutil
from pathlib import Path

import pytest

from lms.services.content_pack import read_pack

ROOT = Path(__file__).resolve().parents[2]


def test_shipped_packs_are_clean():
    pack = read_pack(ROOT / "courses")
    assert pack.ok, pack.problems
    assert {t.tier for t in pack.tracks} == {"newcomer", "advanced", "elite"}
    assert pack.counts()["lessons"] >= 12
    newcomer = next(t for t in pack.tracks if t.slug == "newcomer")
    assert newcomer.weeks == 4 and all(m.week for m in newcomer.modules)
    assert all(a.body.startswith("# ") for t in pack.tracks for m in t.modules for a in m.activities
               if a.kind == "lesson")


@pytest.fixture
def pack_dir(tmp_path):
    target = tmp_path / "courses"
    shutil.copytree(ROOT / "courses", target)
    return target


def _edit(path: Path, old: str, new: str):
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.mark.parametrize("old, new, where, message", [
    ('weeks = 4', 'weeks = = 4', "line ", "not valid TOML"),
    ('weeks = 4', 'weeks = 4\ncolour = "blue"', "colour", "unknown key"),
    ('  minutes = 8\n', '  minutes = 8\n  difficulty = 3\n', "modules[1].activities[1].difficulty", "unknown key"),
    ('body = "lessons/01-service-process.md"', 'body = "lessons/missing.md"', "modules[1].activities[1].body",
     "lesson file not found: lessons/missing.md"),
    ('slug = "newcomer-compliance-red-lines"', 'slug = "newcomer-service-process"',
     "modules[1].activities[2].slug", "duplicate slug 'newcomer-service-process'"),
    ('week = 1\n', 'week = 1\nprerequisites = ["newcomer-scenarios"]\n', "modules", "prerequisite cycle"),
    ('prerequisites = ["newcomer-process"]', 'prerequisites = ["newcomer-nowhere"]',
     "modules[2].prerequisites", "unknown module 'newcomer-nowhere'"),
    ('required = "all"', 'required = ["newcomer-service-process", "newcomer-ghost"]', "pass.required",
     "unknown activity 'newcomer-ghost'"),
    ('tier = "newcomer"', 'tier = "expert"', "tier", "unknown tier"),
    ('weeks = 4', 'weeks = "four"', "weeks", "expected int"),
    ('kind = "lesson"', 'kind = "video"', "modules[1].activities[1].kind", "unknown kind"),
    ('slug = "newcomer-process"', 'slug = "Newcomer Process"', "modules[1].slug", "lower-case"),
])
def test_each_kind_of_error_names_file_and_key(pack_dir, old, new, where, message):
    track = pack_dir / "newcomer" / "track.toml"
    _edit(track, old, new)
    pack = read_pack(pack_dir)
    assert not pack.ok
    assert any(p.file == str(track) and p.where.startswith(where) and message in p.message
               for p in pack.problems), [str(p) for p in pack.problems]


def test_duplicate_tier_and_slug_across_tracks(pack_dir):
    _edit(pack_dir / "advanced" / "track.toml", 'tier = "advanced"', 'tier = "newcomer"')
    problems = [str(p) for p in read_pack(pack_dir).problems]
    assert any("tier 'newcomer' already has track" in p for p in problems)


def test_a_lesson_path_may_not_leave_the_track_folder(pack_dir):
    _edit(pack_dir / "newcomer" / "track.toml", 'body = "lessons/01-service-process.md"',
          'body = "../../../etc/passwd"')
    assert any("outside the track folder" in p.message for p in read_pack(pack_dir).problems)


def test_a_folder_without_tracks(tmp_path):
    assert "no track folder" in read_pack(tmp_path).problems[0].message
    assert "not a folder" in read_pack(tmp_path / "nope").problems[0].message
