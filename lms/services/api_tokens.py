"""API tokens: issued once (only a hash is stored), scoped, optionally expiring, revocable."""
from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from ..models import ApiToken, User
from . import accounts, clock

SCOPES = ("kpi:write",)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue(name: str, scope: str, actor: User | None, days: int | None = None) -> tuple[ApiToken, str]:
    if scope not in SCOPES:
        raise ValueError(f"unknown scope {scope!r}")
    token = "lms_" + secrets.token_urlsafe(32)
    expires = clock.utcnow() + dt.timedelta(days=days) if days else None
    row = ApiToken.create(name=name.strip()[:100], token_hash=_hash(token), scope=scope, created_by=actor,
                          expires_at=expires)
    accounts.audit("api_token.issue", name, actor, scope=scope, expires=expires)
    return row, token


def authenticate(token: str | None, scope: str) -> ApiToken | None:
    """The live token with this scope, or None (unknown, revoked, expired or another scope)."""
    if not token:
        return None
    row = ApiToken.get_or_none(ApiToken.token_hash == _hash(token))
    now = clock.utcnow()
    if row is None or row.revoked_at is not None or row.scope != scope or (row.expires_at and row.expires_at <= now):
        return None
    ApiToken.update(last_used_at=now).where(ApiToken.id == row.id).execute()
    return row


def revoke(row: ApiToken, actor: User | None) -> None:
    ApiToken.update(revoked_at=clock.utcnow()).where((ApiToken.id == row.id) & ApiToken.revoked_at.is_null()).execute()
    accounts.audit("api_token.revoke", row.name, actor)
