"""Roster import page: upload, problem report, dry run, credentials shown once, access."""
import base64
import datetime as dt
import html
import io
import re
from pathlib import Path

import openpyxl
import pytest

from lms.models import Membership, Site, Team, User
from lms.services import accounts, clock

from ..factories import csrf_token, login, make_site, make_team, make_user

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "roster.csv"
PAGE = "/admin/roster"


@pytest.fixture(autouse=True)
def fixed_today(app):
    clock.freeze(dt.datetime(2026, 11, 24, 2, 0))


@pytest.fixture
def admin_client(app):
    client = app.test_client()
    login(client, make_user(("admin",), None, "ADM", name="管理员"))
    client.post("/locale/en", data={"csrf_token": csrf_token(client, "/")})
    return client


def upload(client, data: bytes, filename="roster.csv", token=True, **fields):
    form = {"file": (io.BytesIO(data), filename), "credentials": "password", **fields}
    if token:
        form["csrf_token"] = csrf_token(client, PAGE)
    return client.post(PAGE, data=form, content_type="multipart/form-data")


def counts():
    return User.select().count(), Site.select().count(), Team.select().count(), Membership.select().count()


def test_admin_sees_the_form_in_the_nav(admin_client, conn):
    page = admin_client.get(PAGE)
    body = page.get_data(as_text=True)
    assert page.status_code == 200 and 'enctype="multipart/form-data"' in body
    assert f'href="{PAGE}"' in admin_client.get("/").get_data(as_text=True)
    assert "checked" in re.search(r'<input[^>]*name="dry_run"[^>]*>', body).group(0)  # check only by default


def test_upload_imports_and_shows_credentials_once(admin_client, conn):
    response = upload(admin_client, SAMPLE.read_bytes())
    body = response.get_data(as_text=True)
    assert response.status_code == 200, body
    assert "Roster imported" in body and response.headers["Cache-Control"] == "no-store"
    assert User.select().count() == 7 and Team.select().count() == 2
    href = re.search(r'href="data:text/csv;charset=utf-8;base64,([^"]+)" download="roster-credentials.csv"', body)
    data = base64.b64decode(href.group(1))
    assert data.startswith(b"\xef\xbb\xbf")
    rows = [line.split(",") for line in data.decode("utf-8-sig").splitlines()]
    assert rows[0] == ["employee_no", "name", "initial_password"] and len(rows) == 7
    for employee_no, name, password in rows[1:]:
        assert f"<code>{password}</code>" in body
        assert accounts.check_password(User.get(User.employee_no == employee_no), password)
    again = upload(admin_client, SAMPLE.read_bytes()).get_data(as_text=True)
    assert "data:text/csv" not in again and "<dt>Unchanged</dt><dd>6</dd>" in again


def test_dry_run_is_the_default_and_writes_nothing(admin_client, conn):
    before = counts()
    response = upload(admin_client, SAMPLE.read_bytes(), dry_run="y")
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "Check passed: nothing was written" in body
    assert "<dt>Created</dt><dd>6</dd>" in body and "data:text/csv" not in body
    assert counts() == before


def test_bad_file_shows_every_problem_by_row_and_writes_nothing(admin_client, conn):
    make_team("在线一组", make_site("上海中心"))
    bad = ("工号,姓名,邮箱,入职日期,站点,班组,角色\n"
           "A1,张伟,,2025-13-01,上海中心,在线一组,坐席\n"
           "A1,李雷,,2025-01-01,上海中心,在线一组,boss\n"
           "T1,王老师,,2020-01-01,上海中心,电话九组,培训师\n").encode("gbk")
    before = counts()
    response = upload(admin_client, bad)
    body = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 400
    assert "The file was rejected: 4 problems. Nothing was written." in body
    cells = [" | ".join(re.sub(r"<[^>]+>", "", td).strip() for td in re.findall(r"<td>(.*?)</td>", row, re.DOTALL))
             for row in re.findall(r"<tr>(.*?)</tr>", body, re.DOTALL)]
    assert any("2 | 入职日期 | 2025-13-01 | not a date; use YYYY-MM-DD" in c for c in cells), cells
    assert any("3 | 工号 | A1 | duplicate employee no.: also on row 2" in c for c in cells), cells
    assert any("3 | 角色 | boss | unknown role" in c for c in cells), cells
    assert any("4 | 班组 | 电话九组 | unknown team of site 上海中心 for a scope" in c for c in cells), cells
    assert counts() == before


def test_wrong_encoding_and_wrong_type_are_explained(admin_client, conn):
    utf16 = SAMPLE.read_text(encoding="utf-8").encode("utf-16")
    assert "check the file&#39;s encoding" in upload(admin_client, utf16).get_data(as_text=True)
    response = upload(admin_client, b"%PDF-1.4", filename="roster.pdf")
    assert response.status_code == 400 and "unsupported file type" in response.get_data(as_text=True)
    assert User.select().count() == 1


def test_xlsx_upload_with_invites(admin_client, conn):
    book = openpyxl.Workbook()
    book.active.append(["employee_no", "name", "email", "hire_date", "site", "team", "roles", "tier"])
    book.active.append(["B1", "钱多", "", dt.datetime(2025, 5, 6), "杭州中心", "一组", "agent", "elite"])
    out = io.BytesIO()
    book.save(out)
    response = upload(admin_client, out.getvalue(), filename="roster.xlsx", credentials="invite")
    body = response.get_data(as_text=True)
    assert response.status_code == 200, body
    link = re.search(r"<code>(http://localhost/welcome/[^<]+)</code>", body).group(1)
    assert User.get(User.employee_no == "B1").tier == "elite"
    assert admin_client.application.test_client().get(link).status_code == 200


def test_too_large_upload_is_a_clear_413(app, admin_client, conn):
    app.config["MAX_CONTENT_LENGTH"] = 2 * 1024 * 1024
    token = csrf_token(admin_client, PAGE)
    response = admin_client.post(PAGE, data={"csrf_token": token, "file": (io.BytesIO(b"x" * (3 * 1024 * 1024)),
                                                                           "big.csv")})
    assert response.status_code == 413
    assert "The file is too large: the limit is 2 MB" in response.get_data(as_text=True)


def test_without_csrf_token_it_is_400_and_nothing_is_written(admin_client, conn):
    response = upload(admin_client, SAMPLE.read_bytes(), token=False)
    assert response.status_code == 400 and "reload the page" in response.get_data(as_text=True)
    assert User.select().count() == 1


@pytest.mark.parametrize("roles", [("agent",), ("trainer",), ("manager",)])
def test_only_admins_may_import(app, conn, roles):
    client = app.test_client()
    login(client, make_user(roles, None, "U1", scopes=[make_site()] if "agent" not in roles else ()))
    assert client.get(PAGE).status_code == 403
    token = csrf_token(client, "/")
    response = client.post(PAGE, data={"csrf_token": token, "file": (io.BytesIO(SAMPLE.read_bytes()), "r.csv"),
                                       "credentials": "password"})
    assert response.status_code == 403 and User.select().count() == 1


def test_anonymous_is_sent_to_sign_in(client):
    response = client.get(PAGE)
    assert response.status_code == 302 and "/login" in response.headers["Location"]
