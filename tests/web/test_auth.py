"""Signing in and out, throttling, first-login password change, invite links, CSRF."""
import datetime as dt

from lms.db import database
from lms.models import AuditLog, User
from lms.services import accounts, clock

from ..factories import csrf_token, login, make_user


def test_login_page_renders_in_chinese_by_default(client):
    response = client.get("/login")
    assert response.status_code == 200
    assert "登录" in response.get_data(as_text=True)


def test_login_and_logout(client):
    user = make_user()
    response = login(client, user)
    assert response.status_code == 302 and response.headers["Location"].endswith("/")
    assert user.name in client.get("/").get_data(as_text=True)
    token = csrf_token(client, "/")
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    assert client.get("/").status_code == 302


def test_wrong_password_is_rejected_without_saying_which_part(client):
    user = make_user()
    response = login(client, user, "wrong-password-1")
    assert response.status_code == 401
    missing = client.post("/login", data={"employee_no": "NOBODY", "password": "x1234567890",
                                          "csrf_token": csrf_token(client)})
    assert missing.status_code == 401
    assert response.get_data(as_text=True).count("alert") == missing.get_data(as_text=True).count("alert")


def test_login_post_without_csrf_token_is_rejected(client):
    user = make_user()
    response = client.post("/login", data={"employee_no": user.employee_no, "password": "Train1ng-pass"})
    assert response.status_code == 400
    assert client.get("/").status_code == 302  # still signed out


def test_logout_without_csrf_token_is_rejected(client):
    login(client, make_user())
    assert client.post("/logout").status_code == 400
    assert client.get("/").status_code == 200  # still signed in


def test_throttling_locks_the_account_and_releases_after_the_window(app, client):
    user = make_user()
    start = dt.datetime(2026, 11, 24, 2, 0)
    clock.freeze(start)
    limit = app.config["LMS_SECURITY_ACCOUNT_MAX_FAILURES"]
    for _ in range(limit):
        assert login(client, user, "wrong-password-1").status_code == 401
    locked = login(client, user)  # the right password, but locked
    assert locked.status_code == 429
    clock.freeze(start + dt.timedelta(minutes=app.config["LMS_SECURITY_LOCKOUT_MINUTES"] + 1))
    assert login(client, user).status_code == 302


def test_address_throttle_has_its_own_higher_threshold(app, client):
    app.config["LMS_SECURITY_ADDRESS_MAX_FAILURES"] = 3
    users = [make_user() for _ in range(3)]
    for user in users:
        assert login(client, user, "wrong-password-1").status_code == 401
    fresh = make_user()
    assert login(client, fresh).status_code == 429  # same address, other account


def test_address_throttle_trusts_forwarded_for_only_from_trusted_proxies(app, client):
    import ipaddress

    app.config["LMS_SECURITY_ADDRESS_MAX_FAILURES"] = 2
    app.config["LMS_SECURITY_TRUSTED_PROXIES"] = [ipaddress.ip_network("127.0.0.0/8")]
    floor_a = {"X-Forwarded-For": "10.1.1.1"}
    for _ in range(2):
        token = csrf_token(client)
        client.post("/login", data={"employee_no": "X", "password": "bad", "csrf_token": token}, headers=floor_a)
    user = make_user()
    token = csrf_token(client)
    ok = client.post("/login", data={"employee_no": user.employee_no, "password": "Train1ng-pass",
                                     "csrf_token": token}, headers={"X-Forwarded-For": "10.2.2.2"})
    assert ok.status_code == 302  # another floor behind the same proxy is not locked


def test_first_login_forces_a_password_change(client, conn):
    user = make_user(password=None)
    initial = accounts.issue_initial_password(user)
    response = login(client, user, initial)
    assert response.headers["Location"].endswith("/password")
    assert client.get("/").headers["Location"].endswith("/password")
    assert client.get("/me").status_code == 302
    token = csrf_token(client, "/password")
    same = client.post("/password", data={"password": initial, "confirm": initial, "csrf_token": token})
    assert same.status_code == 400
    weak = client.post("/password", data={"password": "short", "confirm": "short", "csrf_token": token})
    assert weak.status_code == 400
    done = client.post("/password", data={"password": "My-own-pass-9", "confirm": "My-own-pass-9",
                                          "csrf_token": token})
    assert done.status_code == 302
    assert client.get("/").status_code == 200
    assert not User.get_by_id(user.id).must_change_password


