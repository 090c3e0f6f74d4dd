"""Reading the golden scripts in `assessments/scripts/*.toml`: every problem named with its
file, script, field and value before anything is written (as for the rest of the content).

Each file holds `[[scripts]]` tables:

    slug, title              the script's stable id and its name
    scenario                 the script checker's frame: complaint | consultation | after_sales
    topic                    refund_objection, logistics_delay, privacy_request ... (a-z, 0-9, _)
    channel                  phone | chat | email
    situation                the situation it fits
    before, after            the weak wording it replaces, and the golden wording
    elements                 the frame elements the wording carries (design.md §4)
    why, approved_by         why it works, and who approved it

The same field rules serve the web form (`field_problems`), so a script is valid in one place.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from ..models import SCRIPT_CHANNELS
from .assessment_pack import SCENARIOS, load_toml
from .content_pack import PackProblem
from .messages import N_

FRAMES = {"complaint": ("empathy", "apology", "clarify", "options", "confirm"),
          "consultation": ("greeting", "confirm_need", "answer", "care"),
          "after_sales": ("receive", "confirm_info", "time_limit", "follow_up")}
# The topics' names, indexed for search with the rest of the text (content: zh-CN).
TOPIC_LABELS = {
    "refund_objection": "退款异议", "logistics_delay": "物流延误", "privacy_request": "隐私请求",
    "account_security": "账户安全", "billing_error": "账单差错", "complaint_escalation": "投诉升级",
    "credit_limit": "信用额度", "damaged_goods": "商品破损", "elderly_customer": "老年客户",
    "installation": "安装服务", "invoice": "发票", "missing_parts": "少件漏发", "network_outage": "网络故障",
    "peak_hour_wait": "高峰等待", "plan_change": "套餐变更", "product_fault": "产品故障",
    "repair_progress": "维修进度", "repeat_caller": "重复来电", "service_attitude": "服务态度",
    "vip_customer": "贵宾客户", "warranty": "保修", "wrong_item": "发错商品",
}
SCRIPT_KEYS = {"slug": str, "title": str, "scenario": str, "topic": str, "channel": str, "situation": str,
               "before": str, "after": str, "elements": list, "why": str, "approved_by": str}
TOPIC = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
RESERVED_SLUGS = {"new", "propose", "proposals", "techniques"}  # page names under /scripts/
MAX_TEXT = 4000
LIMITS = {"title": 200, "approved_by": 100, "situation": MAX_TEXT, "before": MAX_TEXT, "after": MAX_TEXT,
          "why": MAX_TEXT}
REQUIRED = ("title", "scenario", "topic", "channel", "situation", "after", "elements")


def topic_label(topic: str) -> str:
    return TOPIC_LABELS.get(topic, topic)


@dataclass
class ScriptPack:
    scripts: list[dict] = field(default_factory=list)
    problems: list[PackProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def counts(self) -> dict:
        return {"golden_scripts": len(self.scripts)}


def field_problems(data: dict, required=REQUIRED) -> list[tuple[str, str, dict]]:
    """(field, catalog message, its values) for each field that breaks a rule; values of the
    wrong type are the file reader's to report."""
    found = []
    for name in required:
        value = data.get(name)
        if value is None or (isinstance(value, str) and not value.strip()) or value == []:
            found.append((name, N_("required"), {}))
    for name, limit in LIMITS.items():
        if isinstance(data.get(name), str) and len(data[name]) > limit:
            found.append((name, N_("longer than %(n)d characters"), {"n": limit}))
    scenario = data.get("scenario") if isinstance(data.get("scenario"), str) else None
    if scenario and scenario not in SCENARIOS:
        found.append(("scenario", N_("unknown scenario %(value)r (one of %(allowed)s)"),
                      {"value": scenario, "allowed": ", ".join(SCENARIOS)}))
    if isinstance(data.get("channel"), str) and data["channel"] and data["channel"] not in SCRIPT_CHANNELS:
        found.append(("channel", N_("unknown channel %(value)r (one of %(allowed)s)"),
                      {"value": data["channel"], "allowed": ", ".join(SCRIPT_CHANNELS)}))
    if isinstance(data.get("topic"), str) and data["topic"] and not TOPIC.match(data["topic"]):
        found.append(("topic", N_("topic %(value)r: lower-case letters, digits and '_' only"),
                      {"value": data["topic"]}))
    elements = data.get("elements") or []
    frame = FRAMES.get(scenario, ())
    for element in elements if isinstance(elements, list) else []:
        if frame and element not in frame:
            found.append(("elements", N_("unknown element %(value)r for %(scenario)s (one of %(allowed)s)"),
                          {"value": element, "scenario": scenario, "allowed": ", ".join(frame)}))
    if isinstance(elements, list) and len(set(map(str, elements))) != len(elements):
        found.append(("elements", N_("an element is listed twice"), {}))
    return found


def read_scripts(root: Path) -> ScriptPack:
    """Every script under root/scripts, fully checked (no folder: nothing to load)."""
    pack = ScriptPack()
    seen: dict[str, str] = {}
    for path in sorted((Path(root) / "scripts").glob("*.toml")):
        check, data = load_toml(path, pack.problems)
        if data is None or check.table(data, "", {"scripts": list}, ("scripts",)) is None:
            continue
        for i, raw in enumerate(data.get("scripts", []) if isinstance(data.get("scripts"), list) else [], 1):
            slug = raw.get("slug") if isinstance(raw, dict) else None
            where = f"scripts[{i}]" + (f" ({slug})" if isinstance(slug, str) else "")
            before = len(pack.problems)
            if check.table(raw, where, SCRIPT_KEYS, tuple(SCRIPT_KEYS)) is None:
                continue
            check.slug(slug, f"{where}.slug")
            if slug in RESERVED_SLUGS:
                check.problem(f"{where}.slug", f"slug {slug!r} is reserved (a page name)")
            if isinstance(raw.get("elements"), list) and not all(isinstance(e, str) for e in raw["elements"]):
                check.problem(f"{where}.elements", f"expected a list of names, got {raw['elements']!r}")
            for name, message, args in field_problems(raw, required=[n for n in REQUIRED if n in raw]):
                check.problem(f"{where}.{name}", message % args)
            if isinstance(slug, str):
                if slug in seen:
                    check.problem(f"{where}.slug", f"duplicate slug {slug!r} (also in {seen[slug]})")
                seen.setdefault(slug, str(path))
            if len(pack.problems) == before:
                pack.scripts.append({**raw, "_file": str(path)})
    return pack
