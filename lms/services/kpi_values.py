"""Reading KPI cells as Chinese contact-center exports write them: thousands separators,
full-width digits, durations as hh:mm:ss / mm:ss / seconds, rates as 85% or 0.85."""
from __future__ import annotations

import re
import unicodedata

from .messages import N_

_DURATION = re.compile(r"^(?:(\d+):)?(\d{1,2}):(\d{1,2}(?:\.\d+)?)$")


class ValueProblem(ValueError):
    """A cell that cannot be read; the message is a catalog string."""


def _plain(text: str) -> str:
    return unicodedata.normalize("NFKC", text or "").strip().replace(",", "").replace(" ", "")


def parse_count(text: str) -> int:
    """A whole, non-negative number: '1,234', '１２', '12.0'."""
    plain = _plain(text)
    try:
        number = float(plain)
    except ValueError:
        raise ValueProblem(N_("not a number")) from None
    if number < 0:
        raise ValueProblem(N_("cannot be negative"))
    if number != int(number):
        raise ValueProblem(N_("must be a whole number"))
    return int(number)


def parse_seconds(text: str) -> float:
    """A duration: 'hh:mm:ss', 'mm:ss' or plain seconds."""
    plain = _plain(text)
    match = _DURATION.match(plain)
    if match:
        hours, minutes, seconds = match.groups()
        if int(minutes) >= 60 and hours is not None or float(seconds) >= 60:
            raise ValueProblem(N_("not a valid duration (hh:mm:ss, mm:ss or seconds)"))
        return int(hours or 0) * 3600 + int(minutes) * 60 + float(seconds)
    try:
        value = float(plain)
    except ValueError:
        raise ValueProblem(N_("not a valid duration (hh:mm:ss, mm:ss or seconds)")) from None
    if value < 0:
        raise ValueProblem(N_("cannot be negative"))
    return value


def parse_rate(text: str) -> float:
    """A rate as a fraction: '85%' and '0.85' are 0.85; a bare number above 1 is read as percent."""
    plain = _plain(text)
    percent = plain.endswith("%")
    try:
        value = float(plain.rstrip("%"))
    except ValueError:
        raise ValueProblem(N_("not a rate (85% or 0.85)")) from None
    if percent or value > 1:
        value /= 100
    if not 0 <= value <= 1:
        raise ValueProblem(N_("a rate is between 0% and 100%"))
    return value