def test_change_password_needs_the_current_one_and_ends_other_sessions(app, client, conn):
    user = make_user()
    other = app.test_client()
    login(other, user)
    login(client, user)
    token = csrf_token(client, "/password")
    wrong = client.post("/password", data={"current": "nope", "password": "Brand-new-pass-1",
                                           "confirm": "Brand-new-pass-1", "csrf_token": token})
    assert wrong.status_code == 400
    ok = client.post("/password", data={"current": "Train1ng-pass", "password": "Brand-new-pass-1",
                                        "confirm": "Brand-new-pass-1", "csrf_token": token})
    assert ok.status_code == 302
    assert client.get("/").status_code == 200  # this session carries on
    assert other.get("/").status_code == 302  # the other one is signed out


def test_invite_link_works_once_and_expires(client, conn):
    user = make_user(password=None)
    token = accounts.issue_link_token(user, ttl_hours=72)
    page = client.get(f"/welcome/{token}")
    assert page.status_code == 200 and user.name in page.get_data(as_text=True)
    form = {"password": "Chosen-pass-42", "confirm": "Chosen-pass-42",
            "csrf_token": csrf_token(client, f"/welcome/{token}")}
    assert client.post(f"/welcome/{token}", data=form).status_code == 302
    assert client.get("/").status_code == 200
    assert client.get(f"/welcome/{token}").status_code == 410  # used
    late = accounts.issue_link_token(make_user(password=None), ttl_hours=1)
    clock.freeze(clock.utcnow() + dt.timedelta(hours=2))
    assert client.get(f"/welcome/{late}").status_code == 410  # expired
    assert AuditLog.select().where(AuditLog.action == "account.link_redeemed").count() == 1


def test_deactivated_user_cannot_sign_in_and_is_signed_out(client, conn):
    user = make_user()
    login(client, user)
    accounts.deactivate(User.get_by_id(user.id))
    assert client.get("/").status_code == 302
    assert login(client, user).status_code == 401


def test_open_redirect_is_refused(client):
    user = make_user()
    token = csrf_token(client)
    for target in ("https://evil.example/", "//evil.example/x", "/\\evil.example"):
        response = client.post(f"/login?next={target}", data={
            "employee_no": user.employee_no, "password": "Train1ng-pass", "csrf_token": token})
        assert response.headers["Location"] in ("/", "http://localhost/"), target
        client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
        token = csrf_token(client)
    response = client.post("/login?next=/me", data={"employee_no": user.employee_no,
                                                     "password": "Train1ng-pass", "csrf_token": token})
    assert response.headers["Location"].endswith("/me")


def test_language_switch_and_browser_preference(client):
    assert "Sign in" in client.get("/login", headers={"Accept-Language": "en-US,en;q=0.9"}).get_data(as_text=True)
    token = csrf_token(client)
    client.post("/locale/en", data={"csrf_token": token, "next": "/login"})
    assert "Sign in" in client.get("/login").get_data(as_text=True)
    user = make_user()
    login(client, user)
    client.post("/locale/zh_CN", data={"csrf_token": csrf_token(client, "/"), "next": "/"})
    with database.connection_context():
        assert User.get_by_id(user.id).locale == "zh_CN"
    assert "退出" in client.get("/").get_data(as_text=True)


def test_healthz(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.get_json()["database"] is True


def test_security_headers_and_cookie_flags(client):
    user = make_user()
    response = login(client, user)
    cookie = response.headers.get("Set-Cookie", "")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    page = client.get("/")
    assert "frame-ancestors" in page.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in page.headers["Content-Security-Policy"]
    assert page.headers["X-Content-Type-Options"] == "nosniff"
