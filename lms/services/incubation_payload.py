"""What a mentor's draft holds, checked with the rules the content loaders and the authoring
forms use (every problem named with its field), and the real Drill, Question or Case it becomes
when a trainer publishes it. A case's customer data is masked before the draft is stored."""
from __future__ import annotations

import json
import re

from ..models import CASE_KINDS, TIERS, AuthoredItem, Bank, Drill, Question, Rubric, Skill, Team, User
from . import bank_authoring, cases, masking
from .assessment_pack import DRILL_KEYS, SCENARIOS
from .content_pack import SLUG, Checker
from .messages import N_
from .question_types import QUESTION_TYPES

DRILL_FIELDS = ("slug", "title", "tier", "scenario", "skill", "rubric", "context", "customer", "model_answer")
DRILL_REQUIRED = ("slug", "title", "tier", "scenario", "skill", "rubric", "customer")
SPEC_FIELDS = ("choices", "answer", "items", "match", "answers", "pattern", "keywords")
MAX_TEXT = 4000
MAX_SUMMARY = 20000


class Problem:
    """One problem: the form field it belongs to and a message (a catalog string with params,
    or the loader's own English text)."""

    def __init__(self, field: str, message: str, **params):
        self.field, self.message, self.params = field, message, params

    def __repr__(self):
        return f"Problem({self.field!r}, {self.message!r})"


def _tags(text: str) -> list[str]:
    return [t for t in re.split(r"[,，\s]+", text or "") if t]


def _taken(kind: str, slug: str, item: AuthoredItem | None) -> bool:
    """A slug already used by published content or by another live draft of the same kind."""
    model = Drill if kind == "drill" else Question
    if model.select().where(model.slug == slug).exists():
        return True
    others = AuthoredItem.select().where((AuthoredItem.kind == kind) & AuthoredItem.status.not_in(["rejected"])
                                         & (AuthoredItem.id != (item.id if item else 0)))
    return any(json.loads(o.payload).get("slug") == slug for o in others)


def check_drill(values: dict, author: User, item: AuthoredItem | None = None,
                settings: dict | None = None) -> tuple[dict, list[Problem]]:
    """A drill as `assessments/drills/*.toml` describes it (same keys, same checks), and its skill
    and rubric must exist."""
    data = {k: (values.get(k) or "").strip() for k in DRILL_FIELDS}
    data = {k: v for k, v in data.items() if v}  # an empty form field is a missing key
    if _tags(values.get("tags", "")):
        data["tags"] = _tags(values.get("tags", ""))
    found = []
    check = Checker("drill", found)
    check.table(data, "", DRILL_KEYS, DRILL_REQUIRED)
    check.slug(data.get("slug"), "slug")
    for key, allowed in (("tier", TIERS), ("scenario", SCENARIOS)):
        if key in data and data[key] not in allowed:
            check.problem(key, f"unknown {key} {data[key]!r} (one of {', '.join(allowed)})")
    problems = [Problem(p.where, p.message) for p in found]
    if "skill" in data and not Skill.select().where(Skill.slug == data["skill"]).exists():
        problems.append(Problem("skill", N_("Choose a skill.")))
    if "rubric" in data and not Rubric.select().where(Rubric.slug == data["rubric"]).exists():
        problems.append(Problem("rubric", N_("Choose a rubric.")))
    if "slug" in data and SLUG.match(data["slug"]) and _taken("drill", data["slug"], item):
        problems.append(Problem("slug", N_("The slug %(slug)s is already taken."), slug=data["slug"]))
    if len(data.get("title", "")) > 200:
        problems.append(Problem("title", N_("At most %(n)d characters."), n=200))
    for key in ("context", "customer", "model_answer"):
        if len(data.get(key, "")) > MAX_TEXT:
            problems.append(Problem(key, N_("At most %(n)d characters."), n=MAX_TEXT))
    return data, problems


def check_question(values: dict, author: User, item: AuthoredItem | None = None,
                   settings: dict | None = None) -> tuple[dict, list[Problem]]:
    """A question for a bank, with the bank editor's checks and the type's own spec check."""
    problems = []
    bank = Bank.get_or_none(Bank.slug == (values.get("bank") or "").strip())
    if bank is None:
        problems.append(Problem("bank", N_("Choose a question bank.")))
    slug, kind = (values.get("slug") or "").strip(), values.get("type", "")
    if not SLUG.match(slug):
        problems.append(Problem("slug", N_("Use lower-case letters, digits and '-' only (at most 64).")))
    elif _taken("question", slug, item):
        problems.append(Problem("slug", N_("The slug %(slug)s is already taken."), slug=slug))
    if not (values.get("prompt") or "").strip():
        problems.append(Problem("prompt", N_("The question needs a prompt.")))
    if not Skill.select().where(Skill.slug == values.get("skill", "")).exists():
        problems.append(Problem("skill", N_("Choose a skill.")))
    difficulty = str(values.get("difficulty", "")).strip()
    if difficulty not in ("1", "2", "3"):
        problems.append(Problem("difficulty", N_("Difficulty is 1, 2 or 3.")))
    spec = {}
    if kind not in QUESTION_TYPES:
        problems.append(Problem("type", N_("Choose a question type.")))
    else:
        try:
            spec = bank_authoring.spec_from_form(kind, values)
        except bank_authoring.BankError as exc:
            problems.append(Problem(exc.field or "answer", exc.message, **exc.params))
        else:
            for message in QUESTION_TYPES[kind].check(spec):
                key, _sep, text = message.partition(": ")
                problems.append(Problem(key if key in SPEC_FIELDS else "answer", text or message))
    payload = {"bank": bank.slug if bank else "", "slug": slug, "type": kind, "skill": values.get("skill", ""),
               "difficulty": int(difficulty) if difficulty in ("1", "2", "3") else 1,
               "tags": _tags(values.get("tags", "")), "prompt": (values.get("prompt") or "").strip(),
               "feedback": (values.get("feedback") or "").strip(), "spec": spec}
    return payload, problems


