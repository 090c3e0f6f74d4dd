"""Reading `assessments/`: skills, question banks, scenario drills and rubrics, every problem
found first with its file and key (format: docs/assessment-format.md)."""
from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from ..models import TIERS
from .content_pack import Checker, PackProblem
from .question_types import QUESTION_TYPES

SCENARIOS = ("complaint", "consultation", "after_sales")
GRADING = ("highest", "last", "average")
BANK_KEYS = {"slug": str, "title": str, "tier": str, "pass_mark": int, "draw": int, "attempts": int,
             "time_limit_minutes": int, "grading": str, "questions": list, "draws": list}
DRAW_KEYS = {"tags": list, "difficulty": (int, list), "count": int}
QUESTION_KEYS = {"id": str, "type": str, "skill": str, "difficulty": int, "tags": list, "prompt": str,
                 "feedback": str, "choices": list, "answer": (int, bool, list), "items": list, "match": str,
                 "answers": list, "pattern": str, "keywords": list}
DRILL_KEYS = {"slug": str, "title": str, "tier": str, "scenario": str, "skill": str, "rubric": str,
              "context": str, "customer": str, "model_answer": str, "tags": list}
RUBRIC_KEYS = {"slug": str, "title": str, "criteria": list}
CRITERION_KEYS = {"id": str, "skill": str, "weight": (int, float), "critical": bool, "threshold": int,
                  "allow_na": bool, "levels": list, "title": str}
LEVEL_KEYS = {"score": int, "descriptor": str}
SKILL_KEYS = {"slug": str, "name": str, "description": str}


@dataclass
class AssessmentPack:
    skills: list[dict] = field(default_factory=list)
    banks: list[dict] = field(default_factory=list)
    drills: list[dict] = field(default_factory=list)
    rubrics: list[dict] = field(default_factory=list)
    problems: list[PackProblem] = field(default_factory=list)
    check_rules: int = 0  # rules of the script checker, counted when the rules file is read

    @property
    def ok(self) -> bool:
        return not self.problems

    def counts(self) -> dict:
        return {"questions": sum(len(b["questions"]) for b in self.banks), "drills": len(self.drills),
                "rubrics": len(self.rubrics), "skills": len(self.skills)}


def load_toml(path: Path, problems: list[PackProblem]) -> tuple[Checker, dict | None]:
    """A content file's data with a checker that records its problems (None: unreadable)."""
    check = Checker(str(path), problems)
    try:
        return check, tomllib.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        check.problem("file", "not UTF-8 text")
    except tomllib.TOMLDecodeError as exc:
        check.problem("file", f"not valid TOML: {exc}")
    return check, None


def read_assessments(root: Path) -> AssessmentPack:
    pack = AssessmentPack()
    root = Path(root)
    if not root.is_dir():
        return pack  # no assessments folder: nothing to load
    skills_file = root / "skills.toml"
    if skills_file.is_file():
        check, data = load_toml(skills_file, pack.problems)
        for i, raw in enumerate((data or {}).get("skills", []), 1):
            if check.table(raw, f"skills[{i}]", SKILL_KEYS, ("slug", "name")) is not None:
                check.slug(raw.get("slug"), f"skills[{i}].slug")
                pack.skills.append(raw)
    for path in sorted((root / "banks").glob("*.toml")):
        bank = _read_bank(path, pack.problems)
        if bank is not None:
            pack.banks.append(bank)
    for path in sorted((root / "drills").glob("*.toml")):
        check, data = load_toml(path, pack.problems)
        if data is not None and check.table(data, "", DRILL_KEYS, ("slug", "title", "tier", "scenario", "skill",
                                                                    "rubric", "customer")) is not None:
            check.slug(data.get("slug"), "slug")
            _check_choice(check, data, "tier", TIERS)
            _check_choice(check, data, "scenario", SCENARIOS)
            pack.drills.append({**data, "_file": str(path)})
    for path in sorted((root / "rubrics").glob("*.toml")):
        rubric = _read_rubric(path, pack.problems)
        if rubric is not None:
            pack.rubrics.append(rubric)
    _check_references(pack)
    return pack


def _check_choice(check: Checker, data: dict, key: str, allowed) -> None:
    if key in data and data[key] not in allowed:
        check.problem(key, f"unknown {key} {data[key]!r} (one of {', '.join(allowed)})")


def _read_bank(path: Path, problems: list[PackProblem]) -> dict | None:
    check, data = load_toml(path, problems)
    if data is None or check.table(data, "", BANK_KEYS, ("slug", "title", "tier", "questions")) is None:
        return None
    check.slug(data.get("slug"), "slug")
    _check_choice(check, data, "tier", TIERS)
    _check_choice(check, data, "grading", GRADING)
    questions = [q for q in data.get("questions", []) if isinstance(q, dict)]
    if not 0 < data.get("pass_mark", 80) <= 100:
        check.problem("pass_mark", "a percent from 1 to 100")
    if data.get("draw") is not None and not 0 < data["draw"] <= len(questions):
        check.problem("draw", f"1 to the number of questions ({len(questions)})")
    _check_draws(check, data.get("draws", []), questions)
    for i, raw in enumerate(data.get("questions", []), 1):
        where = f"questions[{i}]"
        if check.table(raw, where, QUESTION_KEYS, ("id", "type", "skill", "prompt")) is None:
            continue
        check.slug(raw.get("id"), f"{where}.id")
        kind = QUESTION_TYPES.get(raw.get("type"))
        if kind is None:
            check.problem(f"{where}.type", f"unknown type {raw.get('type')!r} (one of {', '.join(QUESTION_TYPES)})")
            continue
        extra = {k for k in raw if k in QUESTION_KEYS} - {"id", "type", "skill", "difficulty", "tags", "prompt",
                                                           "feedback"} - kind.keys
        for key in sorted(extra):
            check.problem(f"{where}.{key}", f"not used by a {kind.key} question")
        for message in kind.check(raw):
            check.problem(f"{where}.{message.split(':')[0]}", message.split(": ", 1)[-1])
        if not 1 <= raw.get("difficulty", 1) <= 3:
            check.problem(f"{where}.difficulty", "1 (easy) to 3 (hard)")
    return {**data, "_file": str(path)}


