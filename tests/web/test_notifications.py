"""The notifications page: one's own only, newest first, unread highlighted, mark read with
CSRF, and never a link that leaves the app."""
import re

import pytest

from lms.config import load_settings
from lms.models.notify import Notification
from lms.services.notify import notify, unread_count

from ..factories import csrf_token, login, make_team, make_user

SETTINGS = load_settings(None, environ={"LMS_CONFIG": ""})


@pytest.fixture
def world(app, conn):
    team = make_team("在线一组")
    me = make_user(("agent",), team, "A1", name="陈晓")
    other = make_user(("agent",), team, "A2", name="李娜")
    mine = [notify(me, "task", "今日微任务：共情开场", "完成三句共情开场白", "/learn/", settings=SETTINGS),
            notify(me, "graded", "演练已评分", "得分 86", settings=SETTINGS)]
    theirs = notify(other, "overdue", "别人的逾期提醒", settings=SETTINGS)
    return {"me": me, "other": other, "mine": mine, "theirs": theirs}


def _signed_in(app, user):
    client = app.test_client()
    login(client, user)
    return client


def test_the_list_shows_only_ones_own_newest_first(app, world):
    page = _signed_in(app, world["me"]).get("/notifications/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "别人的逾期提醒" not in html
    assert html.index("演练已评分") < html.index("今日微任务：共情开场")  # same moment: the later id first
    assert html.count("lms-notification lms-unread") == 2
    assert '<script' not in html and 'style="' not in html  # the CSP allows neither


def test_mark_one_read_needs_csrf(app, world):
    client = _signed_in(app, world["me"])
    target = world["mine"][0]
    assert client.post("/notifications/read", data={"id": target.id}).status_code == 400
    assert Notification.get_by_id(target.id).read_at is None
    token = csrf_token(client, "/notifications/")
    answer = client.post("/notifications/read", data={"id": target.id, "csrf_token": token})
    assert answer.status_code == 303 and answer.headers["Location"].endswith("/notifications/")
    assert Notification.get_by_id(target.id).read_at is not None
    html = client.get("/notifications/").get_data(as_text=True)
    assert html.count("lms-notification lms-unread") == 1


def test_mark_all_read_and_someone_elses_id_changes_nothing(app, world):
    client = _signed_in(app, world["me"])
    token = csrf_token(client, "/notifications/")
    assert client.post("/notifications/read", data={"id": world["theirs"].id, "csrf_token": token}).status_code == 303
    assert unread_count(world["other"]) == 1
    assert client.post("/notifications/read", data={"csrf_token": token}).status_code == 400  # neither id nor all
    assert client.post("/notifications/read", data={"all": "1", "csrf_token": token}).status_code == 303
    assert unread_count(world["me"]) == 0 and unread_count(world["other"]) == 1
    assert "lms-unread" not in client.get("/notifications/").get_data(as_text=True)


@pytest.mark.parametrize("link", ["https://evil.example/login", "//evil.example/login", "/\\evil.example/login",
                                  "javascript:alert(1)", "HTTPS://evil.example"])
def test_an_outside_link_is_never_rendered_as_a_link(app, world, link):
    # Written directly, past notify()'s own check: the page must not trust what is stored.
    Notification.create(user=world["me"], kind="task", title="请重新登录", link=link)
    html = _signed_in(app, world["me"]).get("/notifications/").get_data(as_text=True)
    assert "请重新登录" in html
    assert "evil.example" not in html and "javascript:" not in html
    hrefs = re.findall(r'href="([^"]*)"', html)
    assert all(h.startswith("/") and not h.startswith("//") for h in hrefs), hrefs


def test_an_inside_link_is_rendered_under_the_app(app, world):
    html = _signed_in(app, world["me"]).get("/notifications/").get_data(as_text=True)
    assert re.search(r'<a href="/learn/">\s*今日微任务：共情开场</a>', html)


def test_fifty_per_page(app, world):
    for i in range(50):
        notify(world["me"], "task", f"批量通知{i:02d}", settings=SETTINGS)
    client = _signed_in(app, world["me"])
    first = client.get("/notifications/").get_data(as_text=True)
    second = client.get("/notifications/?page=2").get_data(as_text=True)
    assert first.count('<li class="lms-notification') == 50 and second.count('<li class="lms-notification') == 2
    assert "page=2" in first and "演练已评分" not in first and "演练已评分" in second


def test_signed_out_people_are_sent_to_sign_in(app, world):
    answer = app.test_client().get("/notifications/")
    assert answer.status_code == 302 and "/login" in answer.headers["Location"]


def test_links_and_redirects_follow_the_mount_prefix(tmp_path, database_url, conn):
    from .test_plugin import make_host

    host = make_host(tmp_path, database_url)
    agent = make_user(("agent",), make_team(), "A100")  # the host's signed-in user
    notify(agent, "task", "今日微任务", link="/learn/", settings=SETTINGS)
    client = host.test_client()
    client.get("/signin/1")
    html = client.get("/training/notifications/").get_data(as_text=True)
    assert re.search(r'<a href="/training/learn/">\s*今日微任务</a>', html)
    token = csrf_token(client, "/training/notifications/")
    answer = client.post("/training/notifications/read", data={"all": "1", "csrf_token": token})
    assert answer.status_code == 303 and answer.headers["Location"].endswith("/training/notifications/")
    assert unread_count(agent) == 0


def test_the_header_shows_how_many_are_unread(app, conn):
    from lms.services.notify import notify_many

    from ..factories import login, make_user

    user = make_user(("agent",), None, "BELL")
    client = app.test_client()
    login(client, user)
    assert "lms-badge" not in client.get("/").get_data(as_text=True)
    notify_many("task", "Today's micro-task is ready", [(user.id, "bell:1", "t", "/tasks/"),
                                                         (user.id, "bell:2", "t", "/tasks/")])
    assert '<span class="lms-badge"' in client.get("/").get_data(as_text=True) and ">2</span>" in \
        client.get("/").get_data(as_text=True)
