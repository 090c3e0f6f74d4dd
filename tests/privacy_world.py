"""A small organisation in which one agent, 张小明 (P100), has a row in every table that can
hold something about a person: the privacy tests export and erase them."""
from __future__ import annotations

import datetime as dt
import json

from lms.db import database
from lms.models import (ApiToken, AuthoredComment, AuthoredItem, Bank, Briefing, BriefingAck, CalibrationRound,
                        CalibrationScore, Case, CoachingSession, Completion, ContentChange, Dispute, Drill,
                        DrillReply, Evidence, GoldenScript, KpiImport, LoginFailure, ManualRating, MentorPairing,
                        MicroTask, MicroTemplate, Module, Notification, OutboxMessage, PathRecommendation,
                        PeerReview, Question, QuizAttempt, QuizResponse, ReviewAssignment, ReviewGrade, ReviewSet,
                        ReviewSetCase, ReviewSubmission, RotaDay, Rubric, RubricVersion, ScriptProposal, Technique,
                        Track, TriggeredAssignment, User, Activity)
from lms.services import accounts

from .factories import add_kpi_days, make_site, make_team, make_user

NAME, NUMBER, EMAIL = "张小明", "P100", "xiaoming.zhang@example.cn"
# Words only the person wrote, or others wrote about them: erasure must remove every copy.
PERSONAL = "我是张小明"


def build() -> dict:
    site = make_site("上海中心")
    team = make_team("在线一组", site)
    other_team = make_team("电话一组", site)
    agent = make_user(("agent",), team, NUMBER, name=NAME, email=EMAIL, tier="newcomer")
    mentor = make_user(("agent", "mentor"), team, "P200", name="李导师", tier="elite")
    peer = make_user(("agent",), team, "P300", name="王同事")
    trainer = make_user(("trainer",), None, "P400", name="赵培训", scopes=[team])
    manager = make_user(("manager",), None, "P450", name="钱经理", scopes=[site])
    admin = make_user(("admin",), None, "P500", name="孙管理")
    outsider = make_user(("agent",), other_team, "P600", name="外组员工")
    with database.connection_context(), database.atomic():  # one commit: PostgreSQL syncs each
        _rows(agent, mentor, peer, trainer, admin)
    add_kpi_days(agent, (dt.date(2025, 3, 3), 40, 30, 12000, 10, 8, 2), (dt.date(2025, 3, 4), 50, 35, 15000, 12, 9, 3))
    add_kpi_days(peer, (dt.date(2025, 3, 3), 30, 27, 9000, 8, 8, 1))
    return {"site": site, "team": team, "agent": agent, "mentor": mentor, "peer": peer, "trainer": trainer,
            "manager": manager, "admin": admin, "outsider": outsider}


