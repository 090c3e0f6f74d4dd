"""Login throttling: failed attempts counted per account and, more leniently, per address.

A whole floor often shares one NAT address, so the address limit is much higher than the
account limit. A lock lifts by itself once the failures fall out of the window.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ..models import LoginFailure
from . import clock


@dataclass(frozen=True)
class Limits:
    account_max: int
    address_max: int
    window_minutes: int
    lockout_minutes: int


def _since(limits: Limits) -> dt.datetime:
    return clock.utcnow() - dt.timedelta(minutes=max(limits.window_minutes, limits.lockout_minutes))


def _count(kind: str, key: str, limits: Limits) -> int:
    return (LoginFailure.select()
            .where((LoginFailure.kind == kind) & (LoginFailure.key == key)
                   & (LoginFailure.at > _since(limits))).count())


def blocked(account: str, address: str, limits: Limits) -> bool:
    """True while either the account or the address has too many recent failures."""
    return (_count("account", account.lower(), limits) >= limits.account_max
            or _count("address", address, limits) >= limits.address_max)


def record_failure(account: str, address: str) -> None:
    LoginFailure.insert_many([
        {"kind": "account", "key": account.lower()[:100], "at": clock.utcnow()},
        {"kind": "address", "key": address[:100], "at": clock.utcnow()},
    ]).execute()


def record_success(account: str) -> None:
    """A successful sign-in clears the account's failures (not the shared address's)."""
    LoginFailure.delete().where((LoginFailure.kind == "account")
                                & (LoginFailure.key == account.lower())).execute()
