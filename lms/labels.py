"""Display names of roles and tiers, translated."""
from __future__ import annotations

from .i18n import lazy_gettext as _l

ROLE_LABELS = {"agent": _l("agent"), "mentor": _l("mentor"), "trainer": _l("trainer"),
               "manager": _l("manager"), "admin": _l("admin")}
TIER_LABELS = {"newcomer": _l("newcomer"), "advanced": _l("advanced"), "elite": _l("elite mentor")}


def role_label(role: str) -> str:
    return str(ROLE_LABELS.get(role, role))


def tier_label(tier: str) -> str:
    return str(TIER_LABELS.get(tier, tier))
