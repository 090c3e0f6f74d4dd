"""Display names of roles and tiers, translated."""
from __future__ import annotations

from .i18n import lazy_gettext as _l

ROLE_LABELS = {"agent": _l("agent"), "mentor": _l("mentor"), "trainer": _l("trainer"),
               "manager": _l("manager"), "admin": _l("admin")}
TIER_LABELS = {"newcomer": _l("newcomer"), "advanced": _l("advanced"), "elite": _l("elite mentor")}


KPI_LABELS = {"fcr": "FCR", "aht": "AHT", "csat": "CSAT", "repeat": _l("Repeat contacts")}


def kpi_label(key: str) -> str:
    return str(KPI_LABELS.get(key, key))


IMPORT_STATUS_LABELS = {"checking": _l("checking"), "writing": _l("writing"), "done": _l("imported"),
                        "rejected": _l("rejected"), "dry_run": _l("checked only"), "failed": _l("failed")}


def import_status_label(status: str) -> str:
    return str(IMPORT_STATUS_LABELS.get(status, status))


def role_label(role: str) -> str:
    return str(ROLE_LABELS.get(role, role))


def tier_label(tier: str) -> str:
    return str(TIER_LABELS.get(tier, tier))

# The script checker's vocabulary (design.md §4), for pages.
CHECK_LABELS = {
    "empathy": _l("empathy"), "apology": _l("apology"), "clarify": _l("clarify the problem"),
    "options": _l("offer options"), "confirm": _l("confirm satisfaction"), "greeting": _l("greeting"),
    "confirm_need": _l("confirm the need"), "answer": _l("concise answer"), "care": _l("proactive care"),
    "receive": _l("receive the problem"), "confirm_info": _l("confirm the information"),
    "time_limit": _l("state the time limit"), "follow_up": _l("follow up"),
    "responsibility": _l("take responsibility"), "commitment": _l("commit to an action"),
    "refusal": _l("flat refusal"), "blame": _l("shifting blame"), "jargon": _l("jargon"),
    "vague_time": _l("vague time"), "imprecise_time": _l("imprecise time"), "order": _l("out of order"),
}


def check_label(name: str) -> str:
    return str(CHECK_LABELS.get(name, name))