def check_case(values: dict, author: User, item: AuthoredItem | None = None,
               settings: dict | None = None) -> tuple[dict, list[Problem]]:
    """A case by hand, as the case form takes it; the customer's data is masked here, so the draft
    never holds it in clear."""
    problems = []
    title, summary = (values.get("title") or "").strip(), (values.get("summary") or "").strip()
    customer = (values.get("customer") or "").strip()
    if not title:
        problems.append(Problem("title", N_("a case needs a title")))
    elif len(title) > 200:
        problems.append(Problem("title", N_("At most %(n)d characters."), n=200))
    if values.get("kind") not in CASE_KINDS:
        problems.append(Problem("kind", N_("a case is a highlight or a failure")))
    if not summary:
        problems.append(Problem("summary", N_("The transcript or summary is required.")))
    elif len(summary) > MAX_SUMMARY:
        problems.append(Problem("summary", N_("At most %(n)d characters."), n=MAX_SUMMARY))
    if len(customer) > 50:
        problems.append(Problem("customer", N_("At most %(n)d characters."), n=50))
    emotion = []
    try:
        emotion = cases.parse_emotion(values.get("emotion") or "")
    except cases.CaseError as exc:
        problems.append(Problem("emotion", str(exc)))
    team_id = str(values.get("team") or "").strip()
    own_teams = {m.team_id for m in author.memberships if m.ended_on is None}
    if team_id not in ("", "0") and (not team_id.isdigit() or int(team_id) not in own_teams):
        problems.append(Problem("team", N_("Choose your own team, or the whole centre.")))
    rules = masking.MaskRules.from_settings(settings or {})
    masked, _found = masking.mask_record({"customer": customer, "title": title, "summary": summary}, rules)
    payload = {"title": masked["title"], "kind": values.get("kind", ""), "summary": masked["summary"],
               "customer": masked["customer"], "emotion": emotion,
               "team": int(team_id) if team_id.isdigit() and int(team_id) in own_teams else None}
    return payload, problems


CHECKS = {"drill": check_drill, "question": check_question, "case": check_case}


def title_of(kind: str, payload: dict) -> str:
    return (payload.get("title") or payload.get("prompt") or payload.get("slug") or kind)[:200]


def form_values(kind: str, payload: dict) -> dict:
    """The editing form's fields from a stored payload (the inverse of the checks)."""
    if kind == "drill":
        return {**payload, "tags": ", ".join(payload.get("tags", []))}
    if kind == "question":
        spec = bank_authoring.spec_to_form(payload["type"], payload.get("spec", {})) if payload.get("type") else {}
        return {**{k: v for k, v in payload.items() if k != "spec"}, "tags": ", ".join(payload.get("tags", [])),
                **spec}
    return {**payload, "emotion": ", ".join(str(n) for n in payload.get("emotion", [])),
            "team": payload.get("team") or 0}


def create_content(item: AuthoredItem, actor: User, settings: dict) -> dict:
    """The real row the draft becomes (the caller holds the transaction); returns the FK to set."""
    payload = json.loads(item.payload)
    if item.kind == "drill":
        Drill.create(**{k: payload.get(k, "") for k in DRILL_FIELDS}, tags=json.dumps(payload.get("tags", []),
                     ensure_ascii=False), published=True, updated_by=actor)
        return {"drill": Drill.get(Drill.slug == payload["slug"])}
    if item.kind == "question":
        bank = Bank.get(Bank.slug == payload["bank"])
        question = bank_authoring.save_question(
            bank, actor, None, slug=payload["slug"], kind=payload["type"], skill=payload["skill"],
            difficulty=payload["difficulty"], tags=", ".join(payload.get("tags", [])), prompt=payload["prompt"],
            feedback=payload.get("feedback", ""), form=bank_authoring.spec_to_form(payload["type"], payload["spec"]))
        return {"question": question}
    team = Team.get_or_none(Team.id == payload["team"]) if payload.get("team") else None
    case = cases.build(title=payload["title"], kind=payload["kind"], author=item.author, settings=settings, team=team,
                       record={"customer": payload["customer"]} if payload.get("customer") else None,
                       summary=payload["summary"], emotion=payload.get("emotion", []))
    return {"case": case}