def _rows(agent, mentor, peer, trainer, admin) -> None:
    now = dt.datetime(2025, 3, 5, 8, 0)
    track = Track.create(slug="newcomer", title="新人训", tier="newcomer", updated_by=trainer)
    module = Module.create(track=track, slug="m1", title="服务流程", position=1)
    activity = Activity.create(module=module, slug="a1", kind="lesson", title="开场白", position=1)
    Completion.create(user=agent, activity=activity, score=90)
    Completion.create(user=peer, activity=activity, score=70)
    ContentChange.create(user=trainer, kind="track", slug="newcomer", action="created")

    bank = Bank.create(slug="b1", title="话术题库", tier="newcomer")
    question = Question.create(bank=bank, slug="q1", type="short_text", skill="empathy", prompt="怎么说？",
                               spec=json.dumps({"answers": ["您好"]}))
    choice = Question.create(bank=bank, slug="q2", type="single", skill="empathy", prompt="选一个",
                             spec=json.dumps({"choices": ["甲", "乙"], "answer": 0}))
    for who, text, score in ((agent, PERSONAL, 0.0), (peer, "您好", 1.0)):
        attempt = QuizAttempt.create(user=who, bank=bank, number=1, questions="[]", submitted_at=now,
                                     score=score * 100, passed=bool(score))
        QuizResponse.create(attempt=attempt, question=question, answer=json.dumps(text, ensure_ascii=False),
                            score=score, correct=bool(score))
        QuizResponse.create(attempt=attempt, question=choice, answer="0", score=1, correct=True)
    Evidence.create(user=agent, skill="empathy", source="quiz:b1/q1", score=0.5, at=now)

    rubric = Rubric.create(slug="reply-standard", title="回复标准")
    version = RubricVersion.create(rubric=rubric, number=1, criteria="[]", created_by=trainer)
    drill = Drill.create(slug="d1", title="投诉演练", tier="newcomer", scenario="complaint", skill="empathy",
                         rubric="reply-standard", customer="我要投诉！")
    checker = {"score": 60, "findings": [{"rule": "r1", "category": "refusal", "span": [0, 5],
                                          "text": PERSONAL, "severity": "high", "suggestion": "换个说法"}]}
    DrillReply.create(user=agent, drill=drill, text=f"{PERSONAL}，这个不行", checker=json.dumps(checker, ensure_ascii=False),
                      checker_score=60, rubric_version=version, levels="{}", score=0.6, raw_score=0.6,
                      comment=f"{NAME}要多共情", graded_by=mentor, graded_at=now)
    DrillReply.create(user=peer, drill=drill, text="=HYPERLINK(\"http://x\")", checker="{}", checker_score=80,
                      graded_by=agent, comment="不错", score=0.8)

    KpiImport.create(actor=agent, source="web", filename="kpi.csv", report='[{"value": "P999"}]')
    ApiToken.create(name="平台", token_hash="h" * 64, scope="kpi:write", created_by=agent)

    template = MicroTemplate.create(slug="t1", tier="newcomer", skill="empathy", kpi="csat", kind="reply", title="共情")
    MicroTask.create(user=agent, day=dt.date(2025, 3, 3), template=template, status="done", answer=PERSONAL,
                     result=json.dumps(checker, ensure_ascii=False), score=60, completed_at=now)
    RotaDay.create(user=agent, day=dt.date(2025, 3, 8), working=True)
    TriggeredAssignment.create(user=agent, rule="low-csat", activity=activity, assigned_on=dt.date(2025, 3, 4),
                               due_on=dt.date(2025, 3, 11))
    briefing = Briefing.create(title="新政策", body="内容", deadline=dt.date(2025, 3, 10), created_by=trainer)
    BriefingAck.create(briefing=briefing, user=agent, answers="[0]", correct=1)

    mine = Notification.create(user=agent, kind="graded", title="你的演练已评分", body=f"{NAME}，请查看")
    OutboxMessage.create(notification=mine, channel="email", recipient=EMAIL, subject="已评分", body=f"{NAME}，请查看",
                         dedup_key=f"graded:{mine.id}:email")
    about = Notification.create(user=trainer, kind="task", title=f"{NAME} 提交了案例复盘", body=f"请为{NAME}评分")
    OutboxMessage.create(notification=about, channel="webhook", recipient="webhook", subject=f"{NAME} 提交了",
                         body="请评分", dedup_key=f"task:{about.id}:webhook")

    case = Case.create(title="物流延误", kind="failure", created_by=trainer, summary="客户张先生……")
    review_set = ReviewSet.create(title="第10周", week=dt.date(2025, 3, 3), due_on=dt.date(2025, 3, 9),
                                  created_by=trainer)
    ReviewSetCase.create(review_set=review_set, case=case, position=1)
    assignment = ReviewAssignment.create(review_set=review_set, user=agent)
    answers = {str(case.id): {"process": PERSONAL, "experience": "客户情绪下降", "growth": "先道歉"}}
    submission = ReviewSubmission.create(assignment=assignment, version=1,
                                         answers=json.dumps(answers, ensure_ascii=False), technique=f"{PERSONAL}的技巧")
    grade = ReviewGrade.create(submission=submission, grader=trainer, rubric_version=version, levels='{"c": 2}',
                               score=0.7, comment=f"{NAME}的分析不够")
    Dispute.create(grade=grade, criterion="c", comment=f"{PERSONAL}，我不同意", outcome="rejected",
                   resolution=f"{NAME}的理由不足", resolved_by=trainer)
    PeerReview.create(submission=submission, reviewer=peer, leased_until=now, levels='{"c": 3}', score=0.8,
                      comment=f"{NAME}写得好", completed_at=now)
    Technique.create(submission=submission, text="预计等待3分钟，留下需求优先处理", flagged_by=trainer)
    peer_assignment = ReviewAssignment.create(review_set=review_set, user=peer)
    peer_submission = ReviewSubmission.create(assignment=peer_assignment, version=1, answers="{}", technique="别人的")
    PeerReview.create(submission=peer_submission, reviewer=agent, leased_until=now, comment="同事的点评")
    calibration = CalibrationRound.create(submission=peer_submission, reference=trainer, created_by=trainer)
    CalibrationScore.create(round=calibration, grader=mentor, score=0.5)

    MentorPairing.create(mentor=mentor, mentee=agent, started_on=dt.date(2025, 1, 6), created_by=trainer)
    CoachingSession.create(mentor=mentor, mentee=agent, held_on=dt.date(2025, 3, 1), topic=f"{NAME}的投诉处理",
                           notes=f"{NAME}情绪紧张", action="每天练习")
    GoldenScript.create(slug="g1", title="退款异议", scenario="complaint", topic="refund", channel="phone",
                        situation="客户要求退款", after="我理解您的心情", author=agent, approved_by=NAME,
                        approver=trainer, status="published")
    ScriptProposal.create(kind="new", proposer=agent, after="新的说法", reason="更好")
    ManualRating.create(user=agent, skill="empathy", score=0.4, note=f"{NAME}需要加强", rated_by=trainer)
    PathRecommendation.create(user=agent, rule="weak-empathy")
    item = AuthoredItem.create(author=agent, kind="drill", title="我的草稿", payload="{}")
    AuthoredComment.create(item=item, user=trainer, body="请修改")

    accounts.set_tier(agent, "advanced", reason=f"{NAME}表现突出", actor=trainer)
    accounts.issue_link_token(agent, 24, purpose="reset", actor=admin)
    LoginFailure.create(kind="account", key=NUMBER.lower())
    LoginFailure.create(kind="account", key=EMAIL)
    LoginFailure.create(kind="account", key="p300")


def text_dump() -> str:
    """Every text value in every table, for "is this name still anywhere?" checks."""
    from lms.models import ALL_MODELS

    parts = []
    for model in ALL_MODELS:
        for row in model.select().tuples():
            parts.extend(str(value) for value in row if isinstance(value, str))
    return "\n".join(parts)


def fresh(user: User) -> User:
    return User.get_by_id(user.id)
