"""Pages every signed-in user meets, error pages, the database settings."""
import peewee

from lms import create_app, db

from ..factories import csrf_token, login, make_team, make_user


def test_sqlite_runs_with_wal_foreign_keys_and_busy_timeout(app, conn):
    if not isinstance(db.database.obj, peewee.SqliteDatabase):
        return
    assert db.database.execute_sql("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.database.execute_sql("PRAGMA foreign_keys").fetchone()[0] == 1
    assert db.database.execute_sql("PRAGMA busy_timeout").fetchone()[0] == 5000


def test_healthz_is_503_when_the_database_is_unreachable(database_url, tmp_path):
    app = create_app(database_url="postgresql://nobody@127.0.0.1:9/none", TESTING=True)
    response = app.test_client().get("/healthz")
    assert response.status_code == 503 and response.get_json()["database"] is False
    db.bind(database_url)


def test_500_page_leaks_nothing(app):
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.route("/boom")
    def boom():
        raise RuntimeError("secret detail /srv/app/lms/web/views.py line 12")

    response = app.test_client().get("/boom")
    body = response.get_data(as_text=True)
    assert response.status_code == 500 and "secret detail" not in body and "Traceback" not in body


def test_home_and_profile_show_tier_and_team(app, client):
    team = make_team("在线一组")
    user = make_user(("agent", "mentor"), team, "A300", name="赵敏", tier="elite")
    login(client, user)
    client.post("/locale/en", data={"csrf_token": csrf_token(client, "/")})
    home = client.get("/").get_data(as_text=True)
    assert "赵敏" in home and "在线一组" in home and "elite mentor" in home
    profile = client.get("/me").get_data(as_text=True)
    assert "Tier history" in profile and "A300" in profile


def test_navigation_is_role_aware(app):
    team = make_team()
    agent_client, admin_client = app.test_client(), app.test_client()
    login(agent_client, make_user(("agent",), team))
    login(admin_client, make_user(("admin",)))
    agent_page = agent_client.get("/").get_data(as_text=True)
    admin_page = admin_client.get("/").get_data(as_text=True)
    assert 'href="/admin/users"' not in agent_page and 'href="/people/"' not in agent_page
    assert 'href="/admin/users"' in admin_page and 'href="/admin/org"' in admin_page
