"""Reading KPI cells as Chinese contact-center exports write them: thousands separators,
full-width digits, durations as hh:mm:ss / mm:ss / seconds, rates as 85% or 0.85."""
from __future__ import annotations

import math
import re
import unicodedata

from .messages import N_

_DURATION = re.compile(r"^(?:(\d+):)?(\d{1,2}):(\d{1,2}(?:\.\d+)?)$")
# Far above any one agent's day, and low enough that a week's sum still fits the database's
# integer columns: a bigger number is a mistake in the file, not a busy day.
MAX_COUNT = 1_000_000
MAX_SECONDS = 1_000_000_000


class ValueProblem(ValueError):
    """A cell that cannot be read; the message is a catalog string, `values` fill it in."""

    def __init__(self, message: str, **values):
        super().__init__(message % values if values else message)
        self.message, self.values = message, values


def _number(plain: str, problem: str) -> float:
    """float(), refusing what is not a finite number (nan, inf, 1e400)."""
    try:
        number = float(plain)
    except ValueError:
        raise ValueProblem(problem) from None
    if not math.isfinite(number):
        raise ValueProblem(problem)
    return number


def _plain(text: str) -> str:
    return unicodedata.normalize("NFKC", text or "").strip().replace(",", "").replace(" ", "")


def parse_count(text: str) -> int:
    """A whole, non-negative number: '1,234', '１２', '12.0'."""
    number = _number(_plain(text), N_("not a number"))
    if number < 0:
        raise ValueProblem(N_("cannot be negative"))
    if number != int(number):
        raise ValueProblem(N_("must be a whole number"))
    if number > MAX_COUNT:
        raise ValueProblem(N_("too large (at most %(max)s)"), max=f"{MAX_COUNT:,}")
    return int(number)


def parse_seconds(text: str) -> float:
    """A duration: 'hh:mm:ss', 'mm:ss' or plain seconds."""
    plain = _plain(text)
    match = _DURATION.match(plain)
    if match:
        hours, minutes, seconds = match.groups()
        if int(minutes) >= 60 and hours is not None or float(seconds) >= 60:
            raise ValueProblem(N_("not a valid duration (hh:mm:ss, mm:ss or seconds)"))
        value = int(hours or 0) * 3600 + int(minutes) * 60 + float(seconds)
    else:
        value = _number(plain, N_("not a valid duration (hh:mm:ss, mm:ss or seconds)"))
    if value < 0:
        raise ValueProblem(N_("cannot be negative"))
    if value > MAX_SECONDS:
        raise ValueProblem(N_("too large (at most %(max)s)"), max=f"{MAX_SECONDS:,}")
    return value


def parse_rate(text: str) -> float:
    """A rate as a fraction: '85%' and '0.85' are 0.85; a bare number above 1 is read as percent."""
    plain = _plain(text)
    percent = plain.endswith("%")
    value = _number(plain.rstrip("%"), N_("not a rate (85% or 0.85)"))
    if percent or value > 1:
        value /= 100
    if not 0 <= value <= 1:
        raise ValueProblem(N_("a rate is between 0% and 100%"))
    return value
