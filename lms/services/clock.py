"""The one clock: tests and jobs set it to any moment instead of sleeping."""
from __future__ import annotations

import datetime as dt
import zoneinfo

_timezone = zoneinfo.ZoneInfo("Asia/Shanghai")
_frozen: dt.datetime | None = None  # an aware UTC moment while frozen


def set_timezone(name: str) -> None:
    global _timezone
    _timezone = zoneinfo.ZoneInfo(name)


def freeze(moment: dt.datetime | None) -> None:
    """Pin now() to a moment (naive means UTC); None lets the clock run again."""
    global _frozen
    if moment is not None and moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.timezone.utc)
    _frozen = moment


def now() -> dt.datetime:
    """The current moment, aware, in UTC."""
    return _frozen if _frozen is not None else dt.datetime.now(dt.timezone.utc)


def utcnow() -> dt.datetime:
    """Naive UTC, the form stored in the database."""
    return now().replace(tzinfo=None)


def today() -> dt.date:
    """Today's date in the centre's time zone."""
    return now().astimezone(_timezone).date()


def local(moment: dt.datetime) -> dt.datetime:
    """A stored naive-UTC moment in the centre's time zone."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.timezone.utc)
    return moment.astimezone(_timezone)
