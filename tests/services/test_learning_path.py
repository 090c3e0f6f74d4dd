"""Learning paths on constructed evidence and KPI histories: a weak skill or KPI brings its
content with the reason; items done since count as done; recovery takes it away; config errors."""
import datetime as dt

import pytest

from lms.config import DEFAULT_LEARNING_RULES, ConfigError, load_settings
from lms.models import (Activity, Bank, Completion, Drill, DrillReply, Evidence, Module, PathRecommendation,
                        QuizAttempt, Skill, Track)
from lms.services import clock, learning_path

from ..factories import add_kpi_days, make_user

NOW = dt.datetime(2026, 3, 31, 6)  # a Tuesday, UTC
TODAY = NOW.date()


@pytest.fixture
def content(app, conn):
    clock.freeze(NOW)
    Skill.create(slug="empathy", name="共情表达")
    Skill.create(slug="problem-diagnosis", name="问题诊断")
    newcomer = Track.create(slug="newcomer", title="新人训", tier="newcomer")
    module = Module.create(track=newcomer, slug="newcomer-scripts", title="话术", position=1)
    lesson = Activity.create(module=module, slug="newcomer-emotion-soothing", kind="lesson", title="情绪安抚公式",
                             position=1)
    advanced = Track.create(slug="advanced", title="进阶训", tier="advanced")
    module = Module.create(track=advanced, slug="advanced-emotion", title="高阶情绪", position=1)
    Activity.create(module=module, slug="advanced-emotion-management", kind="lesson", title="高阶情绪管理", position=1)
    drills = {slug: Drill.create(slug=slug, title=title, tier="newcomer", scenario="complaint", skill="empathy",
                                 rubric="reply-standard", customer="……")
              for slug, title in (("drill-angry-complaint", "愤怒投诉"), ("drill-logistics-delay", "物流延误"))}
    bank = Bank.create(slug="advanced-emotion", title="高阶情绪测验", tier="advanced")
    return {"lesson": lesson, "drills": drills, "bank": bank}


def _settings(app, rules=None):
    if rules is None:
        return app.extensions["lms"].settings
    return load_settings(overrides={"learning.rules": rules}, environ={})


def _evidence(user, skill, score, n=3, days_ago=0):
    for _ in range(n):
        Evidence.create(user=user, skill=skill, score=score, source="quiz:b/q",
                        at=dt.datetime.combine(TODAY - dt.timedelta(days=days_ago), dt.time(2)))


def test_a_weak_empathy_agent_gets_the_empathy_items_with_the_reason(app, content):
    agent = make_user(("agent",), None, "A1", tier="newcomer")
    _evidence(agent, "empathy", 0.4)
    _evidence(agent, "compliance", 0.95)
    recs = learning_path.recommendations(agent, _settings(app))
    assert [r.rule for r in recs] == ["weak-empathy"]
    rec = recs[0]
    assert rec.reason == DEFAULT_LEARNING_RULES[0]["reason"]
    assert (rec.kind, rec.subject, rec.subject_name, rec.direction) == ("skill", "empathy", "共情表达", "below")
    assert rec.value == pytest.approx(0.4) and rec.threshold == 0.6
    # the advanced lesson and bank are above a newcomer's tier: not listed
    assert [(i.slug, i.kind, i.link, i.done) for i in rec.items] == [
        ("newcomer-emotion-soothing", "lesson", "activity", False),
        ("drill-angry-complaint", "drill", "drill", False), ("drill-logistics-delay", "drill", "drill", False)]
    assert PathRecommendation.get(PathRecommendation.user == agent).since == NOW


def test_an_advanced_agent_sees_the_advanced_content_too(app, content):
    agent = make_user(("agent",), None, "A1", tier="advanced")
    _evidence(agent, "empathy", 0.5)
    items = learning_path.recommendations(agent, _settings(app))[0].items
    assert [i.slug for i in items] == ["newcomer-emotion-soothing", "advanced-emotion-management",
                                       "drill-angry-complaint", "drill-logistics-delay"]


def test_items_done_since_the_recommendation_count_as_done(app, content):
    agent = make_user(("agent",), None, "A1", tier="newcomer")
    _evidence(agent, "empathy", 0.3, n=5, days_ago=3)
    earlier = NOW - dt.timedelta(days=2)
    DrillReply.create(user=agent, drill=content["drills"]["drill-logistics-delay"], text="……", submitted_at=earlier)
    Completion.create(user=agent, activity=content["lesson"], completed_at=earlier)
    learning_path.recommendations(agent, _settings(app))  # first made now
    clock.freeze(NOW + dt.timedelta(hours=2))
    DrillReply.create(user=agent, drill=content["drills"]["drill-angry-complaint"], text="……",
                      submitted_at=clock.utcnow())
    rec = learning_path.recommendations(agent, _settings(app))[0]
    state = {i.slug: (i.done, i.read_on) for i in rec.items}
    assert state == {"newcomer-emotion-soothing": (False, earlier),  # read before: worth reading again
                     "drill-angry-complaint": (True, None), "drill-logistics-delay": (False, None)}
    assert [i.slug for i in rec.open_items] == ["newcomer-emotion-soothing", "drill-logistics-delay"]


