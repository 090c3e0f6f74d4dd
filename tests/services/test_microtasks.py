"""Daily micro-tasks: who gets one on which day (calendar, holidays, make-up days, rota), once
only, which template, doing it, streaks and the same-day KPI read-out."""
import datetime as dt
import json

import pytest

from lms.commands import cli
from lms.config import load_settings
from lms.models import Bank, Evidence, MicroTask, MicroTemplate, Question, RotaDay, User
from lms.services import clock, microtasks

from ..factories import add_kpi_days, make_team, make_user

MONDAY = dt.date(2026, 11, 2)


def _settings(**overrides):
    settings = load_settings(None, environ={"LMS_CONFIG": ""})
    settings.update(overrides)
    return settings


def _template(slug, skill, kind="reply", tier="newcomer", kpi="fcr", **spec):
    spec = spec or ({"scenario": "complaint", "customer": "东西坏了！"} if kind == "reply" else
                    {"items": 2} if kind == "quiz" else {"prompt": "今天哪通电话最难？"})
    return MicroTemplate.create(slug=slug, tier=tier, skill=skill, kpi=kpi, kind=kind, title=slug, minutes=3,
                                instructions="**今天**试一试", spec=json.dumps(spec, ensure_ascii=False))


@pytest.fixture
def world(app, conn):
    clock.freeze(dt.datetime(2026, 11, 2, 1))  # Monday 2 Nov, 09:00 in Shanghai
    team = make_team()
    agents = [make_user(("agent",), team, f"A{i}", tier="newcomer", hire_date=dt.date(2026, 1, 5)) for i in range(3)]
    return {"team": team, "agents": agents,
            "listening": [_template("mt-l-1", "listening"), _template("mt-l-2", "listening")],
            "empathy": _template("mt-e-1", "empathy", kind="reflection", kpi="csat")}


def _days(agent):
    return {t.day for t in MicroTask.select().where(MicroTask.user == agent)}


def test_a_monday_reaches_every_working_agent_once(world):
    settings = _settings()
    first = microtasks.issue(settings, MONDAY)
    assert first == {"date": "2026-11-02", "issued": 3, "total": 3}
    assert microtasks.issue(settings, MONDAY) == {"date": "2026-11-02", "issued": 0, "total": 3}
    assert {t.template.skill for t in MicroTask.select()} == {"listening"}  # Monday's focus
    assert not any(t.late for t in MicroTask.select())


def test_rest_days_issue_nothing_and_make_up_days_do(world):
    sunday, holiday, makeup = dt.date(2026, 11, 1), dt.date(2026, 11, 3), dt.date(2026, 11, 7)
    settings = _settings(**{"calendar.holidays": [holiday], "calendar.makeup_workdays": [makeup]})
    assert microtasks.issue(settings, sunday)["total"] == 0
    assert microtasks.issue(settings, holiday)["total"] == 0
    assert microtasks.issue(settings, makeup)["total"] == 3  # a Saturday worked in lieu (调休)


def test_the_rota_overrides_the_calendar(world):
    on_sunday, off_monday = world["agents"][0], world["agents"][1]
    RotaDay.create(user=on_sunday, day=dt.date(2026, 11, 1), working=True)
    RotaDay.create(user=off_monday, day=MONDAY, working=False)
    settings = _settings()
    assert microtasks.issue(settings, dt.date(2026, 11, 1))["total"] == 1 and _days(on_sunday)
    microtasks.issue(settings, MONDAY)
    assert MONDAY not in _days(off_monday) and MONDAY in _days(world["agents"][2])


def test_only_agents_employed_that_day(world):
    late_hire = make_user(("agent",), world["team"], "NEW", tier="newcomer", hire_date=dt.date(2026, 11, 3))
    left = make_user(("agent",), world["team"], "LEFT", tier="newcomer")
    User.update(active=False, deactivated_at=dt.datetime(2026, 11, 3, 2)).where(User.id == left.id).execute()
    make_user(("trainer",), world["team"], "T1")  # not an agent
    microtasks.issue(_settings(), MONDAY)
    assert not _days(late_hire) and MONDAY in _days(left)  # still employed on Monday
    assert microtasks.issue(_settings(), dt.date(2026, 11, 4))["total"] == 4  # the new hire is in, left is gone
    assert dt.date(2026, 11, 4) not in _days(left) and dt.date(2026, 11, 4) in _days(late_hire)


def test_a_catch_up_run_is_flagged_late(world):
    clock.freeze(dt.datetime(2026, 11, 3, 1))
    microtasks.issue(_settings(), MONDAY)
    assert all(t.late for t in MicroTask.select())


