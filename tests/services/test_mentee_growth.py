"""Mentee growth speed on constructed histories: days to pass the newcomer track and weeks to the
team's median FCR/CSAT, per mentor and for the site, each with its n."""
import datetime as dt

import pytest

from lms.models import Activity, Completion, MentorPairing, Module, Track
from lms.services import clock, mentee_growth

from ..factories import add_kpi_days, make_site, make_team, make_user

HIRED = dt.date(2026, 9, 7)  # a Monday


@pytest.fixture
def site(app, conn):
    clock.freeze(dt.datetime(2026, 11, 24, 2))
    track = Track.create(slug="newcomer", title="新人训", tier="newcomer")
    module = Module.create(track=track, slug="n-m1", title="流程", position=1)
    activity = Activity.create(module=module, slug="n-a1", kind="lesson", title="流程", position=1)
    team = make_team("在线一组", make_site("上海"))
    people = {"mentor": make_user(("agent", "mentor"), team, "M1", tier="elite"),
              "a": make_user(("agent",), team, "N1", tier="newcomer", hire_date=HIRED),
              "b": make_user(("agent",), team, "N2", tier="newcomer", hire_date=HIRED + dt.timedelta(days=7)),
              "c": make_user(("agent",), team, "N3", tier="newcomer", hire_date=HIRED),
              "veterans": [make_user(("agent",), team, f"V{i}", tier="advanced", hire_date=dt.date(2024, 3, 1))
                           for i in range(3)]}
    for mentee in ("a", "b"):
        MentorPairing.create(mentor=people["mentor"], mentee=people[mentee], started_on=HIRED)
    people["activity"] = activity
    return people


def _week(offset: int) -> dt.date:
    return HIRED + dt.timedelta(weeks=offset, days=1)


def _complete(user, activity, day: dt.date):
    Completion.create(user=user, activity=activity, completed_at=dt.datetime.combine(day, dt.time(4)))


def test_days_to_pass_and_weeks_to_the_team_median(app, site):
    settings = app.extensions["lms"].settings
    _complete(site["a"], site["activity"], HIRED + dt.timedelta(days=30))
    _complete(site["c"], site["activity"], HIRED + dt.timedelta(days=50))
    for offset in range(8):  # the veterans hold FCR 70% and CSAT 80% every week
        for veteran in site["veterans"]:
            add_kpi_days(veteran, (_week(offset), 30, 21, 9000, 10, 8))
        # a reaches the team's FCR median in week 2, b (hired a week later) in its week 3; c never
        add_kpi_days(site["a"], (_week(offset), 30, 22 if offset >= 2 else 15, 9000, 10, 9 if offset >= 5 else 6))
        if offset >= 1:
            add_kpi_days(site["b"], (_week(offset), 30, 21 if offset >= 4 else 12, 9000, 10, 5))
        add_kpi_days(site["c"], (_week(offset), 30, 10, 9000, 10, 5))
    # a quiet week with too few contacts would have "reached": it must not count
    add_kpi_days(site["c"], (_week(9), 5, 5, 1500, 2, 2))

    result = mentee_growth.for_mentor(site["mentor"], settings)
    own = result.own
    assert own.agents == 2
    assert own.days_to_pass == mentee_growth.Measure(30.0, 1, 1)
    assert own.weeks_fcr == mentee_growth.Measure(2.5, 2, 0)  # a: week 2, b: week 3 of its own
    assert own.weeks_csat == mentee_growth.Measure(5.0, 1, 1)
    site_growth = result.site
    assert site_growth.agents == 3  # the three hired in the last year; the veterans are older
    assert site_growth.days_to_pass == mentee_growth.Measure(40.0, 2, 1)
    assert site_growth.weeks_fcr == mentee_growth.Measure(2.5, 2, 1)


def test_a_median_needs_enough_colleagues_and_no_history_gives_no_number(app, site):
    settings = app.extensions["lms"].settings
    add_kpi_days(site["a"], (_week(0), 30, 30, 9000, 10, 10))
    add_kpi_days(site["veterans"][0], (_week(0), 30, 10, 9000, 10, 5))  # one colleague: no median that week
    own = mentee_growth.for_mentor(site["mentor"], settings).own
    assert own.weeks_fcr == mentee_growth.Measure(None, 0, 2)
    lonely = make_user(("agent", "mentor"), None, "M9", tier="elite")
    alone = mentee_growth.for_mentor(lonely, settings)
    assert alone.site is None and alone.own == mentee_growth.Growth(0, *(mentee_growth.Measure(None, 0, 0),) * 3)
