"""Curriculum authoring through HTTP: edits reach the agents' pages, sanitised; preview; order; errors."""
import re

import pytest

from lms.models import Activity, ContentChange, Module, Track
from lms.services.content_pack import read_pack
from lms.services.content_store import load_pack

from ..factories import csrf_token, login, make_team, make_user
from ..test_cli_content import ROOT

LESSON = "newcomer-service-process"


@pytest.fixture
def content(app, conn):
    load_pack(read_pack(ROOT / "courses"))


@pytest.fixture
def trainer_client(app, content):
    client = app.test_client()
    login(client, make_user(("trainer",), name="培训师"))
    client.post("/locale/en", data={"csrf_token": csrf_token(client, "/")})
    return client


@pytest.fixture
def agent_client(app, content):
    client = app.test_client()
    login(client, make_user(("agent",), make_team()))
    return client


def _post(client, path, data, page=None):
    return client.post(path, data=dict(data, csrf_token=csrf_token(client, page or path)))


def _lesson_form(**changes):
    activity = Activity.get(Activity.slug == LESSON)
    data = {"title": activity.title, "minutes": str(activity.minutes), "required": "y", "body": activity.body}
    data.update(changes)
    return data


def test_trainer_edits_a_lesson_and_the_agent_sees_it_sanitised(trainer_client, agent_client):
    body = "# 新版流程\n\n先问候，再确认身份。\n\n<script>alert('x')</script>\n\n[链接](javascript:alert(1))"
    response = _post(trainer_client, f"/authoring/activities/{LESSON}", _lesson_form(body=body))
    assert response.status_code == 303 and response.headers["Location"].endswith(
        "/authoring/tracks/newcomer#module-newcomer-process")
    change = ContentChange.select().where(ContentChange.action == "web_edit").get()
    assert (change.kind, change.slug) == ("activity", LESSON)
    page = agent_client.get(f"/learn/activities/{LESSON}").get_data(as_text=True)
    assert "<h1>新版流程</h1>" in page and "先问候，再确认身份。" in page
    assert "<script>alert" not in page and "javascript:" not in page
    editor = trainer_client.get(f"/authoring/activities/{LESSON}").get_data(as_text=True)
    assert "<script>alert" not in editor.split('id="lms-preview"')[1]  # the pane shows sanitised HTML
    assert 'src="/static/preview.js"' in editor and "<script>" not in editor.replace("<script src=", "")
    track = trainer_client.get("/authoring/tracks/newcomer").get_data(as_text=True)
    history = track.split("History")[-1]
    assert "培训师" in history and LESSON in history and "edited: body" in history


def test_no_js_preview_renders_without_saving(trainer_client):
    response = _post(trainer_client, f"/authoring/activities/{LESSON}",
                     _lesson_form(body="## 草稿 <script>x()</script>", preview="1"))
    assert response.status_code == 200
    pane = response.get_data(as_text=True).split('id="lms-preview"')[1]
    assert "<h2>草稿" in pane and "<script>x()" not in pane
    assert "草稿" not in Activity.get(Activity.slug == LESSON).body


def test_preview_endpoint_returns_sanitised_html_and_requires_csrf(trainer_client):
    token = csrf_token(trainer_client, f"/authoring/activities/{LESSON}")
    response = trainer_client.post("/authoring/preview", data={
        "csrf_token": token, "body": "**粗体** <script>alert(1)</script> <img src=x onerror=alert(2)>"})
    assert response.status_code == 200 and response.is_json
    html = response.get_json()["html"]
    assert "<strong>粗体</strong>" in html
    assert "<script" not in html and "onerror" not in html
    assert trainer_client.post("/authoring/preview", data={"body": "x"}).status_code == 400
    assert ContentChange.select().where(ContentChange.action != "load:created").count() == 0


@pytest.mark.parametrize("path", ["/authoring/", "/authoring/tracks/newcomer", f"/authoring/activities/{LESSON}"])
def test_agents_and_managers_get_403(app, content, path):
    for roles in (("agent",), ("manager",)):
        client = app.test_client()
        login(client, make_user(roles))
        assert client.get(path).status_code == 403
        assert client.post("/authoring/preview", data={"body": "x"}).status_code == 403


