"""Roster import: people, sites and teams from a CSV or XLSX file (design.md §4).

plan_import() validates the whole file and collects every problem as (row, column, value,
reason), writing nothing; apply_plan() then writes all of it in one transaction, or nothing.

Rules:
- Columns employee_no, name, email, hire_date, site, team, roles, optional tier; or the
  Chinese 工号, 姓名, 邮箱, 入职日期, 站点, 班组, 角色, optional 层级. Other columns are ignored
  (and listed); a header row with no known column at all means a wrong encoding.
- Roles are separated by ';' or '；'; English or Chinese role and tier names. Dates are
  YYYY-MM-DD (also YYYY/M/D, YYYY年M月D日, Excel date cells); at most a year ahead.
- Agents: `team` is their one home team; a move closes the old membership (history kept).
  A mentor must also be an agent. Only agents have a tier; an empty tier leaves it as it is
  (a new agent starts as newcomer on the hire date).
- Trainers and managers: `team` lists the teams they oversee (';'), empty = the whole site;
  the row replaces their scopes. An agent who is also a trainer/manager oversees their team.
- Only agent rows create sites and teams. A scope must name an existing site/team, or one an
  agent row of the same file creates: a typo is an error, not a new empty team.
- Other people (admins): site and team are not used.
- The file is the truth for the people it lists: name, e-mail, hire date, roles, team,
  scopes, and tier when the column is present. A deactivated person listed is reactivated
  and keeps their password. An admin importing cannot drop their own admin role.
- People active in the database but missing from the file are listed; deactivate_missing
  deactivates them, except admins (an import must not lock the administrators out).
- New people get a one-time password or an invite token, returned once (only hashes stored).
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

import peewee

from ..db import database
from ..models import ROLES, Membership, RoleScope, Site, Team, User, UserRole
from ..models.people import SCOPED_ROLES
from . import accounts, clock
from .credentials import CREDENTIAL_KINDS, Credential, issue_credential
from .tabular import N_, Problem, Row, TabularError, parse_date, read_table

COLUMNS = {"employee_no": "工号", "name": "姓名", "email": "邮箱", "hire_date": "入职日期",
           "site": "站点", "team": "班组", "roles": "角色", "tier": "层级"}
REQUIRED = ("employee_no", "name", "email", "hire_date", "site", "team", "roles")
_CHINESE_COLUMNS = {zh: key for key, zh in COLUMNS.items()}
ROLE_NAMES = {**{r: r for r in ROLES}, "坐席": "agent", "客服": "agent", "导师": "mentor",
              "培训师": "trainer", "经理": "manager", "主管": "manager", "管理员": "admin"}
TIER_NAMES = {"newcomer": "newcomer", "advanced": "advanced", "elite": "elite",
              "新人": "newcomer", "进阶": "advanced", "精英": "elite", "精英导师": "elite"}
_LIST_SEPARATORS = re.compile(r"[;；]")
_EMPLOYEE_NO = re.compile(r"^[A-Za-z0-9_.-]{1,32}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")
# Latin-1 letters, replacement and private-use characters: what GBK text read wrongly looks like.
_GARBLED = re.compile("[\u0080-\u024f\ufffd\ue000-\uf8ff]")


class RosterError(Exception):
    """The import could not be written; nothing was."""


@dataclass
class Person:
    row: int
    employee_no: str
    name: str
    email: str
    hire_date: dt.date | None
    site: str
    teams: list[str]
    roles: set[str]
    tier: str | None


@dataclass
class RosterPlan:
    filename: str
    people: list[Person] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    has_tier: bool = False
    ignored_columns: list[str] = field(default_factory=list)
    encoding: str | None = None

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass
class RosterResult:
    dry_run: bool = False
    rows: int = 0
    created: list[str] = field(default_factory=list)
    updated: dict[str, list[str]] = field(default_factory=dict)  # employee no. -> changed fields
    unchanged: int = 0
    reactivated: list[str] = field(default_factory=list)
    missing: list[dict] = field(default_factory=list)  # {employee_no, name, deactivated}
    sites_created: list[str] = field(default_factory=list)
    teams_created: list[tuple[str, str]] = field(default_factory=list)
    credentials: list[Credential] = field(default_factory=list)

    @property
    def deactivated(self) -> int:
        return sum(1 for m in self.missing if m["deactivated"])

    def as_dict(self) -> dict:
        return {"dry_run": self.dry_run, "rows": self.rows, "created": len(self.created),
                "updated": len(self.updated), "unchanged": self.unchanged,
                "reactivated": self.reactivated, "deactivated": self.deactivated, "missing": self.missing,
                "sites_created": self.sites_created,
                "teams_created": [{"site": s, "team": t} for s, t in self.teams_created],
                "changes": self.updated}


def match_column(header: str) -> str | None:
    """The canonical column a header names (English case-insensitive, or Chinese), or None."""
    text = header.strip().strip("\ufeff").strip()
    key = re.sub(r"[\s-]+", "_", text.lower())
    return key if key in COLUMNS else _CHINESE_COLUMNS.get(text)


def split_list(value: str) -> list[str]:
    """Items of a ';' / '；' separated value, stripped, empties and repeats dropped."""
    items = [item.strip() for item in _LIST_SEPARATORS.split(value)]
    return list(dict.fromkeys(item for item in items if item))


def _a_year_after(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28)


def plan_upload(data: bytes, filename: str, *, actor: User | None = None) -> RosterPlan:
    """Read and validate an uploaded file; an unreadable file is a plan with one problem."""
    try:
        table = read_table(data, filename)
    except TabularError as exc:
        return RosterPlan(filename, problems=[exc.problem()])
    plan = plan_import(table.headers, table.rows, filename=filename, header_row=table.header_row, actor=actor)
    plan.encoding = table.encoding
    return plan


def plan_import(headers: list[str], rows: list[Row], *, filename: str, header_row: int = 1,
                actor: User | None = None) -> RosterPlan:
    """Validate every row (reading the database, writing nothing) into a plan or its problems."""
    plan = RosterPlan(filename)
    index: dict[str, int] = {}
    unknown: list[str] = []
    for position, header in enumerate(headers):
        key = match_column(header)
        if key is None:
            if header:
                unknown.append(header)
        elif key in index:
            plan.problems.append(Problem(header_row, header, None, N_("this column appears twice")))
        else:
            index[key] = position
    if not index:
        plan.problems.append(Problem(header_row, None, ",".join(headers)[:200], N_(
            "no known column names in the header row: check the file's encoding (UTF-8, UTF-8 with "
            "BOM, GBK or GB18030) and that the first row holds the column names")))
        return plan
    for key in REQUIRED:
        if key not in index:
            plan.problems.append(Problem(header_row, key, None, N_("missing required column (%(en)s or %(zh)s)"),
                                         {"en": key, "zh": COLUMNS[key]}))
    garbled = [h for h in unknown if _GARBLED.search(h)]
    if garbled and plan.problems:
        plan.problems.append(Problem(header_row, garbled[0], garbled[0], N_(
            "this column name looks garbled: check the file's encoding")))
    if plan.problems:
        return plan
    plan.has_tier = "tier" in index
    plan.ignored_columns = unknown
    names = {key: headers[position] for key, position in index.items()}
    seen: dict[str, int] = {}
    agent_teams: set[tuple[str, str]] = set()  # also from rejected rows: one error, not a cascade
    for row in rows:
        person = _check_row(row, index, names, len(headers), seen, plan.problems, agent_teams)
        if person is not None:
            plan.people.append(person)
    _check_scopes(plan, names, agent_teams)
    if actor is not None and actor.has_role("admin"):
        for person in plan.people:
            if person.employee_no == actor.employee_no and "admin" not in person.roles:
                plan.problems.append(Problem(person.row, names["roles"], ";".join(sorted(person.roles)),
                                             N_("you cannot remove your own admin role")))
    plan.problems.sort(key=lambda p: (p.row or 0, headers.index(p.column) if p.column in headers else 99))
    return plan


def _check_row(row: Row, index, names, width, seen, problems, agent_teams) -> Person | None:
    """One data row as a Person, or None after adding its problems."""
    found: list[Problem] = []

    def value(key: str) -> str:
        return row.values[index[key]] if key in index else ""

    def problem(key: str | None, text: str | None, message: str, **args):
        found.append(Problem(row.number, names.get(key, key), text, message, args))

    if len(row.values) > width:
        problem(None, ",".join(row.values[width:]), N_("more values than columns (an unquoted comma?)"))
    for key in ("employee_no", "name", "roles"):
        if not value(key):
            problem(key, "", N_("empty required field"))
    employee_no, name, email = value("employee_no"), value("name"), value("email").lower()
    if employee_no and not _EMPLOYEE_NO.match(employee_no):
        problem("employee_no", employee_no, N_("use at most 32 letters, digits, '.', '_' or '-'"))
    elif employee_no in seen:
        problem("employee_no", employee_no, N_("duplicate employee no.: also on row %(row)d"), row=seen[employee_no])
    elif employee_no:
        seen[employee_no] = row.number
    if len(name) > 100:
        problem("name", name, N_("longer than %(max)d characters"), max=100)
    if email and (len(email) > 254 or not _EMAIL.match(email)):
        problem("email", value("email"), N_("not an e-mail address"))
    roles: set[str] = set()
    for token in split_list(value("roles")):
        role = ROLE_NAMES.get(token.lower())
        if role is None:
            problem("roles", token, N_("unknown role; use agent, mentor, trainer, manager or admin "
                                       "(or 坐席, 导师, 培训师, 经理, 管理员)"))
        else:
            roles.add(role)
    is_agent, scoped = "agent" in roles, bool(roles & set(SCOPED_ROLES))
    if "mentor" in roles and not is_agent:
        problem("roles", value("roles"), N_("a mentor must also be an agent"))
    hire_date = None
    if value("hire_date"):
        hire_date = parse_date(value("hire_date"))
        if hire_date is None:
            problem("hire_date", value("hire_date"), N_("not a date; use YYYY-MM-DD"))
        elif hire_date > _a_year_after(clock.today()):
            problem("hire_date", value("hire_date"), N_("more than a year in the future"))
    elif is_agent:
        problem("hire_date", "", N_("empty required field for an agent"))
    site, teams = value("site"), split_list(value("team"))
    if (is_agent or scoped) and not site:
        problem("site", "", N_("empty required field for agents, trainers and managers"))
    for key, text in [("site", site)] + [("team", team) for team in teams]:
        if len(text) > 100:
            problem(key, text, N_("longer than %(max)d characters"), max=100)
    if is_agent and site and len(teams) == 1:
        agent_teams.add((site, teams[0]))
    if is_agent and not teams:
        problem("team", "", N_("empty required field for an agent"))
    elif is_agent and len(teams) > 1:
        problem("team", value("team"), N_("an agent belongs to exactly one team"))
    tier = None
    if value("tier"):
        tier = TIER_NAMES.get(value("tier").lower())
        if tier is None:
            problem("tier", value("tier"), N_("unknown tier; use newcomer, advanced or elite (or 新人, 进阶, 精英)"))
        elif roles and not is_agent:
            problem("tier", value("tier"), N_("only agents have a tier"))
    problems.extend(found)
    if found:
        return None
    return Person(row.number, employee_no, name, email, hire_date, site if (is_agent or scoped) else "",
                  teams if (is_agent or scoped) else [], roles, tier)


def _check_scopes(plan: RosterPlan, names: dict, agent_teams: set) -> None:
    """Every scope names an existing site/team or one an agent row of this file creates."""
    teams = {(t.site.name, t.name) for t in Team.select(Team.name, Site.name).join(Site)} | agent_teams
    sites = {s.name for s in Site.select(Site.name)} | {site for site, _team in agent_teams}
    for person in plan.people:
        if "agent" in person.roles or not person.roles & set(SCOPED_ROLES):
            continue
        if person.site not in sites:
            plan.problems.append(Problem(person.row, names["site"], person.site, N_(
                "unknown site for a scope: it does not exist and no agent in this file works there")))
            continue
        for team in person.teams:
            if (person.site, team) not in teams:
                plan.problems.append(Problem(person.row, names["team"], team, N_(
                    "unknown team of site %(site)s for a scope: it does not exist and no agent in this "
                    "file is in it"), {"site": person.site}))


def apply_plan(plan: RosterPlan, *, deactivate_missing: bool = False, credentials: str = "password",
               invite_ttl_hours: int = 72, actor: User | None = None, dry_run: bool = False) -> RosterResult:
    """Write a valid plan in one transaction (a dry run rolls it back): all or nothing."""
    if not plan.ok:
        raise RosterError("the file has problems; nothing was written")
    if credentials not in CREDENTIAL_KINDS:
        raise ValueError(f"credentials must be one of {', '.join(CREDENTIAL_KINDS)}")
    result = RosterResult(dry_run=dry_run, rows=len(plan.people))
    try:
        with database.atomic() as transaction:
            _write(plan, result, deactivate_missing, "none" if dry_run else credentials, invite_ttl_hours, actor)
            if dry_run:
                transaction.rollback()
            else:
                accounts.audit("roster.import", plan.filename, actor, created=len(result.created),
                               updated=len(result.updated), deactivated=result.deactivated)
    except (accounts.AccountError, peewee.IntegrityError) as exc:
        raise RosterError(str(exc)) from exc
    return result


def _write(plan, result, deactivate_missing, credentials, ttl, actor) -> None:
    sites = {s.name: s for s in Site.select()}
    teams = {(t.site.name, t.name): t for t in Team.select(Team, Site).join(Site)}
    for person in plan.people:
        if "agent" not in person.roles:
            continue
        if person.site not in sites:
            sites[person.site] = Site.create(name=person.site)
            result.sites_created.append(person.site)
            accounts.audit("org.site_create", person.site, actor, source="roster")
        key = (person.site, person.teams[0])
        if key not in teams:
            teams[key] = Team.create(site=sites[person.site], name=person.teams[0])
            result.teams_created.append(key)
            accounts.audit("org.team_create", person.teams[0], actor, site=person.site, source="roster")
    users = {u.employee_no: u for u in User.select()}
    roles: dict[int, set[str]] = {}
    for row in UserRole.select(UserRole.user, UserRole.role):
        roles.setdefault(row.user_id, set()).add(row.role)
    homes = {m.user_id: m.team_id for m in Membership.select().where(Membership.ended_on.is_null())}
    scopes: dict[int, set] = {}
    for s in RoleScope.select():
        scopes.setdefault(s.user_id, set()).add((s.role, s.site_id, s.team_id))
    for person in plan.people:
        team = teams[(person.site, person.teams[0])] if "agent" in person.roles else None
        wanted_scopes = _scopes(person, sites, teams)
        user = users.get(person.employee_no)
        if user is None:
            user = accounts.create_user(employee_no=person.employee_no, name=person.name, email=person.email,
                                        hire_date=person.hire_date, roles=person.roles, team=team,
                                        tier=person.tier if "agent" in person.roles else None, actor=actor)
            if wanted_scopes:
                accounts.set_scopes(user, list(wanted_scopes))
            result.created.append(person.employee_no)
            secret = issue_credential(user, credentials, ttl, actor)
            if secret:
                result.credentials.append(Credential(user.employee_no, user.name, credentials, secret))
            continue
        changed = _update(user, person, plan.has_tier, team, wanted_scopes, roles.get(user.id, set()),
                          homes.get(user.id), scopes.get(user.id, set()), result, actor)
        if changed:
            result.updated[person.employee_no] = changed
            accounts.audit("account.update", user.employee_no, actor, fields=changed, source="roster")
        else:
            result.unchanged += 1
    listed = {p.employee_no for p in plan.people}
    for user in sorted(users.values(), key=lambda u: u.employee_no):
        if user.active and user.employee_no not in listed:
            deactivate = deactivate_missing and "admin" not in roles.get(user.id, set())
            if deactivate:
                accounts.deactivate(user, actor=actor)
            result.missing.append({"employee_no": user.employee_no, "name": user.name, "deactivated": deactivate})


def _scopes(person: Person, sites: dict, teams: dict) -> set[tuple[str, int, int | None]]:
    wanted = set()
    for role in person.roles & set(SCOPED_ROLES):
        site = sites[person.site]
        if not person.teams:
            wanted.add((role, site.id, None))
        for name in person.teams:
            wanted.add((role, site.id, teams[(person.site, name)].id))
    return wanted


def _update(user, person, has_tier, team, wanted_scopes, current_roles, home_id, current_scopes,
            result, actor) -> list[str]:
    """Bring an existing user in line with their row; the names of the fields that changed."""
    changed = [name for name in ("name", "email", "hire_date") if getattr(user, name) != getattr(person, name)]
    for name in changed:
        setattr(user, name, getattr(person, name))
    if changed:
        user.save()
    if not user.active:
        accounts.reactivate(user, actor=actor)
        result.reactivated.append(user.employee_no)
        changed.append("active")
    if person.roles != current_roles:
        accounts.set_roles(user, person.roles)
        changed.append("roles")
    if (team.id if team else None) != home_id:
        accounts.set_team(user, team)
        changed.append("team")
    if wanted_scopes != current_scopes:
        accounts.set_scopes(user, list(wanted_scopes))
        changed.append("scopes")
    if "agent" in person.roles:
        if has_tier and person.tier and person.tier != user.tier:
            accounts.set_tier(user, person.tier, reason="roster import", actor=actor)
            changed.append("tier")
        elif not user.tier:
            accounts.set_tier(user, person.tier or "newcomer", reason="placement", actor=actor)
            changed.append("tier")
    return changed
