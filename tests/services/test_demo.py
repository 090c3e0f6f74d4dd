"""The demo organisation: its shape, tier histories, scopes, determinism and idempotency."""
import datetime as dt
import itertools
import re

import pytest

from lms import authz
from lms.models import (
    TIERS,
    AuditLog,
    Membership,
    RoleScope,
    Site,
    Team,
    TierChange,
    User,
)
from lms.services import accounts, demo

from ..factories import make_user

TODAY = dt.date(2026, 3, 18)


@pytest.fixture
def built(conn):
    return demo.build_demo(seed=2026, today=TODAY)


def _with_role(role):
    return list(authz.users_with_role(role).order_by(User.employee_no))


def test_counts_and_tier_mix(built):
    assert built.created and built.password == demo.DEMO_PASSWORD
    assert Site.select().count() == 2 and Team.select().count() == 6
    agents = _with_role("agent")
    assert 55 <= len(agents) <= 65
    tiers = {t: sum(a.tier == t for a in agents) for t in TIERS}
    assert all(tiers.values()), tiers
    assert 0.07 <= tiers["elite"] / len(agents) <= 0.13
    assert built.counts["agents"] == len(agents) and built.counts["tiers"] == tiers
    assert built.counts["sites"] == 2 and built.counts["teams"] == 6
    assert (len(_with_role("trainer")), len(_with_role("manager")), len(_with_role("admin"))) == (2, 3, 1)


def test_one_elite_mentor_per_team(built):
    mentors = _with_role("mentor")
    assert all(m.tier == "elite" and m.has_role("agent") for m in mentors)
    assert sorted(accounts.current_team(m).id for m in mentors) == sorted(t.id for t in Team.select())


def test_agents_have_a_team_and_a_history_that_fits_their_hire_date(built):
    agents = _with_role("agent")
    rank = {t: i for i, t in enumerate(TIERS)}
    for agent in agents:
        membership = Membership.get((Membership.user == agent) & Membership.ended_on.is_null())
        assert membership.started_on == agent.hire_date
        changes = list(TierChange.select().where(TierChange.user == agent).order_by(TierChange.effective_on))
        assert changes[0].tier == "newcomer" and changes[0].effective_on == agent.hire_date, agent
        assert [rank[c.tier] for c in changes] == list(range(len(changes))), agent  # up the ladder, one rung
        assert all(a.effective_on < b.effective_on for a, b in itertools.pairwise(changes))
        assert changes[-1].effective_on <= TODAY and changes[-1].tier == agent.tier
        tenure = (TODAY - agent.hire_date).days
        if agent.tier == "newcomer":
            assert 0 < tenure <= 8 * 7
        else:
            assert tenure >= 182 and (changes[1].effective_on - agent.hire_date).days >= 180
    newcomers = [a for a in agents if a.tier == "newcomer"]
    assert any((TODAY - a.hire_date).days < 28 for a in newcomers)  # still in onboarding
    assert any((TODAY - a.hire_date).days >= 28 for a in newcomers)
    # Elite are the longest-serving, and employee numbers follow the order of hiring.
    elite_latest = max(a.hire_date for a in agents if a.tier == "elite")
    assert all(a.hire_date > elite_latest for a in agents if a.tier != "elite")
    by_number = sorted(agents, key=lambda a: a.employee_no)
    assert [a.hire_date for a in by_number] == sorted(a.hire_date for a in agents)


def test_trainers_and_managers_are_scoped(built):
    for trainer in _with_role("trainer"):
        scopes = list(RoleScope.select().where(RoleScope.user == trainer))
        assert len(scopes) == 1 and scopes[0].team_id is None and scopes[0].role == "trainer"
        assert len(authz.scoped_team_ids(trainer)) == 3
    assert {RoleScope.get(RoleScope.user == t).site_id for t in _with_role("trainer")} == \
        {s.id for s in Site.select()}
    team_counts = sorted(len(authz.scoped_team_ids(m)) for m in _with_role("manager"))
    assert team_counts == [2, 3, 3]  # a team lead over two teams, a manager per site
    for staff in _with_role("trainer") + _with_role("manager") + _with_role("admin"):
        assert staff.tier is None and accounts.current_team(staff) is None


def test_people_look_real_and_can_sign_in(built):
    users = list(User.select())
    names = [u.name for u in users]
    assert len(set(names)) == len(names)
    assert all(re.fullmatch(r"[\u4e00-\u9fff]{2,3}", n) for n in names)
    assert all(re.fullmatch(r"A1\d{3}|T200\d|M300\d|ADM01", u.employee_no) for u in users)
    assert all(u.email == f"{u.employee_no.lower()}@demo.example" for u in users)
    assert all(not u.must_change_password and accounts.check_password(u, demo.DEMO_PASSWORD) for u in users)
    assert len({u.password_hash for u in users}) == 1  # hashed once, on purpose


def test_plan_is_deterministic_and_matches_the_database(built):
    plan = demo.plan_demo(2026, TODAY)
    assert plan == demo.plan_demo(2026, TODAY)
    assert [p.name for p in demo.plan_demo(7, TODAY)] != [p.name for p in plan]
    stored = {u.employee_no: (u.name, u.hire_date, u.tier) for u in User.select()}
    assert stored == {p.employee_no: (p.name, p.hire_date, p.tier) for p in plan}


def test_running_again_changes_nothing(built):
    changed = User.get(User.employee_no == built.logins["agent"][0])
    accounts.set_password(changed, "my-own-pass-1")
    before = (User.select().count(), TierChange.select().count(), RoleScope.select().count(),
              AuditLog.select().count(), {u.id: (u.password_hash, u.session_version) for u in User.select()})
    again = demo.build_demo(seed=99, today=TODAY + dt.timedelta(days=30))
    assert not again.created
    assert again.logins == built.logins and again.counts == built.counts
    after = (User.select().count(), TierChange.select().count(), RoleScope.select().count(),
             AuditLog.select().count(), {u.id: (u.password_hash, u.session_version) for u in User.select()})
    assert after == before
    assert accounts.check_password(User.get_by_id(changed.id), "my-own-pass-1")


def test_refuses_to_mix_with_existing_people(conn):
    make_user(employee_no="A1001")
    with pytest.raises(demo.DemoError, match="A1001"):
        demo.build_demo(today=TODAY)
    assert Site.select().count() == 0 and User.select().count() == 1


def test_someone_elses_admin_number_is_not_the_demo(conn):
    make_user(("admin",), employee_no="ADM01")
    with pytest.raises(demo.DemoError, match="ADM01"):
        demo.build_demo(today=TODAY)
