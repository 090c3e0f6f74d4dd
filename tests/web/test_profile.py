"""Capability profile and learning path pages through HTTP: who sees whose profile, the radar
with its table, the evidence behind a number, trainers' manual ratings, "Recommended for you"."""
import datetime as dt
import re

import pytest

from lms.models import Bank, Drill, Evidence, ManualRating, MentorPairing, Question, Skill
from lms.services import clock

from ..factories import client_for, csrf_token, make_site, make_team, make_user

NOW = dt.datetime(2026, 3, 31, 6)


@pytest.fixture
def org(app, conn):
    clock.freeze(NOW)
    Skill.create(slug="empathy", name="共情表达")
    Skill.create(slug="compliance", name="合规")
    site = make_site("上海中心")
    team, other = make_team("在线一组", site), make_team("电话一组", site)
    people = {"agent": make_user(("agent",), team, "A1", name="张三", tier="newcomer"),
              "peer": make_user(("agent",), team, "A2", name="李四", tier="newcomer"),
              "mentor": make_user(("agent", "mentor"), team, "A3", name="王导师", tier="elite"),
              "outsider": make_user(("agent",), other, "A9", name="外组", tier="newcomer"),
              "trainer": make_user(("trainer",), None, "T1", name="赵培训", scopes=[team]),
              "far_trainer": make_user(("trainer",), None, "T2", scopes=[other]),
              "manager": make_user(("manager",), None, "M1", scopes=[site])}
    bank = Bank.create(slug="newcomer-scripts", title="基础话术测验", tier="newcomer")
    Question.create(bank=bank, slug="ns-01", type="single", skill="empathy", prompt="客户说“等了一周”时，哪句最合适？")
    Drill.create(slug="drill-angry-complaint", title="愤怒投诉", tier="newcomer", scenario="complaint",
                 skill="empathy", rubric="reply-standard", customer="……")
    at = dt.datetime(2026, 3, 1, 2)  # 30 days ago (UTC dates): weight 0.5
    for source, score in (("quiz:newcomer-scripts/ns-01", 0.0), ("rubric:drill-angry-complaint/empathy", 0.5),
                          ("checker:drill-angry-complaint/blame-shift", 0.0), ("rubric:case-review/growth", 0.5)):
        Evidence.create(user=people["agent"], skill="empathy", score=score, source=source, at=at)
    for member, score in ((people["peer"], 0.8), (people["mentor"], 0.6)):
        for _ in range(3):
            Evidence.create(user=member, skill="empathy", score=score, source="quiz:x/y", at=NOW)
    return people


def _text(response):
    return response.get_data(as_text=True)


def test_the_agent_sees_their_own_profile_with_radar_and_table(app, org):
    client = client_for(app, org["agent"])
    page = _text(client.get("/profile/skills"))
    assert "<svg" in page and 'class="lms-chart lms-radar"' in page and "共情表达" in page
    # four rows (0, 0.5, 0, 0.5) of one day: 25%; team median of 25%, 60%, 80% = 60%, n=3
    assert re.search(r">25%</a>", page) and "60%" in page and "n=3" in page
    assert "not enough evidence" in page  # compliance has none
    assert f'/profile/skills/{org["agent"].id}/empathy' in page
    assert "<script" not in page and "style=" not in page
    me = _text(client.get("/me"))
    assert f'/profile/skills/{org["agent"].id}' in me


def test_an_agent_may_not_see_another_agents_profile(app, org):
    client = client_for(app, org["agent"])
    for other in ("peer", "outsider"):
        assert client.get(f"/profile/skills/{org[other].id}").status_code == 404
        assert client.get(f"/profile/skills/{org[other].id}/empathy").status_code == 404
    assert client.get(f"/profile/skills/{org['agent'].id}").status_code == 200
    token = csrf_token(client, "/profile/skills")
    response = client.post(f"/profile/skills/{org['peer'].id}/empathy/rate",
                           data={"csrf_token": token, "score": "90", "note": "好"})
    assert response.status_code == 403 and not ManualRating.select().exists()


def test_staff_in_scope_and_the_current_mentor_see_the_profile(app, org):
    agent_id = org["agent"].id
    assert client_for(app, org["trainer"]).get(f"/profile/skills/{agent_id}").status_code == 200
    assert client_for(app, org["manager"]).get(f"/profile/skills/{agent_id}").status_code == 200
    assert client_for(app, org["far_trainer"]).get(f"/profile/skills/{agent_id}").status_code == 404
    mentor = client_for(app, org["mentor"])
    assert mentor.get(f"/profile/skills/{agent_id}").status_code == 404  # same team, not their mentee
    MentorPairing.create(mentor=org["mentor"], mentee=org["agent"], started_on=NOW.date())
    assert mentor.get(f"/profile/skills/{agent_id}").status_code == 200
    page = _text(mentor.get(f"/profile/skills/{agent_id}/empathy"))
    assert "Record a manual rating" not in page  # mentors see, trainers rate


