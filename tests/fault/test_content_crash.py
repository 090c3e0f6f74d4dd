"""`lms content load` killed outright (SIGKILL: no cleanup, no rollback by the process) half-way
through the tracks or just before its commit leaves every table exactly as it was: on an empty
database and on one holding an earlier version of the pack. A later load then succeeds."""
import json
import re
import shutil
import signal
from pathlib import Path

from lms.models import ALL_MODELS, Activity, Track

from ..factories import run_lms
from .state import rows

COURSES = Path(__file__).resolve().parents[2] / "courses"


def _load(tmp_path, database_url, *args, failpoint=None):
    env = {"LMS_DATABASE_URL": database_url, **({"LMS_FAILPOINTS": failpoint} if failpoint else {})}
    return run_lms("content", "load", *args, "--json", cwd=tmp_path, env=env)


def _killed(result):
    assert result.returncode == -signal.SIGKILL, (result.returncode, result.stdout[-2000:], result.stderr[-2000:])


def _changed_pack(tmp_path) -> Path:
    """The shipped pack with every track renamed and a lesson rewritten: a load that updates rows."""
    pack = tmp_path / "courses"
    shutil.copytree(COURSES, pack)
    for track in pack.glob("*/track.toml"):
        text = track.read_text(encoding="utf-8")
        track.write_text(re.sub(r'^title = "(.*)"$', r'title = "\1（修订）"', text, count=1, flags=re.M),
                         encoding="utf-8")
    lesson = sorted(pack.glob("*/lessons/*.md"))[0]
    lesson.write_text(lesson.read_text(encoding="utf-8") + "\n\n补充一段修订说明。\n", encoding="utf-8")
    return pack


def test_a_killed_content_load_changes_nothing(database_url, conn, tmp_path):
    empty = rows(*ALL_MODELS)
    _killed(_load(tmp_path, database_url, failpoint="content-load:track-written"))
    assert rows(*ALL_MODELS) == empty

    loaded = _load(tmp_path, database_url)
    assert loaded.returncode == 0, loaded.stderr
    assert json.loads(loaded.stdout)["tracks"] == 3
    first = rows(*ALL_MODELS)
    assert Track.select().count() == 3 and Activity.select().count() > 0

    changed = _changed_pack(tmp_path)
    for point in ("content-load:track-written", "content-load:before-commit"):
        _killed(_load(tmp_path, database_url, str(changed), failpoint=point))
        assert rows(*ALL_MODELS) == first, point
    assert not Track.select().where(Track.title.contains("修订")).exists()