def test_a_quiz_attempt_since_the_recommendation_counts_as_done(app, content):
    agent = make_user(("agent",), None, "A1", tier="advanced")
    rules = [{"name": "r", "skill": "empathy", "below": 0.6, "content": ["advanced-emotion"], "reason": "练一练"}]
    _evidence(agent, "empathy", 0.2)
    assert learning_path.recommendations(agent, _settings(app, rules))[0].items[0].done is False
    QuizAttempt.create(user=agent, bank=content["bank"], number=1, questions="[]", submitted_at=clock.utcnow())
    QuizAttempt.create(user=agent, bank=content["bank"], number=2, questions="[]")  # not submitted
    rec = learning_path.recommendations(agent, _settings(app, rules))[0]
    assert rec.reason == "练一练" and rec.items[0].done is True


def test_after_good_empathy_evidence_the_recommendation_goes_away(app, content):
    agent = make_user(("agent",), None, "A1", tier="newcomer")
    _evidence(agent, "empathy", 0.4, days_ago=1)
    assert [r.rule for r in learning_path.recommendations(agent, _settings(app))] == ["weak-empathy"]
    _evidence(agent, "empathy", 1.0, n=6)  # (3 * 0.4 * w1 + 6) / (3 * w1 + 6) ≈ 0.80 > 0.6
    assert learning_path.recommendations(agent, _settings(app)) == []
    assert not PathRecommendation.select().exists()
    # weak again later: a new recommendation, made from then on
    clock.freeze(NOW + dt.timedelta(days=1))
    _evidence(agent, "empathy", 0.0, n=20)
    rec = learning_path.recommendations(agent, _settings(app))[0]
    assert rec.since == NOW + dt.timedelta(days=1)


def test_not_enough_evidence_recommends_nothing(app, content):
    agent = make_user(("agent",), None, "A1", tier="newcomer")
    _evidence(agent, "empathy", 0.0, n=2)
    assert learning_path.recommendations(agent, _settings(app)) == []


def _weeks_back(n: int) -> dt.date:
    """A Wednesday n weeks before this one."""
    return TODAY + dt.timedelta(days=1) - dt.timedelta(weeks=n)


def test_kpi_rules_read_the_weekly_rollups_as_ratios_of_sums(app, content):
    agent = make_user(("agent",), None, "A1", tier="newcomer")
    # (day, contacts, resolved, handle_seconds, csat responses, csat positive)
    add_kpi_days(agent, (_weeks_back(0) - dt.timedelta(days=1), 40, 34, 40 * 400, 20, 19),
                 (_weeks_back(1), 60, 51, 60 * 400, 30, 24), (_weeks_back(3), 20, 17, 20 * 400, 10, 7),
                 (_weeks_back(4), 100, 10, 100 * 900, 50, 0))  # five weeks back: outside the window
    recs = {r.rule: r for r in learning_path.recommendations(agent, _settings(app))}
    assert set(recs) == {"low-csat"}  # FCR 102/120 = 85%, AHT 400 s: fine
    rec = recs["low-csat"]
    assert rec.value == pytest.approx(50 / 60)  # 19 + 24 + 7 of 20 + 30 + 10, not a mean of weekly rates
    assert (rec.kind, rec.subject, rec.direction, rec.threshold, rec.weeks) == ("kpi", "csat", "below", 0.85, 4)
    assert [i.slug for i in rec.items] == ["newcomer-emotion-soothing", "drill-angry-complaint",
                                           "drill-logistics-delay"]
    # a good week recovers CSAT: the recommendation goes
    add_kpi_days(agent, (_weeks_back(2), 40, 34, 40 * 400, 40, 40))
    assert learning_path.recommendations(agent, _settings(app)) == []


def test_high_aht_fires_above_and_too_few_contacts_fire_nothing(app, content):
    agent = make_user(("agent",), None, "A1", tier="newcomer")
    rules = [{"name": "slow", "kpi": "aht", "above": 420, "weeks": 2, "min_contacts": 30,
              "content": ["drill-angry-complaint"], "reason": "Too slow"}]
    add_kpi_days(agent, (_weeks_back(1), 20, 20, 20 * 500, 0, 0))
    assert learning_path.recommendations(agent, _settings(app, rules)) == []  # 20 contacts < 30
    add_kpi_days(agent, (_weeks_back(0) - dt.timedelta(days=1), 20, 20, 20 * 400, 0, 0))
    rec = learning_path.recommendations(agent, _settings(app, rules))[0]
    assert rec.value == pytest.approx(450) and rec.direction == "above" and rec.threshold == 420
    add_kpi_days(agent, (_weeks_back(0) - dt.timedelta(days=1), 20, 20, 20 * 300, 0, 0))  # replaces that day
    assert learning_path.recommendations(agent, _settings(app, rules)) == []


