"""Micro-task templates in the content packs: `<track folder>/microtasks/*.toml`, each file a
list of `[[templates]]` for the track's tier (format: docs/content-packs.md), checked like the
rest of the pack and loaded with it by slug.
"""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from ..models import MICROTASK_KINDS, MICROTASK_KPIS

COMMON_KEYS = {"slug": str, "title": str, "skill": str, "kpi": str, "kind": str, "minutes": int,
               "instructions": str, "published": bool}
KIND_KEYS = {"reply": {"scenario": str, "context": str, "customer": str, "model_answer": str},
             "quiz": {"items": int},
             "reflection": {"prompt": str}}
KIND_REQUIRED = {"reply": ("scenario", "customer"), "quiz": ("items",), "reflection": ("prompt",)}
SCENARIOS = ("consultation", "complaint", "after_sales")
MAX_MINUTES = 5


@dataclass(frozen=True)
class TemplateSpec:
    slug: str
    tier: str
    skill: str
    kpi: str
    kind: str
    title: str
    minutes: int
    instructions: str
    spec: dict
    published: bool
    file: str
    where: str

    def content(self) -> dict:
        """What a load compares with the row (see content_store)."""
        return {"tier": self.tier, "skill": self.skill, "kpi": self.kpi, "kind": self.kind, "title": self.title,
                "minutes": self.minutes, "instructions": self.instructions, "spec": self.spec,
                "published": self.published}


def read_templates(folder: Path, tier: str, check_factory) -> list[TemplateSpec]:
    """The templates of one track folder; problems go to the checker each file gets."""
    found = []
    for path in sorted((folder / "microtasks").glob("*.toml")):
        check = check_factory(str(path))
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except UnicodeDecodeError:
            check.problem("file", "not UTF-8 text")
            continue
        except tomllib.TOMLDecodeError as exc:
            line = re.search(r"line (\d+)", str(exc))
            check.problem(f"line {line.group(1)}" if line else "file", f"not valid TOML: {exc}")
            continue
        if check.table(data, "", {"templates": list}, ("templates",)) is None:
            continue
        for index, raw in enumerate(data.get("templates") or [], 1):
            spec = _read_one(raw, f"templates[{index}]", tier, str(path), check)
            if spec is not None:
                found.append(spec)
    return found


def _read_one(raw, where: str, tier: str, file: str, check) -> TemplateSpec | None:
    kind = raw.get("kind") if isinstance(raw, dict) else None
    allowed = {**COMMON_KEYS, **KIND_KEYS.get(kind, {})}
    if check.table(raw, where, allowed, ("slug", "title", "skill", "kpi", "kind", "instructions")
                   + KIND_REQUIRED.get(kind, ())) is None:
        return None
    check.slug(raw.get("slug"), f"{where}.slug")
    if kind not in MICROTASK_KINDS:
        check.problem(f"{where}.kind", f"unknown kind {kind!r} (one of {', '.join(MICROTASK_KINDS)})")
        return None
    if raw.get("kpi") not in MICROTASK_KPIS:
        check.problem(f"{where}.kpi", f"unknown KPI {raw.get('kpi')!r} (one of {', '.join(MICROTASK_KPIS)})")
    minutes = raw.get("minutes", MAX_MINUTES)
    if isinstance(minutes, int) and not 1 <= minutes <= MAX_MINUTES:
        check.problem(f"{where}.minutes", f"a micro-task takes 1 to {MAX_MINUTES} minutes, got {minutes}")
    if kind == "reply" and raw.get("scenario") not in SCENARIOS:
        check.problem(f"{where}.scenario", f"unknown scenario {raw.get('scenario')!r} (one of {', '.join(SCENARIOS)})")
    if kind == "quiz" and isinstance(raw.get("items"), int) and not 1 <= raw["items"] <= 5:
        check.problem(f"{where}.items", f"1 to 5 questions, got {raw['items']}")
    return TemplateSpec(slug=str(raw.get("slug", "")), tier=tier, skill=str(raw.get("skill", "")),
                        kpi=str(raw.get("kpi", "")), kind=kind, title=str(raw.get("title", "")),
                        minutes=minutes if isinstance(minutes, int) else MAX_MINUTES,
                        instructions=str(raw.get("instructions", "")),
                        spec={key: raw[key] for key in KIND_KEYS[kind] if key in raw},
                        published=raw.get("published", True), file=file, where=where)
