"""Cases from the centre's records: imported or by hand, personal data masked before storage,
the original only for trainers and only until its retention day; nobody sees another team's."""
import datetime as dt
import json

import pytest

from lms.models import Case
from lms.services import cases, clock

from ..factories import client_for, csrf_token, make_site, make_team, make_user

RECORDS = ("日期,时间,客户姓名,联系方式,渠道,订单号,问题类型,问题描述,解决方案,处理结果,客服,跟进情况\n"
           "2026-11-02,10:15,王建国,13912345678,电话,202611020001234567,物流延误,"
           "王建国说奶粉超时三天未到，留了手机13912345678和邮箱wang.jg@example.com,补发,已解决,A1,次日回访\n")
TICKETS = ("提交日期,客户,问题概述,严重程度,首次处理,接收部门/人,预计解决时间,实际解决时间,解决方案,客户满意度,处理人\n"
           "2026-11-03,李女士,银行卡6222021234567890128重复扣款,严重,安抚并登记,财务部,2026-11-04,2026-11-05,退款,满意,T1\n")


@pytest.fixture
def org(app, conn):
    clock.freeze(dt.datetime(2026, 11, 6, 2))
    site = make_site("上海")
    online, phone = make_team("在线一组", site), make_team("电话一组", site)
    return {"online": online, "phone": phone, "trainer": make_user(("trainer",), None, "T1", scopes=[online]),
            "mentor": make_user(("agent", "mentor"), online, "M1", tier="elite"),
            "other_mentor": make_user(("agent", "mentor"), phone, "M2", tier="elite"),
            "agent": make_user(("agent",), online, "A1", tier="newcomer")}


def _upload(client, data, name, team, kind="failure"):
    import io

    form = {"csrf_token": csrf_token(client, "/cases/import"), "file": (io.BytesIO(data), name), "kind": kind,
            "team": str(team.id)}
    return client.post("/cases/import", data=form, content_type="multipart/form-data")


def test_records_and_tickets_become_masked_cases(app, org):
    trainer = client_for(app, org["trainer"])
    assert _upload(trainer, RECORDS.encode("gbk"), "records.csv", org["online"]).status_code == 302
    assert _upload(trainer, TICKETS.encode("utf-8-sig"), "tickets.csv", org["online"], "highlight").status_code == 302
    stored = " ".join(json.dumps([c.record, c.ticket, c.summary, c.title], ensure_ascii=False) for c in Case.select())
    for secret in ("13912345678", "王建国", "wang.jg@example.com", "6222021234567890128"):
        assert secret not in stored, secret
    assert "202611020001234567" in stored  # an order number stays readable
    record_case = Case.get(Case.kind == "failure")
    page = trainer.get(f"/cases/{record_case.id}").get_data(as_text=True)
    assert "139****5678" in page and "物流延误" in page and "Original" not in page  # keep_original is off
    assert Case.select().where(Case.original.is_null(False)).count() == 0


def test_a_bad_file_names_rows_and_writes_nothing(app, org):
    bad = RECORDS + "2026-13-01,,,,,,物流延误,说明,,,,\n2026-11-03,,,,,,,,,,,\n"
    response = _upload(client_for(app, org["trainer"]), bad.encode(), "records.csv", org["online"])
    body = response.get_data(as_text=True)
    assert response.status_code == 400 and "not a date" in body and "empty" in body
    assert Case.select().count() == 0


def test_the_original_is_for_trainers_only_and_purged_when_it_expires(app, org):
    settings = {**app.extensions["lms"].settings, "privacy.keep_original": True, "privacy.retention_days": 30}
    case = cases.build(title="王建国的投诉", kind="failure", author=org["trainer"], settings=settings,
                       team=org["online"], summary="王建国来电，手机13912345678", emotion=[0, -3, -4, -1, 2],
                       record={"customer": "王建国"})
    assert "王建国" not in case.title and case.original_until == dt.date(2026, 12, 6)
    trainer_page = client_for(app, org["trainer"]).get(f"/cases/{case.id}").get_data(as_text=True)
    assert "13912345678" in trainer_page and "<svg" in trainer_page
    mentor_page = client_for(app, org["mentor"]).get(f"/cases/{case.id}").get_data(as_text=True)
    assert "13912345678" not in mentor_page and "139****5678" in mentor_page
    assert cases.purge_originals(dt.date(2026, 12, 6)) == 0
    assert cases.purge_originals(dt.date(2026, 12, 7)) == 1
    assert Case.get_by_id(case.id).original is None


def test_other_teams_and_agents_do_not_see_a_case(app, org):
    case = cases.build(title="案例", kind="highlight", author=org["trainer"], settings=app.extensions["lms"].settings,
                       team=org["online"], summary="好的处理")
    assert client_for(app, org["other_mentor"]).get(f"/cases/{case.id}").status_code == 404
    assert client_for(app, org["agent"]).get(f"/cases/{case.id}").status_code == 403


def test_a_case_by_hand_checks_the_emotion_curve(app, org):
    mentor = client_for(app, org["mentor"])
    token = csrf_token(mentor, "/cases/new")
    form = {"csrf_token": token, "title": "高峰期预沟通", "kind": "highlight", "team": str(org["online"].id),
            "summary": "赵丽丽排队较长，先告知预计等待3分钟", "emotion": "0, -2, 9", "customer": "赵丽丽"}
    bad = mentor.post("/cases/new", data=form)
    assert bad.status_code == 400 and "from -5 to 5" in bad.get_data(as_text=True)
    assert mentor.post("/cases/new", data={**form, "emotion": "0，-2，3"}).status_code == 302
    case = Case.get()
    assert json.loads(case.emotion) == [0, -2, 3] and "赵丽丽" not in case.summary + case.record
