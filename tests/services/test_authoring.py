"""Curriculum authoring services: create, edit, reorder, publish; slugs, cycles, history, pack conflicts."""
import json

import pytest

from lms.models import Activity, ContentChange, Module, ModulePrerequisite, Track
from lms.services import authoring
from lms.services.authoring import AuthoringError
from lms.services.content_pack import read_pack
from lms.services.content_store import load_pack

from ..factories import make_user
from ..test_cli_content import ROOT


@pytest.fixture
def trainer(conn):
    return make_user(("trainer",), name="培训师")


@pytest.fixture
def shipped(conn):
    load_pack(read_pack(ROOT / "courses"))


def _changes(slug):
    return list(ContentChange.select().where(ContentChange.slug == slug).order_by(ContentChange.id))


def _slugs(model, **where):
    query = model.select().order_by(model.position)
    for name, value in where.items():
        query = query.where(getattr(model, name) == value)
    return [row.slug for row in query]


def test_create_a_track_module_and_activities(trainer):
    track = authoring.create_track(trainer, slug="pilot", tier="newcomer", title=" 试点 ", weeks=2)
    module = authoring.create_module(trainer, track, slug="pilot-one", title="第一单元", week=1)
    second = authoring.create_module(trainer, track, slug="pilot-two", title="第二单元", prerequisites=["pilot-one"])
    lesson = authoring.create_activity(trainer, module, slug="pilot-lesson", kind="lesson", title="课",
                                       body="# 标题\r\n\r\n正文\r\n\r\n")
    quiz = authoring.create_activity(trainer, module, slug="pilot-quiz", kind="quiz", title="测验", ref="q1",
                                     body="ignored")
    assert track.title == "试点" and track.updated_by_id == trainer.id
    assert (module.position, second.position, lesson.position, quiz.position) == (1, 2, 1, 2)
    assert lesson.body == "# 标题\n\n正文\n" and quiz.body == "" and quiz.ref == "q1"
    assert authoring.prerequisite_slugs(second) == ["pilot-one"]
    assert [c.action for c in ContentChange.select()] == ["created"] * 5
    assert all(c.user_id == trainer.id for c in ContentChange.select())


@pytest.mark.parametrize("slug", ["Pilot", "pilot one", "-pilot", "", "x" * 65, "课程"])
def test_bad_slugs_are_rejected(trainer, slug):
    with pytest.raises(AuthoringError) as info:
        authoring.create_track(trainer, slug=slug, tier="newcomer", title="T")
    assert info.value.field == "slug"
    assert Track.select().count() == 0


def test_duplicate_slugs_and_tiers_are_rejected(trainer, shipped):
    track = Track.get(Track.slug == "newcomer")
    with pytest.raises(AuthoringError, match="already taken") as info:
        authoring.create_module(trainer, track, slug="newcomer-process", title="again")
    assert info.value.field == "slug"
    module = Module.get(Module.slug == "newcomer-process")
    with pytest.raises(AuthoringError, match="already taken"):
        authoring.create_activity(trainer, module, slug="newcomer-service-process", kind="lesson", title="x",
                                  body="x")
    with pytest.raises(AuthoringError) as info:
        authoring.create_track(trainer, slug="newcomer-2", tier="newcomer", title="x")
    assert info.value.field == "tier"
    # A slug is unique per model: a module may share an activity's slug.
    assert authoring.create_module(trainer, track, slug="newcomer-service-process", title="ok").id


def test_activity_checks(trainer, shipped):
    module = Module.get(Module.slug == "newcomer-process")
    for kwargs, field in [({"kind": "lesson", "body": "  "}, "body"), ({"kind": "quiz", "ref": ""}, "ref"),
                          ({"kind": "video"}, "kind"), ({"kind": "lesson", "body": "x", "minutes": 0}, "minutes"),
                          ({"kind": "lesson", "body": "x", "title": " "}, "title")]:
        kwargs = {"title": "t", **kwargs}
        with pytest.raises(AuthoringError) as info:
            authoring.create_activity(trainer, module, slug="new-one", **kwargs)
        assert info.value.field == field, kwargs


def test_edit_records_the_changed_fields_and_keeps_file_hash(trainer, shipped):
    activity = Activity.get(Activity.slug == "newcomer-service-process")
    file_hash = activity.file_hash
    changed = authoring.update_activity(trainer, activity, title=activity.title, minutes=12,
                                        required=activity.required, body="# 新的标题\n\n新的正文", ref="")
    assert changed == ["minutes", "body"]
    fresh = Activity.get_by_id(activity.id)
    assert fresh.body == "# 新的标题\n\n新的正文\n" and fresh.minutes == 12
    assert fresh.file_hash == file_hash and fresh.updated_by_id == trainer.id
    change = _changes("newcomer-service-process")[-1]
    assert (change.kind, change.action, change.user_id) == ("activity", "web_edit", trainer.id)
    assert json.loads(change.detail) == {"fields": ["minutes", "body"]}
    # Saving the same text again (as a browser sends it, with CRLF) changes nothing and logs nothing.
    count = ContentChange.select().count()
    assert authoring.update_activity(trainer, fresh, title=fresh.title, minutes=12, required=fresh.required,
                                     body="# 新的标题\r\n\r\n新的正文\r\n") == []
    assert ContentChange.select().count() == count


