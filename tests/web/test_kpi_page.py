"""The agent's KPI page: weekly ratios of sums, bands, too-few flags, who may see it."""
import datetime as dt
from pathlib import Path

import pytest

from lms.config import load_settings
from lms.models import KpiDaily
from lms.services import clock
from lms.services.kpi_report import band, weekly

from ..factories import add_kpi_days, csrf_token, login, make_team, make_user

SETTINGS = load_settings(None, environ={"LMS_CONFIG": ""})


@pytest.fixture
def world(app, conn):
    clock.freeze(dt.datetime(2026, 11, 24, 2))  # a Tuesday
    team, other = make_team("在线一组"), make_team("电话一组")
    agent = make_user(("agent",), team, "A1", name="陈晓")
    # Last week: 2 + 98 contacts; this week: 5 contacts (too few).
    add_kpi_days(agent, *[(day, contacts, resolved, contacts * 300, contacts, resolved)
                          for day, contacts, resolved in ((dt.date(2026, 11, 16), 2, 2),
                                                          (dt.date(2026, 11, 18), 98, 49),
                                                          (dt.date(2026, 11, 23), 5, 5))])
    return {"agent": agent, "mentor": make_user(("agent", "mentor"), team, "A2"),
            "other_mentor": make_user(("agent", "mentor"), other, "A8"),
            "outsider": make_user(("agent",), other, "A9"),
            "manager": make_user(("manager",), None, "M1", scopes=[team])}


def test_weekly_series_are_ratios_of_sums_with_flags(world):
    weeks = weekly(world["agent"], SETTINGS, 3, clock.today())
    assert [w.start.isoformat() for w in weeks] == ["2026-11-09", "2026-11-16", "2026-11-23"]
    assert weeks[0].values["fcr"] is None and weeks[0].contacts == 0
    assert weeks[1].values["fcr"] == pytest.approx(51 / 100) and not weeks[1].too_few["fcr"]
    assert weeks[2].values["fcr"] == 1.0 and weeks[2].too_few["fcr"]


@pytest.mark.parametrize("key, value, expected", [("fcr", .5, "far_below"), ("fcr", .6, "below"), ("fcr", .8, "met"),
                                                  ("fcr", .9, "exceeded"), ("aht", 700, "far_below"),
                                                  ("aht", 360, "exceeded"), ("aht", 500, "below"), ("csat", None, None)])
def test_bands(key, value, expected):
    assert band(SETTINGS, key, value) == expected


def test_who_sees_the_page(app, world):
    for role, expected in (("agent", 200), ("mentor", 200), ("manager", 200), ("other_mentor", 404),
                           ("outsider", 404)):
        client = app.test_client()
        login(client, world[role])
        path = "/kpi/" if role == "agent" else f"/kpi/{world['agent'].id}"
        assert client.get(path).status_code == expected, role


def test_page_shows_the_charts_and_the_flag(app, world):
    client = app.test_client()
    login(client, world["agent"])
    client.post("/locale/en", data={"csrf_token": csrf_token(client, "/")})
    page = client.get("/kpi/").get_data(as_text=True)
    assert page.count("<svg") == 4 and "too few contacts" in page and "陈晓" in page
    assert "<script" not in page


def _upload(client, data, name="kpi.csv", **fields):
    import io

    form = {"csrf_token": csrf_token(client, "/kpi/import"), "file": (io.BytesIO(data), name), "mapping": "",
            **fields}
    return client.post("/kpi/import", data=form, content_type="multipart/form-data", follow_redirects=True)


def test_web_upload_reports_rows_and_writes_only_good_files(app, world):
    client = app.test_client()
    login(client, world["manager"])
    client.post("/locale/en", data={"csrf_token": csrf_token(client, "/")})
    header = "employee_no,date,contacts,resolved_first_contact,handle_seconds,csat_responses,csat_positive\n"
    before = KpiDaily.select().count()
    bad = _upload(client, (header + "A1,2026-11-02,10,5,100,2,1\nNOPE,2026-11-02,1,1,1,1,1\n").encode())
    body = bad.get_data(as_text=True)
    assert bad.status_code == 200 and "NOPE" in body and "unknown employee no." in body and "rejected" in body
    assert KpiDaily.select().count() == before
    checked = _upload(client, (header + "A1,2026-11-02,10,5,100,2,1\n").encode(), dry_run="y")
    assert checked.status_code == 200 and "Check passed" in checked.get_data(as_text=True)
    assert KpiDaily.select().count() == before
    done = _upload(client, (header + "A1,2026-11-02,10,5,100,2,1\n").encode())
    assert done.status_code == 200 and "1 added" in done.get_data(as_text=True)
    assert KpiDaily.select().count() == before + 1
    assert app.test_client().post("/kpi/import").status_code == 302  # signed out: to the sign-in page
    history = client.get("/kpi/import").get_data(as_text=True)
    assert history.count("kpi.csv") == 3 and "checked only" in history and "imported" in history
    assert not list(Path(app.config["LMS_PATHS_UPLOADS"], "kpi-imports").iterdir())  # uploads are not kept


