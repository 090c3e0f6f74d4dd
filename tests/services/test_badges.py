"""Badges come from records: tiers reached, the longest micro-task streak (with the day each step
was reached), a mentee going live under the mentor; the profile shows them, nobody else's."""
import datetime as dt

from lms.models import Activity, Completion, MentorPairing, MicroTask, MicroTemplate, Module, Track
from lms.services import badges, clock

from ..factories import client_for, make_team, make_user


def _tasks(user, statuses, start=dt.date(2026, 10, 1)):
    template = MicroTemplate.get_or_none(MicroTemplate.slug == "t") or MicroTemplate.create(
        slug="t", tier="newcomer", skill="empathy", kpi="csat", kind="reflection", title="t", spec="{}")
    for offset, status in enumerate(statuses):
        MicroTask.create(user=user, day=start + dt.timedelta(days=offset), template=template, status=status)


def test_streak_steps_and_the_next_one(app, conn):
    agent = make_user(("agent",), make_team(), "A1", tier="newcomer")
    _tasks(agent, ["done"] * 4 + ["missed"] + ["done"] * 6 + ["open"])
    best, reached = badges.streak_history(agent)
    assert best == 6 and reached == {5: dt.date(2026, 10, 10)}
    earned, next_step = badges.badges_of(agent)
    assert [(b.key, b.earned_on) for b in earned] == [("streak-5", dt.date(2026, 10, 10))]
    assert next_step == 20


def test_tier_and_coaching_badges_and_the_profile_page(app, conn):
    clock.freeze(dt.datetime(2026, 11, 24, 2))
    team = make_team()
    mentor = make_user(("agent", "mentor"), team, "M1", tier="elite", name="马导师")
    mentee = make_user(("agent",), team, "N1", tier="newcomer", name="新人甲")
    track = Track.create(slug="newcomer", title="新人训", tier="newcomer")
    step = Activity.create(module=Module.create(track=track, slug="m", title="m", position=1), slug="a", kind="lesson",
                           title="a", position=1)
    MentorPairing.create(mentor=mentor, mentee=mentee, started_on=dt.date(2026, 11, 2))
    Completion.create(user=mentee, activity=step, completed_at=dt.datetime(2026, 11, 20, 3))
    earned, _ = badges.badges_of(mentor)
    assert [(b.key, b.earned_on) for b in earned] == [("tier-elite", dt.date(2025, 1, 6)),  # elite from the hire date
                                                      ("mentee-live", dt.date(2026, 11, 20))]
    assert [b.key for b in badges.badges_of(mentee)[0]] == ["went-live"]
    page = client_for(app, mentor).get("/me").get_data(as_text=True).split('id="badges"')[1]
    assert "Elite mentor tier" in page and "新人甲 passed the newcomer track with your coaching." in page
    assert "next badge at 5 in a row" in page
    assert 'id="second-output"' in page and 'id="growth"' in page  # the mentor's second output
    zh = client_for(app, mentee, locale="zh_CN").get("/me").get_data(as_text=True)
    assert 'id="badges"' in zh and "马导师" not in zh and 'id="second-output"' not in zh
    manager = make_user(("manager",), None, "MG", scopes=[team])
    review = client_for(app, manager).get(f"/placement/{mentor.id}/down").get_data(as_text=True)
    assert 'id="second-output"' in review  # the elite tier's review sees it