def test_the_evidence_behind_a_score_is_listed_in_words(app, org):
    page = _text(client_for(app, org["trainer"]).get(f"/profile/skills/{org['agent'].id}/empathy"))
    for words in ("Quiz question", "基础话术测验", "客户说“等了一周”时，哪句最合适？", "Rubric criterion", "愤怒投诉",
                  "Script checker finding", "blame-shift", "Case review", "2026-03-01", "0.50"):
        assert words in page, words
    assert "Record a manual rating" in page
    assert client_for(app, org["trainer"]).get(f"/profile/skills/{org['agent'].id}/no-such-skill").status_code == 404


def test_a_trainer_records_a_rating_that_counts_as_evidence(app, org):
    client = client_for(app, org["trainer"])
    url = f"/profile/skills/{org['agent'].id}/empathy"
    token = csrf_token(client, url)
    response = client.post(url + "/rate", data={"csrf_token": token, "score": "90", "note": "旁听三通电话，共情到位"})
    assert response.status_code == 303
    rating = ManualRating.get()
    assert (rating.user_id, rating.skill, rating.score, rating.rated_by_id) == (org["agent"].id, "empathy", 0.9,
                                                                                org["trainer"].id)
    evidence = Evidence.get(Evidence.source == f"manual:{rating.id}")
    assert (evidence.user_id, evidence.skill, evidence.score, evidence.at) == (org["agent"].id, "empathy", 0.9,
                                                                               rating.rated_at)
    page = _text(client.get(url))
    assert "Manual rating" in page and "旁听三通电话，共情到位" in page and "赵培训" in page
    # today's 0.9 at weight 1 with four rows at weight 0.5: (0.9 + 0.5) / 3 = 47%
    profile = _text(client_for(app, org["agent"]).get("/profile/skills"))
    assert ">47%</a>" in profile and "旁听三通电话，共情到位" in profile and "赵培训" in profile


@pytest.mark.parametrize("data, message", [
    ({"score": "80", "note": ""}, "Write a note explaining the rating."),
    ({"score": "80", "note": "   "}, "Write a note explaining the rating."),
    ({"score": "150", "note": "很好"}, "The score must be between 0 and 100."),
    ({"score": "-1", "note": "很好"}, "The score must be between 0 and 100."),
    ({"score": "", "note": "很好"}, "Give a score from 0 to 100."),
    ({"score": "很多", "note": "很好"}, "Not recorded"),
    ({"score": "80", "note": "长" * 2001}, "The note is longer than 2000 characters."),
])
def test_bad_ratings_are_refused_with_a_message_and_nothing_saved(app, org, data, message):
    client = client_for(app, org["trainer"])
    url = f"/profile/skills/{org['agent'].id}/empathy"
    response = client.post(url + "/rate", data={"csrf_token": csrf_token(client, url), **data})
    assert response.status_code == 400
    assert message in _text(response)
    assert not ManualRating.select().exists()
    assert not Evidence.select().where(Evidence.source.startswith("manual:")).exists()


def test_who_may_not_rate(app, org):
    agent_id = org["agent"].id
    manager = client_for(app, org["manager"])
    token = csrf_token(manager, "/")
    assert manager.post(f"/profile/skills/{agent_id}/empathy/rate",
                        data={"csrf_token": token, "score": "80", "note": "好"}).status_code == 403
    far = client_for(app, org["far_trainer"])
    assert far.post(f"/profile/skills/{agent_id}/empathy/rate",
                    data={"csrf_token": csrf_token(far, "/"), "score": "80", "note": "好"}).status_code == 404
    trainer = client_for(app, org["trainer"])
    assert trainer.post(f"/profile/skills/{agent_id}/no-such-skill/rate",
                        data={"csrf_token": csrf_token(trainer, "/"), "score": "80", "note": "好"}).status_code == 404
    assert not ManualRating.select().exists()


def test_recommended_for_you_on_the_path_and_home_pages(app, org):
    from lms.models import Activity, Module, Track

    track = Track.create(slug="newcomer", title="新人训", tier="newcomer")
    module = Module.create(track=track, slug="newcomer-scripts", title="话术", position=1)
    Activity.create(module=module, slug="newcomer-emotion-soothing", kind="lesson", title="情绪安抚公式", position=1)
    client = client_for(app, org["peer"])
    assert "nothing-recommended" in _text(client.get("/path/"))  # empathy 80%
    for _ in range(9):
        Evidence.create(user=org["peer"], skill="empathy", score=0.0, source="quiz:x/y", at=NOW)
    page = _text(client.get("/path/"))
    assert "practise naming the customer" in page
    assert "共情表达 score 20%, below 60%" in page  # (3 * 0.8 + 9 * 0) / 12
    assert "/learn/activities/newcomer-emotion-soothing" in page and "/drills/drill-angry-complaint" in page
    home = _text(client.get("/"))
    assert 'id="recommended"' in home and "情绪安抚公式" in home and "/path/" in home
    for _ in range(30):
        Evidence.create(user=org["peer"], skill="empathy", score=1.0, source="quiz:x/y", at=NOW)
    assert "nothing-recommended" in _text(client.get("/path/"))
    assert 'id="recommended"' not in _text(client.get("/"))
    assert client_for(app, org["trainer"]).get("/path/").status_code == 403
