"""Accounts: creating people, their roles, team and tier, passwords and one-time links."""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets

from werkzeug.security import check_password_hash, generate_password_hash

from ..db import database
from ..models import (ROLES, TIERS, AuditLog, Membership, OneTimeToken, RoleScope, Team, TierChange,
                      User, UserRole)
from . import clock
from .messages import N_

# scrypt (werkzeug's default) is memory-hard; tests swap in a cheap method for speed.
PASSWORD_METHOD = "scrypt"
# Letters and digits that cannot be mistaken for each other when read off a printed sheet.
_PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKMNPQRSTUVWXYZ23456789"



class AccountError(ValueError):
    """A request about an account that cannot be carried out; the message says why."""


# Actions about one person; their target names the person (see audit()).
PERSON_ACTIONS = ("account.", "tier.", "privacy.")


def audit(action: str, target: str | User = "", actor: User | None = None, **detail) -> None:
    """Append an entry to the audit log (which the database never lets change).

    An entry about a person holds their id, never their name or employee no., so that erasing
    them leaves the log untouched: `target` may be the User, or for account.*, tier.* and
    privacy.* actions their employee no., which is looked up here."""
    subject = target if isinstance(target, User) else None
    if subject is None and target and action.startswith(PERSON_ACTIONS):
        subject = User.get_or_none(User.employee_no == target)
    if subject is not None:
        target = f"user:{subject.id}"
    AuditLog.create(action=action, target=target, actor=actor, subject=subject,
                    detail=json.dumps(detail, ensure_ascii=False, default=str) if detail else "")


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=PASSWORD_METHOD)


def password_problem(password: str, min_length: int, user: User | None = None) -> tuple[str, dict] | None:
    """Why a chosen password is unacceptable, as (message template, its values), or None."""
    if len(password) < min_length:
        return N_("use at least %(count)d characters"), {"count": min_length}
    if password.isdigit() or password.isalpha():
        return N_("mix letters with digits or symbols"), {}
    if user is not None and password.lower() in (user.employee_no.lower(), (user.email or "").lower()):
        return N_("do not use your employee no. or e-mail"), {}
    return None


def set_password(user: User, password: str, *, must_change: bool = False) -> None:
    """Store a new password; every older session of this user stops working."""
    user.password_hash = hash_password(password)
    user.must_change_password = must_change
    user.session_version += 1
    user.save()


def check_password(user: User, password: str) -> bool:
    return bool(user.password_hash) and check_password_hash(user.password_hash, password)


def generate_initial_password() -> str:
    return "".join(secrets.choice(_PASSWORD_ALPHABET) for _ in range(12))


def issue_initial_password(user: User, actor: User | None = None) -> str:
    """A one-time password to hand out; the user must choose their own at first sign-in."""
    password = generate_initial_password()
    set_password(user, password, must_change=True)
    audit("account.initial_password", user, actor)
    return password


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_link_token(user: User, ttl_hours: int, purpose: str = "invite", actor: User | None = None) -> str:
    """A one-time sign-in token (for an invite or reset link); only its hash is kept."""
    token = secrets.token_urlsafe(32)
    with database.atomic():
        # A new link replaces any earlier unused one for the same purpose.
        (OneTimeToken.update(used_at=clock.utcnow())
         .where((OneTimeToken.user == user) & (OneTimeToken.purpose == purpose)
                & OneTimeToken.used_at.is_null()).execute())
        OneTimeToken.create(user=user, purpose=purpose, token_hash=_hash_token(token),
                            expires_at=clock.utcnow() + dt.timedelta(hours=ttl_hours))
        audit(f"account.{purpose}_link", user, actor)
    return token


def find_link_token(token: str) -> OneTimeToken | None:
    """The unused, unexpired token row for this link, or None."""
    row = OneTimeToken.get_or_none(OneTimeToken.token_hash == _hash_token(token))
    if row is None or row.used_at is not None or row.expires_at <= clock.utcnow() or not row.user.active:
        return None
    return row