def test_unknown_content_is_reported_and_skipped(app, content, caplog):
    agent = make_user(("agent",), None, "A1", tier="newcomer")
    rules = [{"name": "r", "skill": "empathy", "below": 0.6, "content": ["no-such-lesson", "drill-angry-complaint"],
              "reason": "x"}]
    settings = _settings(app, rules)
    assert learning_path.unknown_content(settings) == [("r", "no-such-lesson")]
    _evidence(agent, "empathy", 0.1)
    rec = learning_path.recommendations(agent, settings)[0]
    assert [i.slug for i in rec.items] == ["drill-angry-complaint"]
    assert "no-such-lesson" in caplog.text


def test_the_shipped_rules_name_real_content_and_marked_reasons(app, conn):
    from pathlib import Path

    from lms.services.assessment_pack import read_assessments
    from lms.services.content_pack import read_pack

    root = Path(__file__).resolve().parents[2]
    pack = read_pack(root / "courses")
    slugs = {a.slug for t in pack.tracks for m in t.modules for a in m.activities}
    bundle = read_assessments(root / "assessments")
    slugs |= {d["slug"] for d in bundle.drills} | {b["slug"] for b in bundle.banks}
    for rule in DEFAULT_LEARNING_RULES:
        assert set(rule["content"]) <= slugs, rule["name"]
        assert rule["reason"] in learning_path.DEFAULT_REASONS
    example = load_settings(root / "config.example.toml", environ={})
    assert example["learning.rules"] == _settings(app)["learning.rules"]


@pytest.mark.parametrize("rule, message", [
    ({"skill": "empathy", "below": 0.5, "content": ["a"], "reason": "r"}, "rule 1: missing name"),
    ({"name": "x", "skill": "empathy", "kpi": "csat", "below": 0.5, "content": ["a"], "reason": "r"},
     "rule 'x': give either skill or kpi"),
    ({"name": "x", "skill": "empathy", "content": ["a"], "reason": "r"}, "rule 'x': give either below or above"),
    ({"name": "x", "skill": "empathy", "below": 60, "content": ["a"], "reason": "r"}, "rule 'x', below:"),
    ({"name": "x", "skill": "empathy", "above": 0.5, "content": ["a"], "reason": "r"}, "rule 'x', above:"),
    ({"name": "x", "skill": "empathy", "below": 0.5, "weeks": 2, "content": ["a"], "reason": "r"}, "rule 'x', weeks:"),
    ({"name": "x", "kpi": "nps", "below": 0.5, "content": ["a"], "reason": "r"}, "rule 'x', kpi:"),
    ({"name": "x", "kpi": "csat", "below": 85, "content": ["a"], "reason": "r"}, "rule 'x', below: expected a rate"),
    ({"name": "x", "kpi": "aht", "above": -1, "content": ["a"], "reason": "r"}, "rule 'x', above: expected seconds"),
    ({"name": "x", "kpi": "fcr", "below": 0.7, "weeks": 0, "content": ["a"], "reason": "r"}, "rule 'x': weeks"),
    ({"name": "x", "skill": "empathy", "below": 0.5, "content": [], "reason": "r"}, "rule 'x', content:"),
    ({"name": "x", "skill": "empathy", "below": 0.5, "content": ["Bad Slug"], "reason": "r"}, "rule 'x', content:"),
    ({"name": "x", "skill": "empathy", "below": 0.5, "content": "a", "reason": "r"}, "rule 'x', content: wrong type"),
    ({"name": "x", "skill": "empathy", "below": 0.5, "content": ["a"], "reason": " "}, "rule 'x', reason:"),
    ({"name": "x", "skill": "empathy", "below": 0.5, "content": ["a"]}, "rule 'x': missing reason"),
    ({"name": "x", "skill": "empathy", "below": 0.5, "content": ["a"], "reason": "r", "colour": "red"},
     "rule 'x': unknown key 'colour'"),
])
def test_config_errors_name_the_rule_and_the_key(rule, message):
    with pytest.raises(ConfigError) as raised:
        load_settings(overrides={"learning.rules": [rule]}, environ={})
    assert message in str(raised.value) and "learning.rules" in str(raised.value)


def test_config_rejects_a_name_used_twice_and_reads_the_environment(tmp_path):
    rule = {"name": "x", "skill": "empathy", "below": 0.5, "content": ["a"], "reason": "r"}
    with pytest.raises(ConfigError, match="rule 'x', name: used twice"):
        load_settings(overrides={"learning.rules": [rule, rule]}, environ={})
    settings = load_settings(environ={"LMS_LEARNING_RULES": '[{"name": "k", "kpi": "fcr", "below": 0.7, '
                                                            '"content": ["a"], "reason": "r"}]'})
    assert settings["learning.rules"] == [{"name": "k", "kpi": "fcr", "below": 0.7, "content": ["a"], "reason": "r",
                                           "weeks": 4, "min_contacts": None}]
    assert load_settings(overrides={"learning.rules": []}, environ={})["learning.rules"] == []
