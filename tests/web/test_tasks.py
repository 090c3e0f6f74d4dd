"""Through HTTP: an agent does today's micro-task and sees the read-out once the day's KPIs are in."""
import datetime as dt

from lms.models import MicroTask
from lms.services import microtasks

from ..factories import add_kpi_days, client_for, csrf_token, make_team, make_user
from ..services.test_microtasks import MONDAY, _settings, world  # noqa: F401


def test_an_agent_does_todays_task_and_then_sees_the_read_out(app, world):
    agent = world["agents"][0]
    microtasks.issue(_settings(), MONDAY)
    task = MicroTask.get(MicroTask.user == agent)
    client = client_for(app, agent)
    home = client.get("/").get_data(as_text=True)
    assert home.index("Today&#39;s micro-task") < home.index("Hello") and f"/tasks/{task.id}" in home
    page = client.get(f"/tasks/{task.id}").get_data(as_text=True)
    assert "东西坏了" in page and "<strong>今天</strong>" in page
    empty = client.post(f"/tasks/{task.id}", data={"csrf_token": csrf_token(client, f"/tasks/{task.id}"), "answer": ""})
    assert empty.status_code == 400 and "write a few words first" in empty.get_data(as_text=True)
    assert client.post(f"/tasks/{task.id}", data={"answer": "好的"}).status_code == 400  # no CSRF token
    reply = "非常抱歉让您久等了，我理解您的着急。请问订单号是多少？我们可以补发或者退款，您选哪一种？"
    done = client.post(f"/tasks/{task.id}", data={"csrf_token": csrf_token(client, f"/tasks/{task.id}"),
                                                  "answer": reply}, follow_redirects=True).get_data(as_text=True)
    assert "Script check" in done and "Waiting for today&#39;s data" in done
    add_kpi_days(agent, (MONDAY - dt.timedelta(days=1), 50, 25, 15000, 10, 8), (MONDAY, 40, 30, 12000, 10, 9))
    after = client.get(f"/tasks/{task.id}").get_data(as_text=True)
    assert "75.0%" in after and "40 contacts" in after and "50.0%" in after
    assert "Streak: 1 done in a row." in client.get("/tasks/").get_data(as_text=True)


def test_another_agents_task_is_not_found(app, world):
    microtasks.issue(_settings(), MONDAY)
    theirs = MicroTask.get(MicroTask.user == world["agents"][1])
    assert client_for(app, world["agents"][0]).get(f"/tasks/{theirs.id}").status_code == 404
    manager = make_user(("manager",), None, "M1", scopes=[make_team()])
    assert client_for(app, manager).get(f"/tasks/{theirs.id}").status_code == 403
