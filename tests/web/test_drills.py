"""Scenario drills: the checker's first pass at once, rubric grading (critical, N/A, versions),
evidence, the grading queue scoped to the trainer's teams."""
import json
import re
from pathlib import Path

import pytest

from lms.models import Drill, DrillReply, Evidence, Rubric, RubricVersion
from lms.services import drills, rubrics
from lms.services.assessment_pack import read_assessments
from lms.services.assessment_store import load_assessments
from lms.services.content_store import LoadReport

from ..factories import csrf_token, login, make_team, make_user

ROOT = Path(__file__).resolve().parents[2]
FULL = {"empathy": 3, "frame": 3, "phrasing": 3, "options": 3, "commitment": 3, "red-line": 3}


@pytest.fixture
def content(conn):
    load_assessments(read_assessments(ROOT / "assessments"), LoadReport())


@pytest.fixture
def people(content):
    team, other = make_team("在线一组"), make_team("电话一组")
    return {"agent": make_user(("agent",), team, "A1", name="陈晓"),
            "outsider": make_user(("agent",), other, "A9"),
            "trainer": make_user(("trainer",), None, "T1", scopes=[team])}


def test_rubric_score_critical_and_na(content):
    version = rubrics.current_version("reply-standard")
    assert rubrics.score(version, FULL).score == 100
    failed = rubrics.score(version, {**FULL, "red-line": 0})
    assert failed.score == 0 and failed.raw_score == 90 and failed.failed_critical == ["red-line"]
    na = rubrics.score(version, {**FULL, "options": None, "empathy": 0})
    assert na.per_criterion["options"] is None and na.score == round(100 * 65 / 85, 1)
    with pytest.raises(rubrics.RubricError) as error:
        rubrics.score(version, {**FULL, "frame": None})  # N/A not allowed here
    assert error.value.criterion == "frame"
    with pytest.raises(rubrics.RubricError):
        rubrics.score(version, {**FULL, "empathy": 7})
    with pytest.raises(rubrics.RubricError):
        rubrics.score(version, {k: v for k, v in FULL.items() if k != "commitment"})


def test_editing_a_rubric_makes_a_version_and_old_grades_keep_theirs(tmp_path, people):
    drill = Drill.select().where(Drill.rubric == "reply-standard").first()
    reply = drills.submit(people["agent"], drill, "非常抱歉让您久等了，我马上帮您查，2小时内回电。", ROOT / "assessments")
    graded = drills.grade(reply, people["trainer"], FULL, "很好")
    assert graded.rubric_version.number == 1
    import shutil

    copy = Path(shutil.copytree(ROOT / "assessments", tmp_path / "assessments"))
    rubric_file = copy / "rubrics" / "reply-standard.toml"
    rubric_file.write_text(rubric_file.read_text(encoding="utf-8").replace("weight = 20", "weight = 25", 1),
                           encoding="utf-8")
    report = LoadReport()
    load_assessments(read_assessments(copy), report)
    assert "rubric reply-standard version 2" in report.updated
    assert RubricVersion.select().join(Rubric).where(Rubric.slug == "reply-standard").count() == 2
    assert DrillReply.get_by_id(reply.id).rubric_version.number == 1 and DrillReply.get_by_id(reply.id).score == 100