def test_reorder_changes_the_agents_track_page(trainer_client, agent_client):
    def order(html):
        return re.findall(r"<h2>\d+\. ([^<]+)</h2>", html)

    before = order(agent_client.get("/learn/tracks/newcomer").get_data(as_text=True))
    second = Module.select().join(Track).where(Track.slug == "newcomer").order_by(Module.position)[1]
    page = "/authoring/tracks/newcomer"
    response = _post(trainer_client, f"/authoring/modules/{second.slug}/move", {"direction": "up"}, page)
    assert response.status_code == 303
    after = order(agent_client.get("/learn/tracks/newcomer").get_data(as_text=True))
    assert after == [before[1], before[0], *before[2:]]
    first_activity = Activity.get(Activity.slug == LESSON)
    _post(trainer_client, f"/authoring/activities/{LESSON}/move", {"direction": "down"}, page)
    assert Activity.get_by_id(first_activity.id).position == 2
    assert _post(trainer_client, f"/authoring/modules/{second.slug}/move", {"direction": "left"}, page
                 ).status_code == 400
    assert trainer_client.post(f"/authoring/modules/{second.slug}/move", data={"direction": "up"}).status_code == 400
    assert _post(trainer_client, "/authoring/modules/no-such/move", {"direction": "up"}, page).status_code == 404


def test_unpublish_hides_from_agents_and_publish_brings_back(trainer_client, agent_client):
    page = "/authoring/tracks/newcomer"
    response = _post(trainer_client, f"/authoring/activities/{LESSON}/publish", {"published": "0"}, page)
    assert response.status_code == 303
    assert agent_client.get(f"/learn/activities/{LESSON}").status_code == 404
    _post(trainer_client, f"/authoring/activities/{LESSON}/publish", {"published": "1"}, page)
    assert agent_client.get(f"/learn/activities/{LESSON}").status_code == 200
    assert _post(trainer_client, "/authoring/people/x/publish", {"published": "1"}, page).status_code == 404


def test_create_track_module_and_activity_through_the_forms(trainer_client):
    Track.delete().where(Track.slug == "elite").execute()
    response = _post(trainer_client, "/authoring/tracks/new",
                     {"slug": "elite-2", "tier": "elite", "title": "精英训二", "summary": "", "weeks": ""})
    assert response.status_code == 303
    response = _post(trainer_client, "/authoring/tracks/elite-2/modules/new",
                     {"slug": "e2-first", "title": "第一单元", "summary": "", "week": "1"})
    assert response.status_code == 303
    response = _post(trainer_client, "/authoring/modules/e2-first/activities/new",
                     {"slug": "e2-quiz", "kind": "quiz", "title": "小测", "minutes": "10", "ref": "q-e2"})
    assert response.status_code == 303
    quiz = Activity.get(Activity.slug == "e2-quiz")
    assert (quiz.kind, quiz.ref, quiz.required, quiz.module.track.tier) == ("quiz", "q-e2", False, "elite")
    page = trainer_client.get("/authoring/tracks/elite-2").get_data(as_text=True)
    assert "第一单元" in page and "小测" in page


@pytest.mark.parametrize("path, data, field_error", [
    ("/authoring/tracks/newcomer/modules/new", {"slug": "Bad Slug", "title": "x"}, "Lower-case letters"),
    ("/authoring/tracks/newcomer/modules/new", {"slug": "newcomer-process", "title": "x"}, "already taken"),
    ("/authoring/tracks/newcomer/modules/new", {"slug": "fine", "title": ""}, "This field is required"),
    ("/authoring/modules/newcomer-process", {"title": "x", "prerequisites": ["newcomer-scenarios"]},
     "prerequisite cycle"),
    ("/authoring/modules/newcomer-process", {"title": "x", "week": "many"}, "Not a valid integer"),
    (f"/authoring/activities/{LESSON}", {"title": "x", "minutes": "0", "body": "x"}, "Number must be"),
    (f"/authoring/activities/{LESSON}", {"title": "x", "minutes": "5", "body": " "}, "A lesson needs a body"),
    ("/authoring/modules/newcomer-process/activities/new",
     {"slug": "new-quiz", "kind": "quiz", "title": "x", "minutes": "5", "ref": ""}, "names the one it runs"),
    ("/authoring/tracks/new", {"slug": "again", "tier": "newcomer", "title": "x"}, "Not a valid choice"),
])
def test_validation_errors_give_400_and_change_nothing(trainer_client, path, data, field_error):
    count = ContentChange.select().count()
    response = _post(trainer_client, path, data)
    assert response.status_code == 400
    assert field_error in response.get_data(as_text=True)
    assert ContentChange.select().count() == count


def test_forms_need_csrf_and_unknown_slugs_are_404(trainer_client):
    response = trainer_client.post(f"/authoring/activities/{LESSON}", data=_lesson_form(title="没有令牌"))
    assert response.status_code == 400
    assert Activity.get(Activity.slug == LESSON).title != "没有令牌"
    for path in ("/authoring/tracks/nope", "/authoring/modules/nope", "/authoring/activities/nope",
                 "/authoring/tracks/nope/edit", "/authoring/modules/nope/activities/new"):
        assert trainer_client.get(path).status_code == 404, path


def test_admin_may_author_too(app, content):
    client = app.test_client()
    login(client, make_user(("admin",)))
    assert client.get("/authoring/").status_code == 200
    assert "/authoring/" in client.get("/").get_data(as_text=True)  # the nav entry
