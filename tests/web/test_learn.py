"""Learning through HTTP: lessons, completion, progress, prerequisite locks, tiers, safe Markdown."""
import datetime as dt
import re

import pytest

from lms.models import Activity, Completion, Track
from lms.services import clock
from lms.services.content_pack import read_pack
from lms.services.content_store import load_pack

from ..factories import csrf_token, login, make_team, make_user
from ..test_cli_content import ROOT


@pytest.fixture
def content(app, conn):
    load_pack(read_pack(ROOT / "courses"))


def _complete(client, slug):
    token = csrf_token(client, f"/learn/activities/{slug}")
    return client.post(f"/learn/activities/{slug}/complete", data={"csrf_token": token})


def _percent(html, label):
    match = re.search(r'aria-valuenow="(\d+)" aria-valuemin="0" aria-valuemax="100" aria-label="%s"' % label, html)
    return int(match.group(1))


def test_agent_completes_lessons_progress_rises_and_next_module_unlocks(app, content):
    clock.freeze(dt.datetime(2026, 11, 24, 2))
    agent = make_user(("agent",), make_team(), hire_date=dt.date(2026, 11, 16))
    client = app.test_client()
    login(client, agent)
    client.post("/locale/en", data={"csrf_token": csrf_token(client, "/")})
    home = client.get("/").get_data(as_text=True)
    assert "新人训" in home and "newcomer-service-process" in home
    track = client.get("/learn/tracks/newcomer").get_data(as_text=True)
    assert _percent(track, "Track progress") == 0 and "Opens when you finish: 服务流程与合规" in track
    assert "week 1 of 4; by the calendar you should be in week 2" in track
    locked = client.get("/learn/activities/newcomer-basic-scripts")
    assert locked.status_code == 403
    assert _complete(client, "newcomer-basic-scripts").status_code == 303
    assert Completion.select().count() == 0  # a locked lesson cannot be completed
    lesson = client.get("/learn/activities/newcomer-service-process").get_data(as_text=True)
    assert "<h1>标准服务流程" in lesson
    response = _complete(client, "newcomer-service-process")
    assert response.status_code == 303 and response.headers["Location"].endswith(
        "/learn/activities/newcomer-compliance-red-lines")
    _complete(client, "newcomer-service-process")  # twice: still one completion
    assert Completion.select().count() == 1
    _complete(client, "newcomer-compliance-red-lines")
    track = client.get("/learn/tracks/newcomer").get_data(as_text=True)
    assert _percent(track, "Track progress") == 20  # 2 of 10 activities
    assert _percent(track, "服务流程与合规") == 67  # the module's quiz is still to pass
    assert client.get("/learn/activities/newcomer-basic-scripts").status_code == 403
    quiz = Activity.get(Activity.slug == "newcomer-process-quiz")
    Completion.create(user=agent, activity=quiz, score=90, passed=True)  # passing: see test_quiz.py
    track = client.get("/learn/tracks/newcomer").get_data(as_text=True)
    assert _percent(track, "服务流程与合规") == 100
    assert client.get("/learn/activities/newcomer-basic-scripts").status_code == 200  # unlocked


def test_completion_needs_csrf(app, content):
    agent = make_user(("agent",), make_team())
    client = app.test_client()
    login(client, agent)
    assert client.post("/learn/activities/newcomer-service-process/complete").status_code == 400
    assert Completion.select().count() == 0


def test_agents_open_their_tier_and_below_only(app, content):
    newcomer, elite = make_user(("agent",)), make_user(("agent",), tier="elite")
    client = app.test_client()
    login(client, newcomer)
    assert client.get("/learn/tracks/advanced").status_code == 404
    assert client.get("/learn/activities/elite-coaching").status_code == 404
    other = app.test_client()
    login(other, elite)
    assert other.get("/learn/tracks/newcomer").status_code == 200
    assert other.get("/learn/tracks/elite").status_code == 200
    listing = other.get("/learn/").get_data(as_text=True)
    assert "新人训" in listing and "精英训" in listing


def test_trainer_previews_but_does_not_complete(app, content):
    trainer = make_user(("trainer",))
    client = app.test_client()
    login(client, trainer)
    page = client.get("/learn/activities/elite-coaching").get_data(as_text=True)
    assert "辅导他人" in page and "complete" not in page.split("lms-lesson")[-1].split("</section>")[0]
    assert _complete(client, "elite-coaching").status_code == 303
    assert Completion.select().count() == 0


def test_unpublished_lessons_are_hidden(app, content):
    Activity.update(published=False).where(Activity.slug == "newcomer-self-calm").execute()
    Track.update(published=False).where(Track.slug == "advanced").execute()
    client = app.test_client()
    login(client, make_user(("agent",), tier="advanced"))
    assert client.get("/learn/activities/newcomer-self-calm").status_code == 404
    assert client.get("/learn/tracks/advanced").status_code == 404


def test_lesson_markdown_is_sanitised(app, content):
    Activity.update(body="# 标题\n\n<script>alert(1)</script>\n\n<img src=x onerror=alert(2)>\n\n"
                         "[点我](javascript:alert(3))").where(Activity.slug == "newcomer-service-process").execute()
    client = app.test_client()
    login(client, make_user(("agent",)))
    page = client.get("/learn/activities/newcomer-service-process").get_data(as_text=True)
    assert "<h1>标题</h1>" in page
    assert "<script>alert" not in page and "onerror" not in page and "javascript:" not in page
