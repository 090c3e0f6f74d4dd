"""Factories: people and organisation in one call each."""
from __future__ import annotations

import datetime as dt
import itertools
import os
import re
import subprocess
import sys
from pathlib import Path

from lms.db import database
from lms.models import RoleScope, Site, Team, User
from lms.services import accounts

from .conftest import TEST_PASSWORD

_numbers = itertools.count(1000)


def make_site(name="上海中心") -> Site:
    with database.connection_context():
        return Site.get_or_create(name=name)[0]


def make_team(name="在线一组", site: Site | None = None) -> Team:
    site = site or make_site()
    with database.connection_context():
        return Team.get_or_create(site=site, name=name)[0]


def make_user(roles=("agent",), team: Team | None = None, employee_no: str | None = None,
              name: str = "测试员", password: str | None = TEST_PASSWORD, scopes=(), **fields) -> User:
    """A user who can sign in with `password` (None: has none yet); scopes are Teams or Sites."""
    with database.connection_context():
        user = accounts.create_user(employee_no=employee_no or f"E{next(_numbers)}", name=name,
                                    roles=set(roles), team=team,
                                    hire_date=fields.pop("hire_date", dt.date(2025, 1, 6)), **fields)
        if password:
            accounts.set_password(user, password)
        for target in scopes:
            for role in set(roles) & {"trainer", "manager"}:
                if isinstance(target, Team):
                    RoleScope.create(user=user, role=role, site=target.site_id, team=target)
                else:
                    RoleScope.create(user=user, role=role, site=target)
        return User.get_by_id(user.id)


def csrf_token(client, path="/login") -> str:
    html = client.get(path).get_data(as_text=True)
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html) or \
        re.search(r'value="([^"]+)"[^>]*name="csrf_token"', html)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def login(client, user: User, password: str = TEST_PASSWORD):
    token = csrf_token(client)
    return client.post("/login", data={"employee_no": user.employee_no, "password": password,
                                       "csrf_token": token})


def run_lms(*args, cwd, env=None, input=None) -> subprocess.CompletedProcess:
    """The installed `lms` executable, with no LMS_* setting but those given."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith("LMS_")}
    environ.update(env or {})
    exe = str(Path(sys.executable).parent / "lms")
    return subprocess.run([exe, *args], capture_output=True, text=True, env=environ, cwd=cwd, timeout=120,
                          input=input)


def add_kpi_days(user: User, *days) -> None:
    """KPI rows through the importer (so the weekly rollups follow): each day is
    (date, contacts, resolved, handle_seconds, responses, positive[, repeat_contacts_7d])."""
    from lms.services.kpi_import import import_records

    names = ("date", "contacts", "resolved_first_contact", "handle_seconds", "csat_responses", "csat_positive",
             "repeat_contacts_7d")
    records = [{"employee_no": user.employee_no, **dict(zip(names, day))} for day in days]
    outcome = import_records(records, source="test", name="factory", today=dt.date(2100, 1, 1))
    assert outcome.ok, [p.as_dict() for p in outcome.problems]


def client_for(app, user: User, locale: str = "en"):
    """A test client signed in as `user`, the interface in `locale`."""
    client = app.test_client()
    login(client, user)
    client.post(f"/locale/{locale}", data={"csrf_token": csrf_token(client, "/")})
    return client