def test_templates_rotate_least_recently_given_first(world):
    agent = world["agents"][0]
    settings = _settings()
    microtasks.issue(settings, MONDAY)
    microtasks.issue(settings, MONDAY + dt.timedelta(weeks=1))
    given = [t.template.slug for t in MicroTask.select().where(MicroTask.user == agent).order_by(MicroTask.day)]
    assert sorted(given) == ["mt-l-1", "mt-l-2"]


def test_a_reply_is_checked_once_and_writes_evidence(world):
    microtasks.issue(_settings(), MONDAY)
    task = MicroTask.get(MicroTask.user == world["agents"][0])
    with pytest.raises(microtasks.MicroTaskError):
        microtasks.complete(task, answer="嗯")
    done = microtasks.complete(task, answer="这不是我们的责任，您去找快递吧。")
    assert done.status == "done" and "blame" in {f["category"] for f in json.loads(done.result)["findings"]}
    assert Evidence.get(Evidence.user == task.user).source == "microtask:" + task.template.slug
    with pytest.raises(microtasks.MicroTaskError):
        microtasks.complete(task, answer="再来一次可以吗")


def test_a_quiz_task_asks_missed_questions_first_and_grades(world):
    quiz = _template("mt-q-1", "empathy", kind="quiz")
    bank = Bank.create(slug="b", title="共情", tier="newcomer")
    questions = [Question.create(bank=bank, slug=f"q{i}", type="true_false", skill="empathy", prompt=f"题{i}",
                                 spec=json.dumps({"answer": True})) for i in range(4)]
    agent = world["agents"][0]
    task = MicroTask.create(user=agent, day=MONDAY, template=quiz)
    shown = microtasks.shown_items(task)
    assert len(shown) == 2 and microtasks.shown_items(task)[0].question.id == shown[0].question.id  # kept
    done = microtasks.complete(task, answers={shown[0].question.id: True, shown[1].question.id: False})
    assert done.score == 50.0
    assert {q.id for q in questions} >= {item.question.id for item in shown}


def test_streaks_and_missed_days(world):
    agent = world["agents"][0]
    settings = _settings()
    for offset in range(3):
        microtasks.issue(settings, MONDAY + dt.timedelta(days=offset))
    tasks = list(MicroTask.select().where(MicroTask.user == agent).order_by(MicroTask.day))
    microtasks.complete(tasks[1], answer="先复述客户的问题，再确认")
    microtasks.complete(tasks[2], answer="先复述客户的问题，再确认")
    assert microtasks.mark_missed(MONDAY + dt.timedelta(days=2)) == {"date": "2026-11-04", "missed": 5}
    assert MicroTask.get_by_id(tasks[0].id).status == "missed"
    assert microtasks.streak(agent, MONDAY + dt.timedelta(days=2)) == 2


def test_the_read_out_waits_for_the_day_and_compares_with_the_agents_own_baseline(world):
    agent = world["agents"][0]
    microtasks.issue(_settings(), MONDAY)
    task = MicroTask.get(MicroTask.user == agent)
    assert microtasks.readout(task).waiting
    # 22 earlier working days: only the last 20 form the baseline (ratio of sums, not a mean of days).
    earlier = [MONDAY - dt.timedelta(days=d) for d in range(1, 23)]
    add_kpi_days(agent, *[(day, 10, 1, 3000, 2, 1) for day in earlier[20:]],
                 *[(day, 2 if i % 2 else 98, 2 if i % 2 else 49, 600, 2, 1) for i, day in enumerate(earlier[:20])])
    add_kpi_days(agent, (MONDAY, 40, 30, 12000, 10, 9))
    found = microtasks.readout(task)
    assert not found.waiting and found.value == pytest.approx(0.75) and found.contacts == 40
    assert found.baseline_days == 20 and found.baseline_contacts == 1000
    assert found.baseline == pytest.approx(510 / 1000)


def test_jobs_run_issue_microtasks(runner, world):
    out = runner.invoke(cli, ["jobs", "run", "issue-microtasks", "--date", "2026-11-02", "--json"])
    assert out.exit_code == 0 and json.loads(out.stdout) == {"date": "2026-11-02", "issued": 3, "total": 3}
    sunday = runner.invoke(cli, ["jobs", "run", "issue-microtasks", "--date", "2026-11-01", "--json"])
    assert json.loads(sunday.stdout)["total"] == 0


def test_todays_tasks_are_announced_once_and_catch_ups_are_not(world):
    from lms.models import Notification

    microtasks.issue(_settings(), MONDAY)
    microtasks.issue(_settings(), MONDAY)
    assert Notification.select().where(Notification.kind == "task").count() == 3
    note = Notification.get(Notification.user == world["agents"][0])
    assert note.link == f"/tasks/{MicroTask.get(MicroTask.user == world['agents'][0]).id}" and note.body == "mt-l-1" \
        or note.body == "mt-l-2"
    microtasks.issue(_settings(), MONDAY - dt.timedelta(days=3))  # last Friday, caught up today
    assert Notification.select().count() == 3
