"""Quizzes through HTTP and the service: drawing, time limits, grading methods, feedback, evidence."""
import datetime as dt
import json
import re

import pytest

from lms.models import Activity, Bank, Completion, Evidence, Module, Question, QuizAttempt, Track
from lms.services import clock, quizzes
from lms.services.assessment_pack import read_assessments
from lms.services.assessment_store import load_assessments
from lms.services.content_store import LoadReport

from pathlib import Path

from ..factories import csrf_token, login, make_team, make_user

ROOT = Path(__file__).resolve().parents[2]
from ..services.test_assessment_pack import BANK, RUBRIC, SKILLS

BANK_WITH_ALL_TYPES = BANK.replace("draw = 2", "draw = 4\npass_mark = 75\nattempts = 2\ntime_limit_minutes = 10") + '''
[[questions]]
id = "q3"
type = "ordering"
skill = "expression"
prompt = "标准服务流程的顺序"
items = ["问候与身份确认", "倾听并确认需求", "分析并给出方案", "处理异议并承诺", "结束与跟进"]
feedback = "先问候，最后跟进。"
[[questions]]
id = "q4"
type = "short_text"
skill = "expression"
prompt = "把“工单”换成客户听得懂的说法"
match = "exact"
answers = ["服务申请"]
'''


@pytest.fixture
def bank(tmp_path, conn):
    for folder in ("banks", "drills", "rubrics"):
        (tmp_path / folder).mkdir()
    (tmp_path / "skills.toml").write_text(SKILLS, encoding="utf-8")
    (tmp_path / "banks" / "b1.toml").write_text(BANK_WITH_ALL_TYPES, encoding="utf-8")
    (tmp_path / "rubrics" / "r1.toml").write_text(RUBRIC, encoding="utf-8")
    pack = read_assessments(tmp_path)
    assert pack.ok, pack.problems
    load_assessments(pack, LoadReport())
    track = Track.create(slug="newcomer", title="新人训", tier="newcomer")
    module = Module.create(track=track, slug="m1", title="模块", position=1)
    Activity.create(module=module, slug="quiz-b1", kind="quiz", title="测验", position=1, ref="b1")
    return Bank.get(Bank.slug == "b1")


def _right_answers(attempt):
    answers = {}
    for item in quizzes.shown_questions(attempt):
        q = item.question
        answers[q.id] = {"single": item.spec.get("answer"), "multiple": item.spec.get("answer"),
                         "true_false": item.spec.get("answer"),
                         "ordering": list(range(len(item.spec.get("items", [])))),
                         "short_text": _short_text_answer(item.spec)}[q.type]
    return answers


def _short_text_answer(spec):
    if spec.get("match") == "exact":
        return spec["answers"][0]
    if spec.get("match") == "keywords":
        return "".join(alternatives[0] for alternatives in spec["keywords"])
    return None  # a regex answer is not derived here


def test_full_marks_pass_write_evidence_and_complete_the_activity(bank):
    agent = make_user()
    attempt = quizzes.start(agent, bank, seed=1)
    assert attempt.deadline is not None and len(json.loads(attempt.questions)) == 4
    done = quizzes.submit(attempt, _right_answers(attempt))
    assert done.score == 100 and done.passed
    assert Evidence.select().where(Evidence.user == agent).count() == 4
    completion = Completion.get(Completion.user == agent)
    assert completion.passed and completion.score == 100
    with pytest.raises(quizzes.QuizError):
        quizzes.submit(attempt, {})  # once only


def test_late_submission_counts_nothing(bank):
    agent = make_user()
    clock.freeze(dt.datetime(2026, 11, 24, 2, 0))
    attempt = quizzes.start(agent, bank, seed=1)
    clock.freeze(dt.datetime(2026, 11, 24, 2, 11))
    done = quizzes.submit(attempt, _right_answers(attempt))
    assert done.late and done.score == 0 and not done.passed
    assert Evidence.select().count() == 0