def test_web_edit_makes_the_pack_load_report_a_conflict(trainer, shipped):
    activity = Activity.get(Activity.slug == "newcomer-service-process")
    authoring.update_activity(trainer, activity, title="改过的标题", minutes=activity.minutes,
                              required=activity.required, body=activity.body)
    authoring.update_track(trainer, Track.get(Track.slug == "elite"), title="精英训", summary="", weeks=None)
    report = load_pack(read_pack(ROOT / "courses"))
    assert report.conflicts == ["track elite", "activity newcomer-service-process"]
    assert Activity.get_by_id(activity.id).title == "改过的标题"  # the web edit is kept


def test_reorder_modules_and_activities(trainer, shipped):
    track = Track.get(Track.slug == "newcomer")
    before = _slugs(Module, track=track)
    second = Module.get(Module.slug == before[1])
    assert authoring.move(trainer, second, "up")
    assert _slugs(Module, track=track) == [before[1], before[0], *before[2:]]
    assert not authoring.move(trainer, Module.get(Module.slug == before[1]), "up")  # already first
    last = Module.get(Module.slug == before[-1])
    assert not authoring.move(trainer, last, "down")
    change = _changes(before[1])[-1]
    assert change.action == "moved" and json.loads(change.detail)["position"] == [2, 1]
    module = Module.get(Module.slug == before[0])
    activities = _slugs(Activity, module=module)
    authoring.move(trainer, Activity.get(Activity.slug == activities[0]), "down")
    assert _slugs(Activity, module=module) == [activities[1], activities[0], *activities[2:]]
    with pytest.raises(AuthoringError):
        authoring.move(trainer, module, "sideways")


def test_publish_toggles(trainer, shipped):
    module = Module.get(Module.slug == "newcomer-process")
    assert authoring.set_published(trainer, module, False)
    assert not Module.get_by_id(module.id).published
    assert not authoring.set_published(trainer, Module.get_by_id(module.id), False)  # already so
    assert authoring.set_published(trainer, Module.get_by_id(module.id), True)
    assert [c.action for c in _changes("newcomer-process") if not c.action.startswith("load")] == \
        ["unpublished", "published"]


def test_prerequisite_cycles_are_rejected(trainer):
    track = authoring.create_track(trainer, slug="t", tier="advanced", title="T")
    a = authoring.create_module(trainer, track, slug="a", title="甲")
    authoring.create_module(trainer, track, slug="b", title="乙", prerequisites=["a"])
    c = authoring.create_module(trainer, track, slug="c", title="丙", prerequisites=["b"])
    with pytest.raises(AuthoringError, match="cycle: 甲 → 丙 → 乙 → 甲") as info:
        authoring.update_module(trainer, a, title="甲", prerequisites=["c"])
    assert info.value.field == "prerequisites"
    with pytest.raises(AuthoringError, match="another module"):
        authoring.update_module(trainer, a, title="甲", prerequisites=["a"])
    assert authoring.prerequisite_slugs(a) == []
    other = authoring.create_track(trainer, slug="o", tier="elite", title="O")
    authoring.create_module(trainer, other, slug="elsewhere", title="别处")
    with pytest.raises(AuthoringError, match="same track"):
        authoring.update_module(trainer, c, title="丙", prerequisites=["elsewhere"])
    assert authoring.update_module(trainer, c, title="丙", prerequisites=["a", "b"]) == ["prerequisites"]
    assert ModulePrerequisite.select().where(ModulePrerequisite.module == c).count() == 2
    assert authoring.history(track)[0].fields == ["prerequisites"]


def test_history_lists_the_tracks_changes_newest_first(trainer, shipped):
    track = Track.get(Track.slug == "advanced")
    authoring.update_track(trainer, track, title="进阶", summary=track.summary, weeks=track.weeks)
    authoring.set_published(trainer, Activity.get(Activity.slug == "advanced-solution-design"), False)
    authoring.update_track(trainer, Track.get(Track.slug == "elite"), title="精英", summary="", weeks=None)
    entries = authoring.history(track)
    assert [(e.kind, e.slug, e.action, e.user) for e in entries[:2]] == [
        ("activity", "advanced-solution-design", "unpublished", "培训师"), ("track", "advanced", "web_edit", "培训师")]
    assert entries[1].fields == ["title"]
    assert all(e.slug != "elite" for e in entries)
    assert {e.action for e in entries[2:]} == {"load:created"}
