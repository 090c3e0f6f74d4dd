"""The LMS mounted under /training in a host app with its own routes, templates and login."""
import pytest
from flask import Flask, redirect, render_template, request
from flask_login import LoginManager, UserMixin, login_user

from lms import LMS

from ..conftest import TEST_SECRET
from ..factories import csrf_token, make_team, make_user

HOST_LAYOUT = """<!doctype html><html><head><title>{% block title %}{% endblock %} - Intranet</title></head>
<body><header>ACME intranet</header>{% block content %}{% endblock %}</body></html>"""


class HostUser(UserMixin):
    def __init__(self, ident, employee_no):
        self.id, self.employee_no = ident, employee_no


def make_host(tmp_path, database_url, with_login=True):
    (tmp_path / "layout.html").write_text(HOST_LAYOUT, encoding="utf-8")
    (tmp_path / "home.html").write_text('{% extends "layout.html" %}{% block content %}host home{% endblock %}',
                                        encoding="utf-8")
    host = Flask("host", template_folder=str(tmp_path))
    host.config.update(SECRET_KEY=TEST_SECRET, TESTING=True)
    users = {"1": HostUser("1", "A100")}
    host.extensions["host_hook_calls"] = []
    if with_login:
        manager = LoginManager(host)
        manager.login_view = "host_login"
        manager.user_loader(users.get)

    @host.before_request
    def host_hook():
        host.extensions["host_hook_calls"].append(request.path)

    @host.route("/")
    def host_home():
        return render_template("home.html")

    @host.route("/signin")
    @host.route("/signin/<ident>")
    def host_login(ident="1"):
        login_user(users[ident])
        return redirect("/")

    @host.errorhandler(404)
    def host_not_found(error):
        return "host 404 page", 404

    LMS().init_app(host, url_prefix="/training", database_url=database_url, base_template="layout.html")
    return host


@pytest.fixture
def host(tmp_path, database_url):
    return make_host(tmp_path, database_url)


def test_host_routes_and_templates_still_work(host):
    client = host.test_client()
    assert client.get("/").get_data(as_text=True).endswith("host home</body></html>")
    assert client.get("/nowhere").get_data(as_text=True) == "host 404 page"
    assert client.get("/training/healthz").status_code == 200
    assert client.get("/training/static/lms.css").status_code == 200
    assert "/training/healthz" in host.extensions["host_hook_calls"]  # host hooks untouched


def test_lms_uses_the_hosts_login_manager_and_layout(host):
    team = make_team()
    agent = make_user(("agent",), team, "A100", name="陈晓")
    client = host.test_client()
    anonymous = client.get("/training/")
    assert anonymous.status_code == 302 and "/signin" in anonymous.headers["Location"]
    assert client.get("/training/login").status_code == 404  # the host signs people in
    client.get("/signin/1")
    page = client.get("/training/")
    body = page.get_data(as_text=True)
    assert page.status_code == 200 and agent.name in body
    assert "ACME intranet" in body and "- Intranet</title>" in body  # inside the host's layout
    assert 'href="/training/me"' in body


def test_lms_forms_need_csrf_in_the_host(host):
    make_user(("agent",), make_team(), "A100")
    client = host.test_client()
    client.get("/signin/1")
    assert client.post("/training/locale/en").status_code == 400
    token = csrf_token(client, "/training/")
    assert client.post("/training/locale/en", data={"csrf_token": token}).status_code == 302


def test_host_user_without_an_lms_account_is_sent_to_sign_in(host):
    client = host.test_client()
    client.get("/signin/1")  # host user A100 has no LMS account
    assert client.get("/training/").status_code == 302


def test_host_without_login_manager_gets_the_lms_sign_in(tmp_path, database_url):
    host = make_host(tmp_path, database_url, with_login=False)
    user = make_user(("agent",), make_team(), "A200")
    client = host.test_client()
    assert client.get("/training/").headers["Location"].startswith("/training/login")
    token = csrf_token(client, "/training/login")
    response = client.post("/training/login", data={"employee_no": user.employee_no,
                                                    "password": "Train1ng-pass", "csrf_token": token})
    assert response.status_code == 302
    assert client.get("/training/").status_code == 200
    assert client.get("/").get_data(as_text=True).endswith("host home</body></html>")


def test_lms_commands_are_under_flask_lms(host):
    result = host.test_cli_runner().invoke(args=["lms", "user", "list", "--json"])
    assert result.exit_code == 0 and result.output.strip() == "[]"
