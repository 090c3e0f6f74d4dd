"""First sign-in credentials for new people: a one-time password or an invite link, handed out once."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..models import User
from . import accounts
from .tabular import excel_csv

CREDENTIAL_KINDS = ("password", "invite", "none")


@dataclass
class Credential:
    employee_no: str
    name: str
    kind: str  # password | invite
    secret: str  # the one-time password, or the invite token


def issue_credential(user: User, credentials: str, ttl: int, actor: User | None) -> str | None:
    """A one-time password or invite token for a new person (None: neither was asked for)."""
    if credentials == "password":
        return accounts.issue_initial_password(user, actor=actor)
    if credentials == "invite":
        return accounts.issue_link_token(user, ttl, purpose="invite", actor=actor)
    return None


def credentials_csv(credentials: list[Credential], link: Callable[[str], str] = lambda token: token,
                    invite_column: str = "invite_path") -> bytes:
    """The new credentials as an Excel-friendly CSV: employee_no, name, password or invite link."""
    kind = credentials[0].kind if credentials else "password"
    return excel_csv(["employee_no", "name", "initial_password" if kind == "password" else invite_column],
                     [[c.employee_no, c.name, c.secret if c.kind == "password" else link(c.secret)]
                      for c in credentials])
