"""Reading curriculum packs from files: every problem found first, with file and key or line.

A pack is a folder of track folders, each with a `track.toml` and Markdown lesson bodies:

    slug, title, tier, summary, weeks            the track
    [pass] required = "all" | [activity slugs]   what passing the track takes
    [[modules]] slug, title, summary, week, prerequisites = [module slugs], published
      [[modules.activities]] slug, kind (lesson|quiz|drill), title, body (a .md path, lessons),
                             ref (quiz/drill), minutes, required, published
and the track's daily micro-task templates in `microtasks/*.toml` (microtask_pack.py).
"""
from __future__ import annotations

import hashlib
import json
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from ..models import ACTIVITY_KINDS, TIERS
from .microtask_pack import read_templates

SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
TRACK_KEYS = {"slug": str, "title": str, "tier": str, "summary": str, "weeks": int, "pass": dict,
              "modules": list, "published": bool}
PASS_KEYS = {"required": (str, list)}
MODULE_KEYS = {"slug": str, "title": str, "summary": str, "week": int, "prerequisites": list,
               "activities": list, "published": bool}
ACTIVITY_KEYS = {"slug": str, "kind": str, "title": str, "body": str, "ref": str, "minutes": int,
                 "required": bool, "published": bool}
REQUIRED = {"track": ("slug", "title", "tier"), "module": ("slug", "title"), "activity": ("slug", "kind", "title")}
MAX_BODY_BYTES = 200_000


@dataclass(frozen=True)
class PackProblem:
    file: str
    where: str  # a key path (modules[2].activities[1].slug) or "line N"
    message: str

    def __str__(self):
        return f"{self.file}: {self.where}: {self.message}"


@dataclass
class ActivitySpec:
    slug: str
    kind: str
    title: str
    body: str = ""
    ref: str = ""
    minutes: int = 5
    required: bool = True
    published: bool = True

    def content(self, module: str, position: int) -> dict:
        return {"module": module, "position": position, "slug": self.slug, "kind": self.kind,
                "title": self.title, "body": self.body, "ref": self.ref, "minutes": self.minutes,
                "required": self.required, "published": self.published}


@dataclass
class ModuleSpec:
    slug: str
    title: str
    summary: str = ""
    week: int | None = None
    prerequisites: list[str] = field(default_factory=list)
    published: bool = True
    activities: list[ActivitySpec] = field(default_factory=list)

    def content(self, track: str, position: int) -> dict:
        return {"track": track, "position": position, "slug": self.slug, "title": self.title,
                "summary": self.summary, "week": self.week, "prerequisites": sorted(self.prerequisites),
                "published": self.published}


@dataclass
class TrackSpec:
    slug: str
    title: str
    tier: str
    summary: str = ""
    weeks: int | None = None
    required: str | list[str] = "all"
    published: bool = True
    modules: list[ModuleSpec] = field(default_factory=list)
    folder: str = ""

    def content(self) -> dict:
        return {"slug": self.slug, "title": self.title, "tier": self.tier, "summary": self.summary,
                "weeks": self.weeks, "required": self.required, "published": self.published}


@dataclass
class Pack:
    tracks: list[TrackSpec] = field(default_factory=list)
    problems: list[PackProblem] = field(default_factory=list)
    microtasks: list = field(default_factory=list)  # TemplateSpec (lms/services/microtask_pack.py)

    @property
    def ok(self) -> bool:
        return not self.problems

    def counts(self) -> dict:
        activities = [a for t in self.tracks for m in t.modules for a in m.activities]
        return {"tracks": len(self.tracks), "modules": sum(len(t.modules) for t in self.tracks),
                "lessons": sum(a.kind == "lesson" for a in activities), "microtask_templates": len(self.microtasks)}


