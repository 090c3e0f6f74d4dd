"""People and organisation: sites, teams, users, roles and their scopes, tiers, sign-in state."""
from __future__ import annotations

import peewee as pw
from flask_login import UserMixin

from ..db import BaseModel
from ..services import clock

ROLES = ("agent", "mentor", "trainer", "manager", "admin")
SCOPED_ROLES = ("trainer", "manager")  # scoped to teams or whole sites
TIERS = ("newcomer", "advanced", "elite")


class Site(BaseModel):
    name = pw.CharField(max_length=100, unique=True)
    active = pw.BooleanField(default=True)

    def __str__(self):
        return self.name


class Team(BaseModel):
    site = pw.ForeignKeyField(Site, backref="teams", on_delete="RESTRICT")
    name = pw.CharField(max_length=100)
    active = pw.BooleanField(default=True)

    class Meta:
        indexes = ((("site", "name"), True),)

    def __str__(self):
        return self.name


class User(UserMixin, BaseModel):
    employee_no = pw.CharField(max_length=32, unique=True)
    name = pw.CharField(max_length=100)
    email = pw.CharField(max_length=254, default="")
    hire_date = pw.DateField(null=True)
    locale = pw.CharField(max_length=10, null=True)  # None: the browser's, then the default
    active = pw.BooleanField(default=True)
    password_hash = pw.CharField(max_length=255, null=True)
    must_change_password = pw.BooleanField(default=True)
    # Bumped on password change, reset and deactivation so that old sessions stop working.
    session_version = pw.IntegerField(default=1)
    tier = pw.CharField(max_length=16, null=True)  # current tier of an agent; history in TierChange
    created_at = pw.DateTimeField(default=clock.utcnow)
    deactivated_at = pw.DateTimeField(null=True)
    last_login_at = pw.DateTimeField(null=True)

    def get_id(self):
        return f"{self.id}.{self.session_version}"

    @property
    def is_active(self):
        return self.active

    @property
    def role_names(self) -> set[str]:
        if not hasattr(self, "_role_cache"):
            self._role_cache = {r.role for r in UserRole.select(UserRole.role).where(UserRole.user == self)}
        return self._role_cache

    def has_role(self, *roles: str) -> bool:
        return bool(self.role_names.intersection(roles))

    def forget_roles(self):
        self.__dict__.pop("_role_cache", None)

    def __str__(self):
        return f"{self.name} ({self.employee_no})"


def prime_roles(users: list[User]) -> list[User]:
    """Fill the role cache of many users with one query (lists would otherwise ask per row)."""
    roles: dict[int, set[str]] = {u.id: set() for u in users}
    for row in UserRole.select(UserRole.user, UserRole.role).where(UserRole.user.in_(list(roles) or [0])):
        roles[row.user_id].add(row.role)
    for user in users:
        user._role_cache = roles[user.id]
    return users


class UserRole(BaseModel):
    user = pw.ForeignKeyField(User, backref="roles", on_delete="CASCADE")
    role = pw.CharField(max_length=16)

    class Meta:
        indexes = ((("user", "role"), True),)


class RoleScope(BaseModel):
    """What a trainer or manager oversees: one team, or a whole site when team is empty."""
    user = pw.ForeignKeyField(User, backref="scopes", on_delete="CASCADE")
    role = pw.CharField(max_length=16)
    site = pw.ForeignKeyField(Site, on_delete="RESTRICT")
    team = pw.ForeignKeyField(Team, null=True, on_delete="RESTRICT")

    class Meta:
        indexes = ((("user", "role", "site", "team"), True),)


class Membership(BaseModel):
    """An agent's home team over time; the open row (ended_on empty) is the current one."""
    user = pw.ForeignKeyField(User, backref="memberships", on_delete="CASCADE")
    team = pw.ForeignKeyField(Team, backref="memberships", on_delete="RESTRICT")
    started_on = pw.DateField()
    ended_on = pw.DateField(null=True)

    class Meta:
        indexes = ((("user", "ended_on"), False), (("team", "ended_on"), False))


class TierChange(BaseModel):
    user = pw.ForeignKeyField(User, backref="tier_changes", on_delete="CASCADE")
    tier = pw.CharField(max_length=16)
    effective_on = pw.DateField()
    reason = pw.CharField(max_length=255, default="")
    changed_by = pw.ForeignKeyField(User, null=True, on_delete="SET NULL")
    created_at = pw.DateTimeField(default=clock.utcnow)


class LoginFailure(BaseModel):
    """One failed sign-in, counted per account and per client address for throttling."""
    kind = pw.CharField(max_length=8)  # account | address
    key = pw.CharField(max_length=100)
    at = pw.DateTimeField(default=clock.utcnow)

    class Meta:
        indexes = ((("kind", "key", "at"), False),)


class OneTimeToken(BaseModel):
    """An invite or reset link: only its hash is stored; usable once, until it expires."""
    user = pw.ForeignKeyField(User, backref="tokens", on_delete="CASCADE")
    purpose = pw.CharField(max_length=16)  # invite | reset
    token_hash = pw.CharField(max_length=64, unique=True)
    created_at = pw.DateTimeField(default=clock.utcnow)
    expires_at = pw.DateTimeField()
    used_at = pw.DateTimeField(null=True)


class AuditLog(BaseModel):
    """Append-only record of sensitive actions (account changes, tier changes, exports, erasures).

    The database refuses UPDATE and DELETE on this table (triggers, migration 0026). So that
    erasing a person never needs to touch it, an entry about a person names them by id
    (`subject`, and `target` "user:<id>"), never by name or employee no.: pages show the
    person's current name, which after erasure is their pseudonym."""
    at = pw.DateTimeField(default=clock.utcnow, index=True)
    actor = pw.ForeignKeyField(User, null=True, on_delete="SET NULL")
    action = pw.CharField(max_length=64)
    target = pw.CharField(max_length=255, default="")
    detail = pw.TextField(default="")
    # RESTRICT: people are anonymised, never deleted, while entries name them.
    subject = pw.ForeignKeyField(User, null=True, on_delete="RESTRICT", backref="+")
