"""Assessment content into the database, upserted by id; attempts and grades are never lost.

A question or drill that leaves the files is unpublished, not deleted. A rubric whose criteria
changed gets a new version: grades keep the version they were given with. A row edited in the
web UI since it was loaded (its content no longer matches file_hash) is a conflict when the
file changes it too: the database's version is kept unless `force`, as for the curriculum.
"""
from __future__ import annotations

import json

from peewee import ForeignKeyField

from ..models import Bank, Drill, Question, Rubric, RubricVersion, Skill, User
from . import clock
from .assessment_pack import AssessmentPack
from .content_pack import content_hash
from .content_store import LoadReport

QUESTION_OWN_KEYS = ("id", "type", "skill", "difficulty", "tags", "prompt", "feedback")


def current_content(row, keys) -> dict:
    """A row's content in the shape the loader hashes (foreign keys as ids)."""
    model = type(row)
    return {key: getattr(row, f"{key}_id") if isinstance(getattr(model, key), ForeignKeyField)
            else getattr(row, key) for key in keys}


def _upsert_row(model, key_field, ident, fields: dict, kind: str, report: LoadReport, actor: User | None,
                force: bool = False):
    new_hash = content_hash(fields)
    row = model.get_or_none(getattr(model, key_field) == ident)
    stamp = {"updated_at": clock.utcnow(), "updated_by": actor} if hasattr(model, "updated_at") else {}
    if row is None:
        model.create(**{key_field: ident}, **fields, file_hash=new_hash, **stamp)
        report.created.append(f"{kind} {ident}")
        return model.get(getattr(model, key_field) == ident)
    current_hash = content_hash(current_content(row, fields))
    if current_hash == new_hash:
        if row.file_hash != new_hash:  # the web edit and the file now agree
            model.update(file_hash=new_hash).where(model.id == row.id).execute()
        report.unchanged += 1
    elif row.file_hash != current_hash and not force:
        report.conflicts.append(f"{kind} {ident}")
    else:
        if row.file_hash != current_hash:
            report.overwritten.append(f"{kind} {ident}")
        model.update(**fields, file_hash=new_hash, **stamp).where(model.id == row.id).execute()
        report.updated.append(f"{kind} {ident}")
    return model.get(getattr(model, key_field) == ident)


def load_assessments(pack: AssessmentPack, report: LoadReport, actor: User | None = None,
                     force: bool = False) -> None:
    """Upsert everything in the pack (the caller holds the transaction)."""
    assert pack.ok, "load only a pack without problems"

    def _upsert(*args):
        return _upsert_row(*args, report, actor, force)

    for skill in pack.skills:
        _upsert(Skill, "slug", skill["slug"], {"name": skill["name"], "description": skill.get("description", "")},
                "skill")
    for bank in pack.banks:
        row = _upsert(Bank, "slug", bank["slug"], {
            "title": bank["title"], "tier": bank["tier"], "pass_mark": bank.get("pass_mark", 80),
            "draw": bank.get("draw"), "attempts": bank.get("attempts", 0),
            "time_limit_minutes": bank.get("time_limit_minutes", 0), "grading": bank.get("grading", "highest"),
            "draw_rules": json.dumps(bank.get("draws", []), ensure_ascii=False, sort_keys=True),
            "published": True}, "bank")
        kept = []
        for position, q in enumerate(bank["questions"], 1):
            spec = {k: v for k, v in q.items() if k not in QUESTION_OWN_KEYS}
            _upsert(Question, "slug", q["id"], {
                "bank": row.id, "type": q["type"], "skill": q["skill"], "difficulty": q.get("difficulty", 1),
                "tags": json.dumps(q.get("tags", []), ensure_ascii=False), "prompt": q["prompt"],
                "spec": json.dumps(spec, ensure_ascii=False, sort_keys=True), "feedback": q.get("feedback", ""),
                "position": position, "published": True}, "question")
            kept.append(q["id"])
        gone = list(Question.select(Question.slug).where(
            (Question.bank == row) & Question.slug.not_in(kept or [""]) & Question.published))
        if gone:
            Question.update(published=False).where(Question.slug.in_([q.slug for q in gone])).execute()
            report.retired += [f"question {q.slug}" for q in gone]
    for drill in pack.drills:
        _upsert(Drill, "slug", drill["slug"], {
            "title": drill["title"], "tier": drill["tier"], "scenario": drill["scenario"], "skill": drill["skill"],
            "rubric": drill["rubric"], "context": drill.get("context", ""), "customer": drill["customer"],
            "model_answer": drill.get("model_answer", ""), "tags": json.dumps(drill.get("tags", []),
                                                                              ensure_ascii=False),
            "published": True}, "drill")
    for rubric in pack.rubrics:
        row = _upsert(Rubric, "slug", rubric["slug"], {"title": rubric["title"]}, "rubric")
        criteria = json.dumps(rubric["criteria"], ensure_ascii=False, sort_keys=True)
        latest = row.versions.order_by(RubricVersion.number.desc()).first()
        if latest is None or latest.criteria != criteria:
            number = latest.number + 1 if latest else 1
            RubricVersion.create(rubric=row, number=number, criteria=criteria, created_by=actor)
            if latest is not None:
                report.updated.append(f"rubric {rubric['slug']} version {number}")