def test_attempt_limit_and_grading_methods(bank):
    agent = make_user()
    first = quizzes.submit(quizzes.start(agent, bank, seed=1), {})
    second_attempt = quizzes.start(agent, bank, seed=2)
    quizzes.submit(second_attempt, _right_answers(second_attempt))
    with pytest.raises(quizzes.QuizError):
        quizzes.start(agent, bank)
    assert first.score == 0 and quizzes.bank_grade(agent, bank) == 100
    Bank.update(grading="last").execute()
    assert quizzes.bank_grade(agent, Bank.get_by_id(bank.id)) == 100
    Bank.update(grading="average").execute()
    assert quizzes.bank_grade(agent, Bank.get_by_id(bank.id)) == 50


def test_draw_prefers_questions_seen_least(bank):
    Bank.update(draw=2).execute()
    bank = Bank.get_by_id(bank.id)
    agent = make_user()
    Bank.update(attempts=0).execute()
    first = {e["id"] for e in json.loads(quizzes.start(agent, bank, seed=3).questions)}
    quizzes.submit(QuizAttempt.get(QuizAttempt.user == agent), {})
    second = {e["id"] for e in json.loads(quizzes.start(agent, Bank.get_by_id(bank.id), seed=3).questions)}
    assert first.isdisjoint(second) and len(first | second) == 4