def _check_draws(check: Checker, draws, questions: list[dict]) -> None:
    """Each draw rule picks `count` questions with any of its tags and one of its difficulties."""
    for i, rule in enumerate(draws if isinstance(draws, list) else [], 1):
        where = f"draws[{i}]"
        if check.table(rule, where, DRAW_KEYS, ("count",)) is None:
            continue
        levels = rule.get("difficulty", [1, 2, 3])
        levels = [levels] if isinstance(levels, int) else levels
        matching = [q for q in questions
                    if (not rule.get("tags") or set(rule["tags"]) & set(q.get("tags", [])))
                    and q.get("difficulty", 1) in levels]
        if not 0 < rule.get("count", 0) <= len(matching):
            check.problem(f"{where}.count", f"1 to the {len(matching)} question(s) that match its tags and difficulty")


def _read_rubric(path: Path, problems: list[PackProblem]) -> dict | None:
    check, data = load_toml(path, problems)
    if data is None or check.table(data, "", RUBRIC_KEYS, ("slug", "title", "criteria")) is None:
        return None
    check.slug(data.get("slug"), "slug")
    for i, raw in enumerate(data.get("criteria", []), 1):
        where = f"criteria[{i}]"
        if check.table(raw, where, CRITERION_KEYS, ("id", "skill", "weight", "levels")) is None:
            continue
        levels = [lv for lv in raw.get("levels", []) if check.table(lv, f"{where}.levels", LEVEL_KEYS,
                                                                      ("score", "descriptor")) is not None]
        if len(levels) < 2:
            check.problem(f"{where}.levels", "at least two levels")
        if raw.get("weight", 1) <= 0:
            check.problem(f"{where}.weight", "must be above 0")
        if raw.get("critical") and "threshold" not in raw:
            check.problem(f"{where}.threshold", "a critical criterion names its lowest acceptable level")
    if not data.get("criteria"):
        check.problem("criteria", "a rubric needs at least one criterion")
    return {**data, "_file": str(path)}


def _check_references(pack: AssessmentPack) -> None:
    """Unique ids; every skill and rubric named exists."""
    skills = {s.get("slug") for s in pack.skills}
    rubrics = {r.get("slug") for r in pack.rubrics}
    seen: dict[str, str] = {}

    def claim(kind, ident, file, where):
        key = f"{kind}:{ident}"
        if key in seen:
            pack.problems.append(PackProblem(file, where, f"duplicate {kind} {ident!r} (also in {seen[key]})"))
        seen[key] = file

    def skill(name, file, where):
        if skills and name not in skills:
            pack.problems.append(PackProblem(file, where, f"unknown skill {name!r}"))

    for bank in pack.banks:
        claim("bank", bank.get("slug"), bank["_file"], "slug")
        for i, q in enumerate(bank.get("questions", []), 1):
            if isinstance(q, dict):
                claim("question", q.get("id"), bank["_file"], f"questions[{i}].id")
                skill(q.get("skill"), bank["_file"], f"questions[{i}].skill")
    for drill in pack.drills:
        claim("drill", drill.get("slug"), drill["_file"], "slug")
        skill(drill.get("skill"), drill["_file"], "skill")
        if drill.get("rubric") not in rubrics:
            pack.problems.append(PackProblem(drill["_file"], "rubric", f"unknown rubric {drill.get('rubric')!r}"))
    for rubric in pack.rubrics:
        claim("rubric", rubric.get("slug"), rubric["_file"], "slug")
        for i, c in enumerate(rubric.get("criteria", []), 1):
            if isinstance(c, dict):
                skill(c.get("skill"), rubric["_file"], f"criteria[{i}].skill")


def check_activity_refs(curriculum, pack: AssessmentPack, known_banks: set[str], known_drills: set[str]) -> None:
    """Quiz and drill activities of the curriculum must name a bank or drill that exists."""
    banks = known_banks | {b.get("slug") for b in pack.banks}
    drills = known_drills | {d.get("slug") for d in pack.drills}
    for track in curriculum.tracks:
        for m_index, module in enumerate(track.modules, 1):
            for a_index, activity in enumerate(module.activities, 1):
                known = banks if activity.kind == "quiz" else drills if activity.kind == "drill" else None
                if known is not None and activity.ref not in known:
                    curriculum.problems.append(PackProblem(
                        f"{track.folder}/track.toml", f"modules[{m_index}].activities[{a_index}].ref",
                        f"no {'question bank' if activity.kind == 'quiz' else 'drill'} {activity.ref!r}"))


def check_template_skills(curriculum, pack: AssessmentPack) -> None:
    """A micro-task template's skill must be one of the skills framework's."""
    skills = {s.get("slug") for s in pack.skills}
    for template in curriculum.microtasks:
        if skills and template.skill not in skills:
            curriculum.problems.append(PackProblem(template.file, f"{template.where}.skill",
                                                   f"unknown skill {template.skill!r} (see skills.toml)"))
