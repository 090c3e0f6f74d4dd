"""The dashboard pages: drill-down site → team → agent, scope, CSV exports; the agent timeline."""
import csv
import datetime as dt
import io

import pytest

from lms.models import Bank, QuizAttempt, TierChange

from ..factories import client_for
from ..services.test_dashboard import org  # noqa: F401  (the same small organisation)


def test_drill_down_from_site_to_team_to_agent(app, org):
    shanghai, beijing = org["sites"]
    online, phone, north = org["teams"]
    client = client_for(app, org["manager"])
    overview = client.get("/dashboard/").get_data(as_text=True)
    assert "在线一组" in overview and "电话一组" in overview and "北京一组" not in overview
    assert f"/dashboard/team/{online.id}" in overview and "behind plan: in week 2, should be in week 4" in overview
    site_page = client.get(f"/dashboard/site/{shanghai.id}").get_data(as_text=True)
    assert f"/dashboard/team/{phone.id}" in site_page
    team_page = client.get(f"/dashboard/team/{online.id}").get_data(as_text=True)
    agent = org["agents"]["A1"]
    assert f"/timeline/{agent.id}" in team_page and "FCR fell from 90% to 80%" in team_page
    assert client.get(f"/timeline/{agent.id}").status_code == 200
    assert "<script" not in team_page


def test_other_sites_and_teams_are_not_found(app, org):
    _, beijing = org["sites"]
    _, _, north = org["teams"]
    client = client_for(app, org["manager"])
    assert client.get(f"/dashboard/site/{beijing.id}").status_code == 404
    assert client.get(f"/dashboard/team/{north.id}").status_code == 404
    assert client.get(f"/timeline/{org['agents']['A4'].id}").status_code == 404
    north_page = client_for(app, org["north_manager"]).get("/dashboard/").get_data(as_text=True)
    assert "北京一组" in north_page and "在线一组" not in north_page


@pytest.mark.parametrize("table, first_row", [
    ("groups", ["在线一组", "2", "1", "1", "0"]),
    ("agents", ["A1", "测试员", "上海", "在线一组", "newcomer", "25", "0", "0", "0.5000"]),
    ("at_risk", ["A1"]),
    ("candidates", ["A5", "测试员", "newcomer", "advanced"]),
])
def test_every_table_exports_as_excel_csv(app, org, table, first_row):
    online, _, _ = org["teams"]
    client = client_for(app, org["manager"])
    path = f"/dashboard/team/{online.id}?csv={table}" if table in ("agents",) else f"/dashboard/?csv={table}"
    response = client.get(path)
    assert response.status_code == 200 and response.data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows[1][:len(first_row)] == first_row, rows
    assert client.get("/dashboard/?csv=secrets").status_code == 404


def test_agents_have_no_dashboard_but_their_own_timeline(app, org):
    agent = org["agents"]["A1"]
    client = client_for(app, agent)
    assert client.get("/dashboard/").status_code == 403
    assert client.get("/timeline/").status_code == 200
    assert client.get(f"/timeline/{org['agents']['A2'].id}").status_code == 404


def test_the_timeline_puts_kpis_results_and_tier_events_together(app, org):
    agent = org["agents"]["A2"]
    bank = Bank.create(slug="b", title="话术测验", tier="advanced")
    QuizAttempt.create(user=agent, bank=bank, number=1, questions="[]", submitted_at=dt.datetime(2026, 11, 10, 3),
                       score=85.0, passed=True)
    TierChange.create(user=agent, tier="advanced", effective_on=dt.date(2026, 10, 1), reason="")
    page = client_for(app, org["manager"]).get(f"/timeline/{agent.id}").get_data(as_text=True)
    assert page.count("<svg") == 1 and "话术测验" in page and "85%" in page
    assert "2026-10-01" in page and "advanced" in page
    assert "FCR 2026-11-16: 80%" in page  # the week of 16 Nov as a point on the line
