"""A NUL character (which PostgreSQL can neither store nor compare) in a URL, a form, a file
name, a JSON body or an uploaded file is refused cleanly on both databases, never a 500."""
from __future__ import annotations

import datetime as dt
import io

from lms.models import KpiDaily, LoginFailure, User
from lms.services import api_tokens, clock

from ..factories import client_for, csrf_token, make_team, make_user


def test_nul_in_what_anyone_sends_is_a_400(app, conn):
    clock.freeze(dt.datetime(2026, 11, 24, 2))
    anonymous = app.test_client()
    token = csrf_token(anonymous)
    assert anonymous.post("/login", data={"employee_no": "A\x001", "password": "x", "csrf_token": token}) \
        .status_code == 400
    assert anonymous.get("/login?next=/%00").status_code == 400
    assert LoginFailure.select().count() == 0
    trainer = client_for(app, make_user(("trainer",), employee_no="N1", scopes=[make_team()]))
    for path in ("/scripts/?q=%00", "/people/?q=a%00b", "/scripts/%00", "/drills/a%00"):
        assert trainer.get(path).status_code in (400, 404), path
    page = "/cases/new"
    assert trainer.post(page, data={"csrf_token": csrf_token(trainer, page), "title": "a\x00", "kind": "failure",
                                    "summary": "b"}).status_code == 400
    _, secret = api_tokens.issue("平台", "kpi:write", None)
    pushed = app.test_client().post("/api/v1/kpi", json={"rows": [{"employee_no": "A\x001", "date": "2026-11-23"}]},
                                    headers={"Authorization": f"Bearer {secret}"})
    assert pushed.status_code == 400 and pushed.is_json


def test_nul_inside_an_uploaded_file_is_reported_not_a_crash(app, conn):
    clock.freeze(dt.datetime(2026, 11, 24, 2))
    team = make_team()
    make_user(employee_no="A1", team=team)
    trainer = client_for(app, make_user(("trainer",), employee_no="N2", scopes=[team]))
    admin = client_for(app, make_user(("admin",), employee_no="N3"))
    kpi = (b"employee_no,date,contacts,resolved_first_contact,handle_seconds,csat_responses,csat_positive\n"
           b"A\x001,2026-11-23,9,9,900,1,1\n")
    roster = b"employee_no,name,email,hire_date,site,team,roles\nN9\x00,\xe5\x90\x8d\x00,,2026-11-02,s,t,agent\n"
    records = ("日期,客户姓名,联系方式,渠道,问题类型,问题描述,解决方案,处理结果\n"
               "2026-11-20,王\x00建国,139,电话,物流\x00延误,奶粉超时,补发,已解决\n").encode()
    for client, path, fields, data in ((trainer, "/kpi/import", {"mapping": "", "dry_run": ""}, kpi),
                                       (admin, "/admin/roster", {"dry_run": "", "credentials": "password"}, roster),
                                       (trainer, "/cases/import", {"kind": "failure"}, records)):
        response = client.post(path, data={"csrf_token": csrf_token(client, path), **fields,
                                           "file": (io.BytesIO(data), "file.csv")},
                               content_type="multipart/form-data", follow_redirects=True)
        assert response.status_code < 500, (path, response.status_code)
    assert KpiDaily.select().count() == 0
    assert not User.select().where(User.employee_no.startswith("N9")).exists()
