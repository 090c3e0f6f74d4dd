"""Trainers edit question banks on the web: bank rules, questions of every type, publishing.

Like curriculum authoring, an edit never touches file_hash, so `lms content load` sees it as a
web edit and keeps it unless --force. Each change is recorded as a ContentChange.
"""
from __future__ import annotations

import json
import re

from ..db import database
from ..models import Bank, ContentChange, Question, Skill, User
from . import clock
from .assessment_pack import GRADING
from .content_pack import SLUG
from .messages import N_
from .question_types import QUESTION_TYPES

_ALTERNATIVES = re.compile(r"\s*[|｜]\s*")


class BankError(ValueError):
    """A user mistake; `message` is a catalog string, `field` the form field it belongs to."""

    def __init__(self, message: str, field: str | None = None, **params):
        super().__init__(message % params if params else message)
        self.message, self.field, self.params = message, field, params


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def _record(actor: User | None, kind: str, slug: str, action: str, **detail) -> None:
    ContentChange.create(user=actor, kind=kind, slug=slug, action=action,
                         detail=json.dumps(detail, ensure_ascii=False) if detail else "")


def update_bank(bank: Bank, actor: User | None, *, title: str, pass_mark: int, draw: int | None, attempts: int,
                time_limit_minutes: int, grading: str) -> Bank:
    title = (title or "").strip()
    if not title:
        raise BankError(N_("A title is required."), "title")
    if not 1 <= pass_mark <= 100:
        raise BankError(N_("The pass mark is a percent from 1 to 100."), "pass_mark")
    published = bank.questions.where(Question.published == True).count()  # noqa: E712
    if draw is not None and not 1 <= draw <= published:
        raise BankError(N_("Draw 1 to %(n)d questions (the published ones)."), "draw", n=published)
    if attempts < 0 or time_limit_minutes < 0:
        raise BankError(N_("Attempts and time limit are 0 (none) or more."), "attempts")
    if grading not in GRADING:
        raise BankError(N_("Choose highest, last or average."), "grading")
    changes = {k: v for k, v in dict(title=title, pass_mark=pass_mark, draw=draw, attempts=attempts,
                                     time_limit_minutes=time_limit_minutes, grading=grading).items()
               if getattr(bank, k) != v}
    if changes:
        with database.atomic():
            Bank.update(**changes, updated_at=clock.utcnow(), updated_by=actor).where(Bank.id == bank.id).execute()
            _record(actor, "bank", bank.slug, "web_edit", fields=sorted(changes))
    return Bank.get_by_id(bank.id)


def spec_from_form(kind: str, form: dict) -> dict:
    """The type's spec from the editing form's text fields (lines, indexes, alternatives a|b)."""
    if kind in ("single", "multiple"):
        spec = {"choices": _lines(form.get("choices", ""))}
        raw = [part for part in re.split(r"[,，\s]+", form.get("answer", "").strip()) if part]
        try:
            numbers = [int(part) - 1 for part in raw]  # the form counts choices from 1
        except ValueError:
            raise BankError(N_("Answer: the number(s) of the right choice(s), e.g. 2 or 1,3."), "answer") from None
        spec["answer"] = numbers[0] if kind == "single" and len(numbers) == 1 else numbers
        return spec
    if kind == "true_false":
        return {"answer": form.get("answer") == "true"}
    if kind == "ordering":
        return {"items": _lines(form.get("items", ""))}
    match = form.get("match", "")
    if match == "exact":
        return {"match": match, "answers": _lines(form.get("answers", ""))}
    if match == "regex":
        return {"match": match, "pattern": form.get("pattern", "").strip()}
    return {"match": match, "keywords": [_ALTERNATIVES.split(line) for line in _lines(form.get("keywords", ""))]}


def spec_to_form(kind: str, spec: dict) -> dict:
    """The inverse of spec_from_form, to fill the editing form."""
    if kind in ("single", "multiple"):
        answer = spec.get("answer", [])
        answer = [answer] if isinstance(answer, int) else answer
        return {"choices": "\n".join(spec.get("choices", [])), "answer": ",".join(str(a + 1) for a in answer)}
    if kind == "true_false":
        return {"answer": "true" if spec.get("answer") else "false"}
    if kind == "ordering":
        return {"items": "\n".join(spec.get("items", []))}
    return {"match": spec.get("match", "exact"), "answers": "\n".join(spec.get("answers", [])),
            "pattern": spec.get("pattern", ""), "keywords": "\n".join("|".join(s) for s in spec.get("keywords", []))}


def save_question(bank: Bank, actor: User | None, question: Question | None, *, slug: str, kind: str, skill: str,
                  difficulty: int, tags: str, prompt: str, feedback: str, form: dict) -> Question:
    """Create (question None) or edit a question; its type is fixed once created."""
    if question is None:
        slug = (slug or "").strip()
        if not SLUG.match(slug):
            raise BankError(N_("Use lower-case letters, digits and '-' only (at most 64)."), "slug")
        if Question.select().where(Question.slug == slug).exists():
            raise BankError(N_("The slug %(slug)s is already taken."), "slug", slug=slug)
        if kind not in QUESTION_TYPES:
            raise BankError(N_("Choose a question type."), "kind")
    else:
        slug, kind = question.slug, question.type
    if not (prompt or "").strip():
        raise BankError(N_("The question needs a prompt."), "prompt")
    if not Skill.select().where(Skill.slug == skill).exists():
        raise BankError(N_("Choose a skill."), "skill")
    if difficulty not in (1, 2, 3):
        raise BankError(N_("Difficulty is 1, 2 or 3."), "difficulty")
    spec = spec_from_form(kind, form)
    problems = QUESTION_TYPES[kind].check(spec)
    if problems:
        raise BankError(N_("The answer part is not valid: %(problem)s"), "spec", problem=problems[0])
    fields = {"type": kind, "skill": skill, "difficulty": difficulty, "prompt": prompt.strip(),
              "feedback": (feedback or "").strip(), "spec": json.dumps(spec, ensure_ascii=False, sort_keys=True),
              "tags": json.dumps([t for t in re.split(r"[,，\s]+", tags or "") if t], ensure_ascii=False)}
    with database.atomic():
        if question is None:
            position = (bank.questions.count() or 0) + 1
            question = Question.create(bank=bank, slug=slug, position=position, updated_by=actor, **fields)
            _record(actor, "question", slug, "created", bank=bank.slug)
        else:
            changed = sorted(k for k, v in fields.items() if getattr(question, k) != v)
            if changed:
                Question.update(**fields, updated_at=clock.utcnow(), updated_by=actor).where(
                    Question.id == question.id).execute()
                _record(actor, "question", slug, "web_edit", fields=changed)
    return Question.get(Question.slug == slug)


def set_published(question: Question, actor: User | None, published: bool) -> None:
    if question.published == published:
        return
    with database.atomic():
        Question.update(published=published, updated_at=clock.utcnow(), updated_by=actor).where(
            Question.id == question.id).execute()
        _record(actor, "question", question.slug, "published" if published else "unpublished")
