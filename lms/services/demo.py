"""The demo organisation: two sites, six teams, ~60 agents with tier histories, staff, one password.

`plan_demo` decides everyone (pure, deterministic for a seed and a date); `build_demo`
writes the plan in one transaction, or does nothing when the demo is already there.
"""
from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from ..db import database
from ..models import TIERS, RoleScope, Site, Team, User, UserRole
from . import accounts, clock

DEMO_PASSWORD = "demo-pass-2026"
EMAIL_DOMAIN = "demo.example"
ADMIN_NO = "ADM01"
SITES = {
    "上海中心": ("电话一组", "电话二组", "在线客服组"),
    "成都中心": ("电话三组", "在线售后组", "投诉处理组"),
}
AGENTS_PER_TEAM = 10  # one elite mentor, 2-4 newcomers, the rest advanced: elite is 10%

_SURNAMES = ("王李张刘陈杨黄赵吴周" * 3 + "徐孙马朱胡郭何林高罗郑梁谢宋唐" * 2
             + "许韩冯邓曹彭曾田董潘袁蔡蒋余杜叶程魏苏吕丁任沈姚卢钟姜崔谭廖范汪陆金石戴贾夏邱方侯邹熊孟秦白江")
_GIVEN_FEMALE = "芳娜敏静丽艳娟秀霞英玉萍红婷雪琳欣怡佳涵思雨嘉悦瑶颖晓倩蕾璐慧丹"
_GIVEN_MALE = "伟强磊军洋勇杰涛明超刚华鹏辉宇浩轩俊博凯昊阳志文斌"

REASON_ADVANCED = "demo history: onboarding certified, 6 months on the floor"
REASON_ELITE = "demo history: top 10% of agents, mentor incubation"


class DemoError(ValueError):
    """The demo cannot be built in this database; the message says why."""


@dataclass(frozen=True)
class PlannedUser:
    employee_no: str
    name: str
    hire_date: dt.date
    roles: tuple[str, ...]
    site: str | None = None
    team: str | None = None  # home team (agents)
    history: tuple[tuple[str, dt.date, str], ...] = ()  # (tier, effective_on, reason) after hire
    scopes: tuple[tuple[str, str, str | None], ...] = ()  # (role, site, team or None: whole site)

    @property
    def email(self) -> str:
        return f"{self.employee_no.lower()}@{EMAIL_DOMAIN}"

    @property
    def tier(self) -> str | None:
        return self.history[-1][0] if self.history else None


@dataclass
class DemoResult:
    created: bool
    password: str
    logins: dict[str, list[str]]
    counts: dict
    agent_examples: dict[str, list[str]] = field(default_factory=dict)  # tier -> employee nos


def _names(rng: random.Random, count: int) -> list[str]:
    names: list[str] = []
    while len(names) < count:
        pool = _GIVEN_FEMALE if rng.random() < 0.7 else _GIVEN_MALE  # most agents are women
        given = rng.sample(pool, 2 if rng.random() < 0.7 else 1)
        name = rng.choice(_SURNAMES) + "".join(given)
        if name not in names:
            names.append(name)
    return names