def content_hash(content: dict) -> str:
    """A stable fingerprint of one object's content, to tell edits apart."""
    return hashlib.sha256(json.dumps(content, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


class Checker:
    """Collects problems for one track.toml."""

    def __init__(self, file: str, problems: list[PackProblem]):
        self.file, self.problems = file, problems

    def problem(self, where: str, message: str) -> None:
        self.problems.append(PackProblem(self.file, where, message))

    def table(self, data, where: str, allowed: dict, required: tuple) -> dict | None:
        if not isinstance(data, dict):
            self.problem(where, "expected a table")
            return None
        for key, value in data.items():
            if key not in allowed:
                self.problem(f"{where}.{key}".lstrip("."), f"unknown key (allowed: {', '.join(allowed)})")
            elif not isinstance(value, allowed[key]) or (allowed[key] is int and isinstance(value, bool)):
                kinds = allowed[key] if isinstance(allowed[key], tuple) else (allowed[key],)
                self.problem(f"{where}.{key}".lstrip("."),
                             f"expected {' or '.join(k.__name__ for k in kinds)}, got {value!r}")
        for key in required:
            if key not in data:
                self.problem(f"{where}.{key}".lstrip("."), "missing")
        return data

    def slug(self, value, where: str) -> None:
        if isinstance(value, str) and not SLUG.match(value):
            self.problem(where, f"slug {value!r}: lower-case letters, digits and '-' only")


def read_pack(root: Path) -> Pack:
    """Every track folder under root (or root itself if it holds a track.toml), fully checked."""
    pack = Pack()
    root = Path(root)
    if (root / "track.toml").is_file():
        folders = [root]
    elif root.is_dir():
        folders = sorted(p for p in root.iterdir() if (p / "track.toml").is_file())
    else:
        pack.problems.append(PackProblem(str(root), "path", "not a folder"))
        return pack
    if not folders:
        pack.problems.append(PackProblem(str(root), "path", "no track folder (a folder with a track.toml)"))
    for folder in folders:
        track = _read_track(folder, pack.problems)
        if track is not None:
            pack.tracks.append(track)
            pack.microtasks += read_templates(folder, track.tier, lambda file: Checker(file, pack.problems))
    _check_across(pack)
    return pack


def _read_track(folder: Path, problems: list[PackProblem]) -> TrackSpec | None:
    path = folder / "track.toml"
    check = Checker(str(path), problems)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        check.problem("file", "not UTF-8 text")
        return None
    except tomllib.TOMLDecodeError as exc:
        line = re.search(r"line (\d+)", str(exc))
        check.problem(f"line {line.group(1)}" if line else "file", f"not valid TOML: {exc}")
        return None
    if check.table(data, "", TRACK_KEYS, REQUIRED["track"]) is None:
        return None
    check.slug(data.get("slug"), "slug")
    if data.get("tier") not in TIERS and "tier" in data:
        check.problem("tier", f"unknown tier {data['tier']!r} (one of {', '.join(TIERS)})")
    passing = data.get("pass", {})
    if isinstance(passing, dict):
        check.table(passing, "pass", PASS_KEYS, ())
    required = passing.get("required", "all") if isinstance(passing, dict) else "all"
    if isinstance(required, str) and required != "all":
        check.problem("pass.required", f"expected \"all\" or a list of activity slugs, got {required!r}")
    track = TrackSpec(slug=str(data.get("slug", "")), title=str(data.get("title", "")),
                      tier=str(data.get("tier", "")), summary=str(data.get("summary", "")),
                      weeks=data.get("weeks"), required=required, published=data.get("published", True),
                      folder=str(folder))
    for m_index, raw in enumerate(data.get("modules", []) if isinstance(data.get("modules"), list) else [], 1):
        module = _read_module(raw, f"modules[{m_index}]", folder, check)
        if module is not None:
            track.modules.append(module)
    if not track.modules:
        check.problem("modules", "a track needs at least one module")
    return track


def _read_module(raw, where: str, folder: Path, check: Checker) -> ModuleSpec | None:
    if check.table(raw, where, MODULE_KEYS, REQUIRED["module"]) is None:
        return None
    check.slug(raw.get("slug"), f"{where}.slug")
    prerequisites = raw.get("prerequisites", [])
    if not all(isinstance(p, str) for p in prerequisites if isinstance(prerequisites, list)):
        check.problem(f"{where}.prerequisites", "expected a list of module slugs")
        prerequisites = []
    module = ModuleSpec(slug=str(raw.get("slug", "")), title=str(raw.get("title", "")),
                        summary=str(raw.get("summary", "")), week=raw.get("week"),
                        prerequisites=list(prerequisites) if isinstance(prerequisites, list) else [],
                        published=raw.get("published", True))
    activities = raw.get("activities", [])
    for a_index, item in enumerate(activities if isinstance(activities, list) else [], 1):
        activity = _read_activity(item, f"{where}.activities[{a_index}]", folder, check)
        if activity is not None:
            module.activities.append(activity)
    if not module.activities:
        check.problem(f"{where}.activities", "a module needs at least one activity")
    return module


def _read_activity(raw, where: str, folder: Path, check: Checker) -> ActivitySpec | None:
    if check.table(raw, where, ACTIVITY_KEYS, REQUIRED["activity"]) is None:
        return None
    check.slug(raw.get("slug"), f"{where}.slug")
    kind = raw.get("kind")
    if kind not in ACTIVITY_KINDS:
        check.problem(f"{where}.kind", f"unknown kind {kind!r} (one of {', '.join(ACTIVITY_KINDS)})")
    body = ""
    if kind == "lesson":
        body = _read_body(raw.get("body"), f"{where}.body", folder, check)
    elif kind in ("quiz", "drill") and not raw.get("ref"):
        check.problem(f"{where}.ref", f"a {kind} names the {kind} it runs")
    return ActivitySpec(slug=str(raw.get("slug", "")), kind=str(kind), title=str(raw.get("title", "")),
                        body=body, ref=str(raw.get("ref", "")), minutes=raw.get("minutes", 5),
                        required=raw.get("required", True), published=raw.get("published", True))


def _read_body(relative, where: str, folder: Path, check: Checker) -> str:
    if not isinstance(relative, str) or not relative:
        check.problem(where, "a lesson names its Markdown file")
        return ""
    path = (folder / relative).resolve()
    if not path.is_relative_to(folder.resolve()):
        check.problem(where, f"{relative!r} is outside the track folder")
        return ""
    if not path.is_file():
        check.problem(where, f"lesson file not found: {relative}")
        return ""
    data = path.read_bytes()
    if len(data) > MAX_BODY_BYTES:
        check.problem(where, f"{relative}: larger than {MAX_BODY_BYTES // 1000} kB")
        return ""
    try:
        return data.decode("utf-8").replace("\r\n", "\n").strip() + "\n"
    except UnicodeDecodeError:
        check.problem(where, f"{relative}: not UTF-8 text")
        return ""


def _check_across(pack: Pack) -> None:
    """Slugs unique across the pack, one track per tier, prerequisites known and acyclic."""
    seen: dict[str, str] = {}

    def claim(slug: str, owner: str, file: str, where: str):
        if slug in seen:
            pack.problems.append(PackProblem(file, where, f"duplicate slug {slug!r} (also {seen[slug]})"))
        else:
            seen[slug] = owner

    for template in pack.microtasks:
        claim(template.slug, f"micro-task template in {template.file}", template.file, f"{template.where}.slug")
    tiers: dict[str, str] = {}
    for track in pack.tracks:
        file = f"{track.folder}/track.toml"
        claim(track.slug, f"track in {file}", file, "slug")
        if track.tier in tiers:
            pack.problems.append(PackProblem(file, "tier",
                                             f"tier {track.tier!r} already has track {tiers[track.tier]!r}"))
        tiers[track.tier] = track.slug
        module_slugs = {m.slug for m in track.modules}
        activity_slugs = set()
        for m_index, module in enumerate(track.modules, 1):
            claim(module.slug, f"module in {file}", file, f"modules[{m_index}].slug")
            for p in module.prerequisites:
                if p not in module_slugs:
                    pack.problems.append(PackProblem(file, f"modules[{m_index}].prerequisites",
                                                     f"unknown module {p!r} in this track"))
            for a_index, activity in enumerate(module.activities, 1):
                claim(activity.slug, f"activity in {file}", file, f"modules[{m_index}].activities[{a_index}].slug")
                activity_slugs.add(activity.slug)
        if isinstance(track.required, list):
            for slug in track.required:
                if slug not in activity_slugs:
                    pack.problems.append(PackProblem(file, "pass.required", f"unknown activity {slug!r}"))
        cycle = _find_cycle({m.slug: m.prerequisites for m in track.modules})
        if cycle:
            pack.problems.append(PackProblem(file, "modules", "prerequisite cycle: " + " -> ".join(cycle)))


def _find_cycle(graph: dict[str, list[str]]) -> list[str] | None:
    state: dict[str, int] = {}  # 1 visiting, 2 done

    def visit(node, path):
        state[node] = 1
        for nxt in graph.get(node, []):
            if state.get(nxt) == 1:
                return path[path.index(nxt):] + [nxt] if nxt in path else [node, nxt]
            if nxt in graph and state.get(nxt) is None:
                found = visit(nxt, path + [nxt])
                if found:
                    return found
        state[node] = 2
        return None

    for start in graph:
        if state.get(start) is None:
            found = visit(start, [start])
            if found:
                return found
    return None
