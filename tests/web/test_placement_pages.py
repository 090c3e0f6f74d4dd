"""Managers approve promotions and move agents down through HTTP; the go-live certificate."""
import datetime as dt

import pytest

from lms.models import Activity, Completion, Module, TierChange, Track, User
from lms.services import clock
from lms.services.content_pack import read_pack
from lms.services.content_store import load_pack

from ..factories import csrf_token, login, make_site, make_team, make_user
from ..test_cli_content import ROOT


@pytest.fixture
def world(app, conn):
    load_pack(read_pack(ROOT / "courses"))
    clock.freeze(dt.datetime(2026, 11, 24, 2))
    site = make_site()
    team, other = make_team("在线一组", site), make_team("电话一组", site)
    ready = make_user(("agent",), team, "A1", name="陈晓", hire_date=dt.date(2025, 3, 3))
    track = Track.get(Track.tier == "newcomer")
    for activity in Activity.select().join(Module).where(Module.track == track):
        Completion.create(user=ready, activity=activity, completed_at=dt.datetime(2025, 4, 1, 3))
    return {"ready": ready, "waiting": make_user(("agent",), team, "A2", name="刘洋"),
            "outsider": make_user(("agent",), other, "A9", name="外组"),
            "manager": make_user(("manager",), None, "M1", scopes=[team]),
            "trainer": make_user(("trainer",), None, "T1", scopes=[team])}


def test_manager_sees_ready_agents_and_approves(app, world):
    client = app.test_client()
    login(client, world["manager"])
    page = client.get("/placement/").get_data(as_text=True)
    assert "陈晓" in page and "刘洋" not in page and "外组" not in page
    everyone = client.get("/placement/?show=all").get_data(as_text=True)
    assert "刘洋" in everyone and "外组" not in everyone
    token = csrf_token(client, "/placement/")
    response = client.post(f"/placement/{world['ready'].id}/approve", data={"csrf_token": token})
    assert response.status_code == 303
    agent = User.get_by_id(world["ready"].id)
    assert agent.tier == "advanced"
    change = TierChange.select().where(TierChange.user == agent).order_by(TierChange.id.desc()).first()
    assert change.changed_by_id == world["manager"].id


def test_approval_rechecks_the_rules_and_scope(app, world):
    client = app.test_client()
    login(client, world["manager"])
    token = csrf_token(client, "/placement/")
    client.post(f"/placement/{world['waiting'].id}/approve", data={"csrf_token": token})
    assert User.get_by_id(world["waiting"].id).tier == "newcomer"  # rules unmet: nothing changes
    assert client.post(f"/placement/{world['outsider'].id}/approve", data={"csrf_token": token}).status_code == 404
    assert client.post(f"/placement/{world['ready'].id}/approve").status_code == 400  # no CSRF


def test_trainer_cannot_approve(app, world):
    client = app.test_client()
    login(client, world["trainer"])
    assert client.get("/placement/").status_code == 403


def test_move_down_needs_a_reason(app, world):
    agent = world["ready"]
    User.update(tier="advanced").where(User.id == agent.id).execute()
    client = app.test_client()
    login(client, world["manager"])
    page = f"/placement/{agent.id}/down"
    token = csrf_token(client, page)
    assert client.post(page, data={"csrf_token": token, "tier": "newcomer", "reason": ""}).status_code == 400
    assert User.get_by_id(agent.id).tier == "advanced"
    done = client.post(page, data={"csrf_token": token, "tier": "newcomer", "reason": "多次合规问题，回炉重训"})
    assert done.status_code == 303 and User.get_by_id(agent.id).tier == "newcomer"
    assert "回炉重训" in TierChange.select().order_by(TierChange.id.desc()).first().reason


def test_certificate(app, world):
    client = app.test_client()
    login(client, world["ready"])
    page = client.get("/learn/certificate")
    assert page.status_code == 200 and "陈晓" in page.get_data(as_text=True) and "2025-04-01" in page.get_data(as_text=True)
    other = app.test_client()
    login(other, world["waiting"])
    assert other.get("/learn/certificate").status_code == 404
    assert other.get(f"/learn/certificate/{world['ready'].id}").status_code == 404  # not theirs to see
    manager = app.test_client()
    login(manager, world["manager"])
    assert manager.get(f"/learn/certificate/{world['ready'].id}").status_code == 200