def test_a_big_upload_runs_in_the_background_and_its_page_shows_progress(app, world, monkeypatch):
    from lms.models import KpiImport
    from lms.services import background
    from lms.web import kpi as kpi_views

    monkeypatch.setattr(kpi_views, "INLINE_MAX_BYTES", 10)
    client = app.test_client()
    login(client, world["manager"])
    client.post("/locale/en", data={"csrf_token": csrf_token(client, "/")})
    header = "employee_no,date,contacts,resolved_first_contact,handle_seconds,csat_responses,csat_positive\n"
    record = KpiImport.create(actor=world["manager"], source="web", filename="big.csv", status="checking",
                              progress=0.25, heartbeat_at=clock.utcnow())
    page = client.get(f"/kpi/imports/{record.id}").get_data(as_text=True)
    assert 'http-equiv="refresh"' in page and 'value="25"' in page and "checking" in page
    stale = KpiImport.create(actor=world["manager"], source="web", filename="old.csv", status="checking",
                             heartbeat_at=clock.utcnow() - dt.timedelta(hours=1))
    page = client.get(f"/kpi/imports/{stale.id}").get_data(as_text=True)
    assert "stopped without finishing" in page and "refresh" not in page
    response = _upload(client, (header + "A1,2026-11-02,10,5,100,2,1\n").encode())
    background.wait_all()
    assert response.status_code == 200
    done = client.get(response.request.path).get_data(as_text=True)
    assert "1 added" in done and "refresh" not in done


def test_an_import_report_is_for_its_uploader_and_admins(app, world):
    from lms.models import KpiImport

    record = KpiImport.create(actor=world["manager"], source="web", filename="x.csv", status="done")
    other = make_user(("manager",), None, "M2", scopes=[world["agent"].memberships.get().team])
    client = app.test_client()
    login(client, other)
    assert client.get(f"/kpi/imports/{record.id}").status_code == 404
    assert "x.csv" not in client.get("/kpi/import").get_data(as_text=True)
    admin = app.test_client()
    login(admin, make_user(("admin",), None, "ADM"))
    assert admin.get(f"/kpi/imports/{record.id}").status_code == 200


def test_the_upload_offers_mappings_from_config(app, world, tmp_path):
    from lms import create_app

    mapped = create_app(TESTING=True, database_url=app.config["LMS_DATABASE_URL"],
                        kpi_mappings={"platform": {"坐席": "employee_no", "日": "date", "量": "contacts",
                                                   "解决": "resolved_first_contact", "时长": "handle_seconds",
                                                   "参评": "csat_responses", "满意": "csat_positive"}})
    client = mapped.test_client()
    login(client, world["manager"])
    assert 'value="platform"' in client.get("/kpi/import").get_data(as_text=True)
    body = "坐席,日,量,解决,时长,参评,满意\nA1,2026-11-03,10,5,00:10:00,2,1\n".encode("gbk")
    done = _upload(client, body, mapping="platform").get_data(as_text=True)
    assert "新增 1 行" in done, done  # zh-CN: the default language


def test_agents_cannot_upload(app, world):
    client = app.test_client()
    login(client, world["agent"])
    assert client.get("/kpi/import").status_code == 403


def test_csv_export_is_scoped_and_excel_friendly(app, world):
    import csv
    import io

    from lms.models import User

    User.update(name="=HYPERLINK(1)").where(User.id == world["agent"].id).execute()
    add_kpi_days(world["outsider"], (dt.date(2026, 11, 2), 9, 9, 90, 1, 1))
    client = app.test_client()
    login(client, world["manager"])
    response = client.get("/kpi/export.csv?from=2026-11-01&to=2026-11-30")
    assert response.status_code == 200 and response.data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows[0][:3] == ["employee_no", "name", "date"]
    assert {r[0] for r in rows[1:]} == {"A1"} and rows[1][1] == "'=HYPERLINK(1)"
    assert rows[1][8] == "1.0000" and len(rows) == 4  # 16, 18 and 23 November
    assert client.get("/kpi/export.csv?from=2026-12-01&to=2026-11-01").status_code == 400
    other_team = world["outsider"].memberships.get().team_id
    assert client.get(f"/kpi/export.csv?team={other_team}").status_code == 404
