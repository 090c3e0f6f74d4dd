"""Erasing a departed employee: identity and personal words gone, every figure unchanged,
all in one transaction, refused for active people and for oneself."""
import datetime as dt
import json

import pytest

from lms.models import (AuditLog, Bank, CoachingSession, DrillReply, Evidence, GoldenScript, KpiDaily, LoginFailure,
                        ManualRating, MicroTask, Notification, OneTimeToken, OutboxMessage, QuizResponse,
                        ReviewGrade, ReviewSubmission, Technique, TierChange, User)
from lms.services import accounts, item_analysis, kpi_summary, privacy_erase
from lms.services.privacy_erase import ERASED_TEXT, ErasureError

from .. import privacy_world as pw_world


@pytest.fixture
def world(conn):
    return pw_world.build()


def _figures(world) -> dict:
    team = list(User.select())
    return {
        "kpi": kpi_summary.summary(team, dt.date(2025, 1, 1), dt.date(2025, 12, 31)),
        "kpi_agent": kpi_summary.summary(pw_world.fresh(world["agent"]), dt.date(2025, 1, 1), dt.date(2025, 12, 31)),
        "items": item_analysis.compute(Bank.get(Bank.slug == "b1")),
        "scores": sorted((r.user_id, r.score, r.checker_score) for r in DrillReply.select()),
        "evidence": sorted((e.user_id, e.skill, e.score) for e in Evidence.select()),
        "responses": sorted((r.attempt_id, r.question_id, r.score) for r in QuizResponse.select()),
        "grades": sorted((g.submission_id, g.score, g.levels) for g in ReviewGrade.select()),
        "tasks": sorted((t.user_id, t.day, t.score, t.status) for t in MicroTask.select()),
        "tiers": sorted((t.user_id, t.tier, t.effective_on) for t in TierChange.select()),
    }


def test_an_active_employee_cannot_be_erased(world):
    with pytest.raises(ErasureError, match="still active"):
        privacy_erase.erase(world["agent"], world["admin"])
    assert pw_world.fresh(world["agent"]).name == "张小明"


def test_an_admin_cannot_erase_themselves(world):
    accounts.deactivate(world["admin"])
    with pytest.raises(ErasureError, match="yourself"):
        privacy_erase.erase(pw_world.fresh(world["admin"]), world["admin"])
    assert pw_world.fresh(world["admin"]).employee_no == "P500"


def test_erasure_anonymises_and_keeps_every_figure(world):
    agent = world["agent"]
    accounts.deactivate(agent, world["admin"])
    before = _figures(world)
    old_version = pw_world.fresh(agent).session_version

    result = privacy_erase.erase(pw_world.fresh(agent), world["admin"])

    assert _figures(world) == before
    user = pw_world.fresh(agent)
    assert result.pseudonym == user.employee_no == user.name == privacy_erase.pseudonym_for(agent.id)
    assert user.name.startswith("已离职-") and len(user.name) == len("已离职-") + 6
    assert (user.email, user.password_hash, user.locale, user.last_login_at, user.active) == ("", None, None, None, False)
    assert user.session_version == old_version + 1
    assert user.hire_date == dt.date(2025, 1, 6)  # tenure bands still read it
    # Nothing that names or quotes them is left anywhere in the database.
    dump = pw_world.text_dump()
    for needle in (pw_world.NAME, pw_world.NUMBER, pw_world.EMAIL, pw_world.PERSONAL, "xiaoming"):
        assert needle not in dump, needle
    assert KpiDaily.select().where(KpiDaily.user == agent).count() == 2


