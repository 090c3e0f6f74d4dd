"""The agent's KPI page: weekly ratios of sums, bands, too-few flags, who may see it."""
import datetime as dt

import pytest

from lms.config import load_settings
from lms.models import KpiDaily
from lms.services import clock
from lms.services.kpi_report import band, weekly

from ..factories import csrf_token, login, make_team, make_user

SETTINGS = load_settings(None, environ={"LMS_CONFIG": ""})


@pytest.fixture
def world(app, conn):
    clock.freeze(dt.datetime(2026, 11, 24, 2))  # a Tuesday
    team, other = make_team("在线一组"), make_team("电话一组")
    agent = make_user(("agent",), team, "A1", name="陈晓")
    # Last week: 2 + 98 contacts; this week: 5 contacts (too few).
    for day, contacts, resolved in ((dt.date(2026, 11, 16), 2, 2), (dt.date(2026, 11, 18), 98, 49),
                                    (dt.date(2026, 11, 23), 5, 5)):
        KpiDaily.create(user=agent, day=day, contacts=contacts, resolved_first_contact=resolved,
                        handle_seconds=contacts * 300, csat_responses=contacts, csat_positive=resolved)
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
    assert page.count("<svg") == 3 and "too few contacts" in page and "陈晓" in page
    assert "<script" not in page


def _upload(client, data, **fields):
    import io

    form = {"csrf_token": csrf_token(client, "/kpi/import"), "file": (io.BytesIO(data), "kpi.csv"), "mapping": "",
            **fields}
    return client.post("/kpi/import", data=form, content_type="multipart/form-data")


def test_web_upload_reports_rows_and_writes_only_good_files(app, world):
    client = app.test_client()
    login(client, world["manager"])
    client.post("/locale/en", data={"csrf_token": csrf_token(client, "/")})
    header = "employee_no,date,contacts,resolved_first_contact,handle_seconds,csat_responses,csat_positive\n"
    before = KpiDaily.select().count()
    bad = _upload(client, (header + "A1,2026-11-02,10,5,100,2,1\nNOPE,2026-11-02,1,1,1,1,1\n").encode())
    body = bad.get_data(as_text=True)
    assert bad.status_code == 400 and "NOPE" in body and "unknown employee no." in body
    assert KpiDaily.select().count() == before
    checked = _upload(client, (header + "A1,2026-11-02,10,5,100,2,1\n").encode(), dry_run="y")
    assert checked.status_code == 200 and "Check passed" in checked.get_data(as_text=True)
    assert KpiDaily.select().count() == before
    done = _upload(client, (header + "A1,2026-11-02,10,5,100,2,1\n").encode())
    assert done.status_code == 200 and "1 added" in done.get_data(as_text=True)
    assert KpiDaily.select().count() == before + 1
    assert app.test_client().post("/kpi/import").status_code == 302  # signed out: to the sign-in page


def test_agents_cannot_upload(app, world):
    client = app.test_client()
    login(client, world["agent"])
    assert client.get("/kpi/import").status_code == 403


def test_csv_export_is_scoped_and_excel_friendly(app, world):
    import csv
    import io

    from lms.models import User

    User.update(name="=HYPERLINK(1)").where(User.id == world["agent"].id).execute()
    KpiDaily.create(user=world["outsider"], day=dt.date(2026, 11, 2), contacts=9, resolved_first_contact=9,
                    handle_seconds=90, csat_responses=1, csat_positive=1)
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