def _monday_on_or_before(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def plan_demo(seed: int = 2026, today: dt.date | None = None) -> list[PlannedUser]:
    """Everyone in the demo, in employee-number order; the same seed and date give the same plan."""
    today = today or clock.today()
    rng = random.Random(seed)
    days = dt.timedelta
    # Newcomers start in cohorts on a Monday: one still in its 4 onboarding weeks, one just out.
    cohorts = {site: (_monday_on_or_before(today - days(rng.randint(7, 20))),
                      _monday_on_or_before(today - days(rng.randint(35, 50)))) for site in SITES}
    agents = []  # (hire_date, site, team, history) before numbering
    for site, teams in SITES.items():
        for team in teams:
            newcomers = rng.randint(2, 4)
            for i in range(AGENTS_PER_TEAM):
                if i == 0:  # elite: the longest-serving, 2-5 years
                    hire = today - days(rng.randint(760, 1800))
                    advanced = hire + days(rng.randint(180, 240))
                    elite = hire + days(rng.randint(540, 720))
                    history = (("advanced", advanced, REASON_ADVANCED), ("elite", elite, REASON_ELITE))
                elif i <= newcomers:
                    hire = cohorts[site][0] if i == 1 else rng.choice(cohorts[site])
                    history = ()
                else:  # advanced: 6 months to 2 years, promoted after about 6-8 months
                    hire_ago = rng.randint(200, 720)
                    hire = today - days(hire_ago)
                    advanced = hire + days(min(rng.randint(180, 240), hire_ago - 7))
                    history = (("advanced", advanced, REASON_ADVANCED),)
                agents.append((hire, site, team, (("newcomer", hire, "placement at hire"),) + history))
    # Employee numbers are handed out in order of hiring, so the veterans have the low ones.
    agents.sort(key=lambda a: (a[0], a[1], a[2]))
    names = iter(_names(rng, len(agents) + 6))
    people = []
    for number, (hire, site, team, history) in enumerate(agents, start=1001):
        roles = ("agent", "mentor") if history[-1][0] == "elite" else ("agent",)
        people.append(PlannedUser(f"A{number}", next(names), hire, roles, site, team, history))

    def staff_hire() -> dt.date:
        return today - days(rng.randint(3 * 365, 8 * 365))

    first_site = next(iter(SITES))
    for number, site in enumerate(SITES, start=2001):
        people.append(PlannedUser(f"T{number}", next(names), staff_hire(), ("trainer",), site,
                                  scopes=(("trainer", site, None),)))
    for number, site in enumerate(SITES, start=3001):
        people.append(PlannedUser(f"M{number}", next(names), staff_hire(), ("manager",), site,
                                  scopes=(("manager", site, None),)))
    # A team lead who manages the two phone teams of the first site.
    people.append(PlannedUser("M3003", next(names), staff_hire(), ("manager",), first_site,
                              scopes=tuple(("manager", first_site, t) for t in SITES[first_site][:2])))
    people.append(PlannedUser(ADMIN_NO, next(names), staff_hire(), ("admin",)))
    return people


def _demo_users():
    return User.select().where(User.email.endswith(f"@{EMAIL_DOMAIN}"))


def is_present() -> bool:
    """The demo was built here: its admin exists with the demo's e-mail address."""
    admin = User.get_or_none(User.employee_no == ADMIN_NO)
    return admin is not None and admin.email == f"{ADMIN_NO.lower()}@{EMAIL_DOMAIN}"


def _check_free(people: list[PlannedUser]) -> None:
    taken = [u.employee_no for u in User.select(User.employee_no)
             .where(User.employee_no.in_([p.employee_no for p in people])).limit(5)]
    if taken:
        raise DemoError(f"employee no. {', '.join(taken)} already exist(s); the demo needs its own numbers "
                        "(use an empty database)")
    sites = [s.name for s in Site.select(Site.name).where(Site.name.in_(list(SITES)))]
    if sites:
        raise DemoError(f"site {', '.join(sites)} already exists; the demo needs an empty database")


def _write(people: list[PlannedUser], seed: int, password: str) -> None:
    sites, teams = {}, {}
    for site_name, team_names in SITES.items():
        site = sites[site_name] = Site.create(name=site_name)
        for team_name in team_names:
            teams[(site_name, team_name)] = Team.create(site=site, name=team_name)
    for person in people:
        team = teams[(person.site, person.team)] if person.team else None
        user = accounts.create_user(employee_no=person.employee_no, name=person.name, email=person.email,
                                    hire_date=person.hire_date, roles=set(person.roles), team=team)
        # create_user placed agents as newcomers at hire; replay the later promotions.
        for tier, effective_on, reason in person.history[1:]:
            accounts.set_tier(user, tier, effective_on=effective_on, reason=reason)
        if person.scopes:
            accounts.set_scopes(user, [(role, sites[site].id, teams[(site, t)].id if t else None)
                                       for role, site, t in person.scopes])
    # One hash for everyone: the demo password is public anyway, and hashing ~70 times with
    # scrypt would take seconds. A per-user salt protects nothing when the password is printed.
    shared = accounts.hash_password(password)
    (User.update(password_hash=shared, must_change_password=False)
     .where(User.employee_no.in_([p.employee_no for p in people])).execute())
    accounts.audit("demo.build", ADMIN_NO, seed=seed, users=len(people))


def _agent_examples(per_tier: int = 2) -> dict[str, list[str]]:
    mentors = UserRole.select(UserRole.user).where(UserRole.role == "mentor")
    examples = {}
    for tier in TIERS:
        query = _demo_users().where(User.tier == tier).order_by(User.employee_no)
        plain = list(query.where(User.id.not_in(mentors)).limit(per_tier)) or list(query.limit(per_tier))
        examples[tier] = [u.employee_no for u in plain]
    return examples


def _logins(agent_examples: dict[str, list[str]]) -> dict[str, list[str]]:
    logins = {}
    for role in ("admin", "manager", "trainer", "mentor"):
        rows = (_demo_users().join(UserRole).where(UserRole.role == role).order_by(User.employee_no))
        logins[role] = [u.employee_no for u in rows]
    logins["agent"] = [no for tier in TIERS for no in agent_examples[tier]]
    return logins


def _counts() -> dict:
    users = _demo_users()
    by_role = {role: users.join(UserRole).where(UserRole.role == role).count()
               for role in ("agent", "mentor", "trainer", "manager", "admin")}
    agents = users.join(UserRole).where(UserRole.role == "agent")
    return {
        "sites": Site.select().where(Site.name.in_(list(SITES))).count(),
        "teams": Team.select().join(Site).where(Site.name.in_(list(SITES))).count(),
        "users": users.count(),
        "agents": by_role["agent"],
        "tiers": {tier: agents.where(User.tier == tier).count() for tier in TIERS},
        "mentors": by_role["mentor"],
        "trainers": by_role["trainer"],
        "managers": by_role["manager"],
        "admins": by_role["admin"],
        "scopes": RoleScope.select().join(User).where(User.email.endswith(f"@{EMAIL_DOMAIN}")).count(),
    }


def build_demo(*, seed: int = 2026, today: dt.date | None = None, password: str = DEMO_PASSWORD) -> DemoResult:
    """Build the demo org once; when it is already present, change nothing and report it."""
    with database.atomic():
        created = not is_present()
        if created:
            people = plan_demo(seed, today)
            _check_free(people)
            _write(people, seed, password)
        examples = _agent_examples()
        return DemoResult(created=created, password=password, logins=_logins(examples), counts=_counts(),
                          agent_examples=examples)