def redeem_link_token(token: str, new_password: str) -> User:
    """Set the user's own password through a link; the link then never works again."""
    with database.atomic():
        row = find_link_token(token)
        if row is None:
            raise AccountError("this link has expired or was already used")
        # Mark used with a guarded update so two simultaneous submissions cannot both win.
        won = (OneTimeToken.update(used_at=clock.utcnow())
               .where((OneTimeToken.id == row.id) & OneTimeToken.used_at.is_null()).execute())
        if not won:
            raise AccountError("this link has expired or was already used")
        user = row.user
        set_password(user, new_password, must_change=False)
        audit("account.link_redeemed", user, user, purpose=row.purpose)
    return user


def set_roles(user: User, roles: set[str]) -> None:
    unknown = set(roles) - set(ROLES)
    if unknown:
        raise AccountError(f"unknown role(s): {', '.join(sorted(unknown))}")
    current = user.role_names
    UserRole.delete().where((UserRole.user == user) & UserRole.role.not_in(list(roles) or [""])).execute()
    for role in sorted(set(roles) - current):
        UserRole.create(user=user, role=role)
    user.forget_roles()


def set_scopes(user: User, scopes: list[tuple[str, int, int | None]]) -> None:
    """Replace a trainer's/manager's scopes: (role, site id, team id or None for the site)."""
    RoleScope.delete().where(RoleScope.user == user).execute()
    for role, site_id, team_id in sorted(set(scopes), key=lambda s: (s[0], s[1], s[2] or 0)):
        RoleScope.create(user=user, role=role, site=site_id, team=team_id)


def current_team(user: User) -> Team | None:
    row = (Membership.select(Membership, Team).join(Team)
           .where((Membership.user == user) & Membership.ended_on.is_null()).first())
    return row.team if row else None


def set_team(user: User, team: Team | None, on: dt.date | None = None) -> None:
    """Move a user to a team from a date, closing the old membership (history is kept)."""
    on = on or clock.today()
    old = current_team(user)
    if old is not None and team is not None and old.id == team.id:
        return
    (Membership.update(ended_on=on)
     .where((Membership.user == user) & Membership.ended_on.is_null()).execute())
    if team is not None:
        Membership.create(user=user, team=team, started_on=on)


def set_tier(user: User, tier: str, *, effective_on: dt.date | None = None, reason: str = "",
             actor: User | None = None) -> bool:
    """Change an agent's tier, recording the change; False when it was already that tier."""
    if tier not in TIERS:
        raise AccountError(f"unknown tier {tier!r}; one of {', '.join(TIERS)}")
    if user.tier == tier:
        return False
    effective_on = effective_on or clock.today()
    change = TierChange.create(user=user, tier=tier, effective_on=effective_on, reason=reason, changed_by=actor)
    previous, user.tier = user.tier, tier
    user.save()
    # The reason is free text about the person: it stays in TierChange (erasable), not here.
    audit("tier.change", user, actor, old=previous, new=tier, change=change.id)
    return True


def create_user(*, employee_no: str, name: str, email: str = "", hire_date: dt.date | None = None,
                roles: set[str] = frozenset({"agent"}), team: Team | None = None, tier: str | None = None,
                locale: str | None = None, actor: User | None = None) -> User:
    """A new, active user; an agent gets a tier (newcomer from the hire date unless given)."""
    if User.get_or_none(User.employee_no == employee_no):
        raise AccountError(f"employee no. {employee_no} already exists")
    with database.atomic():
        user = User.create(employee_no=employee_no, name=name, email=email, hire_date=hire_date,
                           locale=locale, must_change_password=True)
        set_roles(user, set(roles))
        if team is not None:
            set_team(user, team, hire_date if hire_date and hire_date <= clock.today() else None)
        if "agent" in roles or tier:
            set_tier(user, tier or "newcomer", effective_on=hire_date or clock.today(),
                     reason="placement at hire" if not tier else "set on creation", actor=actor)
        audit("account.create", user, actor, roles=sorted(roles))
    return user


def deactivate(user: User, actor: User | None = None) -> None:
    """Deactivate, never delete: history stays, sessions and links stop working."""
    with database.atomic():
        user.active = False
        user.deactivated_at = clock.utcnow()
        user.session_version += 1
        user.save()
        (OneTimeToken.update(used_at=clock.utcnow())
         .where((OneTimeToken.user == user) & OneTimeToken.used_at.is_null()).execute())
        audit("account.deactivate", user, actor)


def reactivate(user: User, actor: User | None = None) -> None:
    user.active = True
    user.deactivated_at = None
    user.save()
    audit("account.reactivate", user, actor)