def test_agent_takes_a_quiz_over_http(app, bank):
    agent = make_user(("agent",), make_team())
    client = app.test_client()
    login(client, agent)
    client.post("/locale/en", data={"csrf_token": csrf_token(client, "/")})
    page = client.get("/quiz/b1").get_data(as_text=True)
    assert "Pass mark" in page and "75%" in page
    started = client.post("/quiz/b1/start", data={"csrf_token": csrf_token(client, "/quiz/b1")})
    attempt_url = started.headers["Location"]
    form = client.get(attempt_url).get_data(as_text=True)
    attempt = QuizAttempt.get(QuizAttempt.user == agent)
    data = {"csrf_token": re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', form).group(1)}
    for item in quizzes.shown_questions(attempt):
        q, name = item.question, f"q{item.question.id}"
        if q.type == "single":
            data[name] = str(item.spec["answer"])
        elif q.type == "true_false":
            data[name] = "true" if item.spec["answer"] else "false"
        elif q.type == "ordering":
            for index in range(len(item.spec["items"])):
                data[f"{name}_{index}"] = str(index + 1)
        else:
            data[name] = "服务申请"
    submitted = client.post(attempt_url, data=data)
    assert submitted.status_code == 303
    result = client.get(submitted.headers["Location"]).get_data(as_text=True)
    assert "Score 100.0% — passed" in result and "先问候，最后跟进。" in result


def test_attempts_are_private(app, bank):
    owner, other = make_user(), make_user()
    attempt = quizzes.start(owner, bank)
    client = app.test_client()
    login(client, other)
    assert client.get(f"/quiz/attempts/{attempt.id}").status_code == 404
    assert client.get(f"/quiz/attempts/{attempt.id}/result").status_code == 404


def test_higher_tier_banks_are_hidden(app, bank):
    Bank.update(tier="elite").execute()
    client = app.test_client()
    login(client, make_user())
    assert client.get("/quiz/b1").status_code == 404
    assert Question.select().count() == 4


def test_item_analysis_flags_and_is_cached(app, bank):
    from lms.models import BankAnalysis
    from lms.services import item_analysis

    Bank.update(attempts=0, time_limit_minutes=0).execute()
    bank = Bank.get_by_id(bank.id)
    agents = [make_user() for _ in range(8)]
    for i, agent in enumerate(agents):
        attempt = quizzes.start(agent, bank, seed=i)
        right = _right_answers(attempt)
        # Strong agents (high i) get more right; q2 (true/false) everyone gets right: too easy.
        keep = {qid: a for qid, a in right.items() if Question.get_by_id(qid).slug == "q2" or i >= 4}
        quizzes.submit(attempt, keep)
    result = item_analysis.analysis(bank)
    items = {item["question"]: item for item in result["items"]}
    assert result["attempts"] == 8 and items["q2"]["facility"] == 1.0 and "too easy" in items["q2"]["flags"]
    assert items["q1"]["facility"] == 0.5 and items["q1"]["discrimination"] > 0.9
    assert result["alpha"] is not None
    first_computed = BankAnalysis.get().computed_at
    assert item_analysis.analysis(bank)["computed_at"] == first_computed.isoformat()  # cached
    trainer = make_user(("trainer",))
    client = app.test_client()
    login(client, trainer)
    client.post("/locale/en", data={"csrf_token": csrf_token(client, "/")})
    page = client.get("/quiz/b1/analysis").get_data(as_text=True)
    assert "too easy" in page and "Cronbach" in page
    agent_client = app.test_client()
    login(agent_client, agents[0])
    assert agent_client.get("/quiz/b1/analysis").status_code == 403


def test_draw_by_tag_and_difficulty(bank):
    import random
    from collections import Counter

    Question.update(tags='["scripts"]', difficulty=2).where(Question.slug.in_(["q1", "q4"])).execute()
    Bank.update(draw_rules=json.dumps([{"tags": ["scripts"], "difficulty": [2], "count": 2}, {"count": 1}]),
                attempts=0).execute()
    bank = Bank.get_by_id(bank.id)
    agent = make_user()
    slugs = [Question.get_by_id(e["id"]).slug for e in json.loads(quizzes.start(agent, bank, seed=5).questions)]
    assert len(slugs) == 3 and {"q1", "q4"} <= set(slugs)
    pool = list(Question.select())
    picked = quizzes.draw(pool, 5, Counter(), random.Random(1), difficulty=2)
    assert {q.slug for q in picked} == {"q1", "q4"}


def test_draw_rules_are_checked_when_loading(tmp_path):
    from ..services.test_assessment_pack import BANK as PLAIN

    (tmp_path / "banks").mkdir()
    (tmp_path / "skills.toml").write_text(SKILLS, encoding="utf-8")
    (tmp_path / "banks" / "b.toml").write_text(PLAIN + '[[draws]]\ntags = ["nothing"]\ncount = 1\n', encoding="utf-8")
    problems = read_assessments(tmp_path).problems
    assert any(p.where == "draws[1].count" and "0 question(s)" in p.message for p in problems)


def test_agent_passes_a_shipped_newcomer_quiz_and_the_track_shows_it(app, conn):
    from lms.services.content_pack import read_pack
    from lms.services.content_store import load_pack

    load_pack(read_pack(ROOT / "courses"), assessments=read_assessments(ROOT / "assessments"))
    agent = make_user(("agent",), make_team())
    for slug in ("newcomer-service-process", "newcomer-compliance-red-lines"):
        Completion.create(user=agent, activity=Activity.get(Activity.slug == slug))
    client = app.test_client()
    login(client, agent)
    client.post("/locale/en", data={"csrf_token": csrf_token(client, "/")})
    bank = Bank.get(Bank.slug == "newcomer-process")
    started = client.post(f"/quiz/{bank.slug}/start", data={"csrf_token": csrf_token(client, f"/quiz/{bank.slug}")})
    attempt = QuizAttempt.get(QuizAttempt.user == agent)
    answers = _right_answers(attempt)  # every type but regex short text, at most one of ten here
    quizzes.submit(attempt, {k: v for k, v in answers.items() if v is not None})
    done = QuizAttempt.get_by_id(attempt.id)
    result = client.get(f"/quiz/attempts/{done.id}/result").get_data(as_text=True)
    assert started.status_code == 303 and f"Score {done.score}%" in result
    track = client.get("/learn/tracks/newcomer").get_data(as_text=True)
    quiz_done = Completion.get_or_none((Completion.user == agent) & (Completion.activity == Activity.get(
        Activity.slug == "newcomer-process-quiz")))
    assert done.score >= 90 and quiz_done is not None and quiz_done.passed
    assert "Opens when you finish" not in track.split("基础话术与场景框架")[1].split("</section>")[0]


def test_tampered_answers_count_as_unanswered(app, bank):
    agent = make_user(("agent",), make_team())
    client = app.test_client()
    login(client, agent)
    started = client.post("/quiz/b1/start", data={"csrf_token": csrf_token(client, "/quiz/b1")})
    attempt = QuizAttempt.get(QuizAttempt.user == agent)
    data = {"csrf_token": csrf_token(client, started.headers["Location"])}
    for item in quizzes.shown_questions(attempt):
        data[f"q{item.question.id}"] = "not-a-number"
        data[f"q{item.question.id}_0"] = "x"
    response = client.post(started.headers["Location"], data=data)
    assert response.status_code == 303
    done = QuizAttempt.get_by_id(attempt.id)
    assert done.submitted_at is not None and done.score < 100