def test_agent_reply_is_checked_at_once_and_graded_through_http(app, people):
    drill = Drill.get(Drill.slug == "drill-logistics-delay")
    agent = app.test_client()
    login(agent, people["agent"])
    agent.post("/locale/en", data={"csrf_token": csrf_token(agent, "/")})
    page = f"/drills/{drill.slug}"
    token = csrf_token(agent, page)
    assert agent.post(page, data={"csrf_token": token, "reply": "  "}).status_code == 400
    sent = agent.post(page, data={"csrf_token": token, "reply": "这不是我们的责任，您去找快递吧。"})
    assert sent.status_code == 303
    body = agent.get(page).get_data(as_text=True)
    assert "这不是我们的责任" in body and "Script check" in body and "Waiting for a trainer" in body
    reply = DrillReply.get()
    assert json.loads(reply.checker)["findings"] and Evidence.select().where(
        Evidence.source == f"checker:{drill.slug}").count() == 1
    blame = Evidence.get(Evidence.source.startswith(f"checker:{drill.slug}/") & (Evidence.score == 0))
    assert blame.skill  # the rule's own skill
    trainer = app.test_client()
    login(trainer, people["trainer"])
    assert "陈晓" in trainer.get("/grading/").get_data(as_text=True)
    grade_page = f"/grading/{reply.id}"
    token = csrf_token(trainer, grade_page)
    bad = trainer.post(grade_page, data={"csrf_token": token, "level_empathy": "1"})
    assert bad.status_code == 400 and DrillReply.get_by_id(reply.id).graded_at is None
    data = {"csrf_token": token, "comment": "推卸责任，先共情再给方案", **{f"level_{k}": "0" for k in FULL}}
    data["level_red-line"] = "2"
    assert trainer.post(grade_page, data=data).status_code == 303
    graded = DrillReply.get_by_id(reply.id)
    assert graded.score == 6.7 and graded.graded_by_id == people["trainer"].id  # only the red line held
    assert Evidence.select().where(Evidence.source.startswith("rubric:")).count() == 6
    shown = agent.get(page).get_data(as_text=True)
    assert "推卸责任" in shown and "Criterion" in shown and "red line" in shown
    assert "Your reply was graded" in agent.get("/notifications/").get_data(as_text=True)
    again = trainer.post(grade_page, data=data)
    assert DrillReply.get_by_id(reply.id).comment == "推卸责任，先共情再给方案" and again.status_code == 200


def test_graders_see_only_their_teams(app, people):
    drill = Drill.get(Drill.slug == "drill-logistics-delay")
    reply = drills.submit(people["outsider"], drill, "您好，请问订单号是多少？", ROOT / "assessments")
    trainer = app.test_client()
    login(trainer, people["trainer"])
    assert "A9" not in trainer.get("/grading/").get_data(as_text=True)
    assert trainer.get(f"/grading/{reply.id}").status_code == 404
    agent = app.test_client()
    login(agent, people["agent"])
    assert agent.get(f"/grading/{reply.id}").status_code == 403


def test_reply_text_is_escaped(app, people):
    drill = Drill.get(Drill.slug == "drill-logistics-delay")
    drills.submit(people["agent"], drill, "<script>alert(1)</script> 抱歉", ROOT / "assessments")
    agent = app.test_client()
    login(agent, people["agent"])
    body = agent.get(f"/drills/{drill.slug}").get_data(as_text=True)
    assert "<script>alert(1)" not in body and "&lt;script&gt;" in body
    assert re.search(r"drill-logistics-delay", agent.get("/drills/").get_data(as_text=True))


def test_cli_check_reply_gives_what_the_drill_page_stored(app, runner, people):
    from lms.commands import cli

    drill = Drill.get(Drill.slug == "drill-logistics-delay")
    text = "非常抱歉让您久等了，我理解您的着急。这不是我们的责任，我们尽快处理。"
    reply = drills.submit(people["agent"], drill, text, ROOT / "assessments")
    result = runner.invoke(cli, ["check-reply", "--scenario", drill.scenario, text, "--json"])
    assert json.loads(result.stdout) == json.loads(reply.checker)


def test_mentors_grade_their_mentees_only_and_never_themselves(app, people):
    from lms.models import Membership
    from lms.services import mentoring

    drill = Drill.get(Drill.slug == "drill-logistics-delay")
    team = Membership.get(Membership.user == people["agent"]).team
    mentor = make_user(("agent", "mentor"), team, "A5", name="赵敏", tier="elite")
    mine = drills.submit(mentor, drill, "您好，请问订单号是多少？", ROOT / "assessments")
    theirs = drills.submit(people["agent"], drill, "您好，请问订单号是多少？", ROOT / "assessments")
    outside = drills.submit(people["outsider"], drill, "您好，请问订单号是多少？", ROOT / "assessments")
    client = app.test_client()
    login(client, mentor)
    # A teammate who is not their mentee is not theirs to grade.
    assert "陈晓" not in client.get("/grading/").get_data(as_text=True)
    assert client.get(f"/grading/{theirs.id}").status_code == 404
    mentoring.pair(mentor, people["agent"], people["trainer"], app.extensions["lms"].settings)
    listing = client.get("/grading/").get_data(as_text=True)
    assert "陈晓" in listing and "赵敏" not in listing.split("<tbody>")[1]
    assert client.get(f"/grading/{theirs.id}").status_code == 200
    assert client.get(f"/grading/{mine.id}").status_code == 404
    assert client.get(f"/grading/{outside.id}").status_code == 404