def test_what_is_blanked_and_what_is_kept(world):
    agent = world["agent"]
    accounts.deactivate(agent)
    privacy_erase.erase(pw_world.fresh(agent), world["admin"])
    reply = DrillReply.get(DrillReply.user == agent)
    assert (reply.text, reply.comment, reply.score) == (ERASED_TEXT, "", 0.6)
    finding = json.loads(reply.checker)["findings"][0]
    assert finding["text"] == "" and finding["category"] == "refusal"
    task = MicroTask.get(MicroTask.user == agent)
    assert task.answer == ERASED_TEXT and json.loads(task.result)["score"] == 60
    submission = ReviewSubmission.get(ReviewSubmission.technique == ERASED_TEXT)
    assert set(json.loads(submission.answers).popitem()[1].values()) == {ERASED_TEXT}
    assert ReviewGrade.get(ReviewGrade.submission == submission).comment == ""
    session = CoachingSession.get(CoachingSession.mentee == agent)
    assert (session.topic, session.notes, session.action) == (ERASED_TEXT, "", "")
    assert ManualRating.get(ManualRating.user == agent).note == ERASED_TEXT
    assert {t.reason for t in TierChange.select().where(TierChange.user == agent)} == {""}
    answers = {json.loads(r.answer) for r in QuizResponse.select()}
    assert answers == {ERASED_TEXT, "您好", 0}  # only their free text; the other agent's answer stays
    # Their credentials and their own news are gone; others' failed sign-ins stay.
    assert OneTimeToken.select().where(OneTimeToken.user == agent).count() == 0
    assert [f.key for f in LoginFailure.select()] == ["p300"]
    assert Notification.select().where(Notification.user == agent).count() == 0
    assert OutboxMessage.select().count() == 1
    assert Notification.get(Notification.user == world["trainer"]).title.startswith("已离职-")
    # What they made for the centre stays, credited to the pseudonym.
    script = GoldenScript.get(GoldenScript.slug == "g1")
    assert script.author_id == agent.id and script.approved_by == pw_world.fresh(agent).name
    assert Technique.select().count() == 1
    # The other agent's reply they graded keeps the grade and its comment.
    assert DrillReply.get(DrillReply.user == world["peer"]).comment == "不错"


def test_erasure_is_audited_by_id_and_never_rewrites_the_log(world):
    agent = world["agent"]
    accounts.deactivate(agent, world["admin"])
    entries = [(e.id, e.action, e.target, e.detail) for e in AuditLog.select().order_by(AuditLog.id)]
    about = AuditLog.select().where(AuditLog.subject == agent)
    assert about.count() >= 4 and {e.target for e in about} == {f"user:{agent.id}"}
    assert not any(pw_world.NUMBER in target or pw_world.NAME in detail for _i, _a, target, detail in entries)
    privacy_erase.erase(pw_world.fresh(agent), world["admin"])
    after = [(e.id, e.action, e.target, e.detail) for e in AuditLog.select().order_by(AuditLog.id)]
    assert after[:-1] == entries  # the earlier entries untouched
    last = AuditLog.get_by_id(after[-1][0])
    assert (last.action, last.subject_id, last.actor_id) == ("privacy.erase", agent.id, world["admin"].id)
    detail = json.loads(last.detail)
    assert detail["pseudonym"] == pw_world.fresh(agent).name and detail["drill_replies"] == 1
    tier_entry = AuditLog.get(AuditLog.action == "tier.change", AuditLog.subject == agent,
                              AuditLog.actor == world["trainer"])
    assert "reason" not in json.loads(tier_entry.detail)  # the free text stays in TierChange only


def test_erasing_twice_changes_nothing(world):
    accounts.deactivate(world["agent"])
    first = privacy_erase.erase(pw_world.fresh(world["agent"]))
    count = AuditLog.select().count()
    again = privacy_erase.erase(pw_world.fresh(world["agent"]))
    assert again.already and again.pseudonym == first.pseudonym
    assert AuditLog.select().count() == count


def test_a_failure_part_way_leaves_everything_as_it_was(world, monkeypatch):
    accounts.deactivate(world["agent"])
    dump = pw_world.text_dump()

    def broken(user, pseudonym):
        raise RuntimeError("disk full")

    monkeypatch.setattr(privacy_erase, "_rename_elsewhere", broken)
    with pytest.raises(RuntimeError):
        privacy_erase.erase(pw_world.fresh(world["agent"]), world["admin"])
    assert pw_world.text_dump() == dump
    assert pw_world.fresh(world["agent"]).name == "张小明"


def test_the_pseudonym_is_stable_and_unique(world):
    agent = world["agent"]
    clash = privacy_erase.pseudonym_for(agent.id)
    User.update(employee_no=clash).where(User.id == world["outsider"].id).execute()
    accounts.deactivate(agent)
    result = privacy_erase.erase(pw_world.fresh(agent))
    assert result.pseudonym == privacy_erase.pseudonym_for(agent.id, 7) != clash
    assert privacy_erase.is_erased(pw_world.fresh(agent))
    assert not privacy_erase.is_erased(pw_world.fresh(world["outsider"]))
