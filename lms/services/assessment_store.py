"""Assessment content into the database, upserted by id; attempts and grades are never lost.

A question or drill that leaves the files is unpublished, not deleted. A rubric whose criteria
changed gets a new version: grades keep the version they were given with.
"""
from __future__ import annotations

import json

from ..models import Bank, Drill, Question, Rubric, RubricVersion, Skill, User
from . import clock
from .assessment_pack import AssessmentPack
from .content_pack import content_hash
from .content_store import LoadReport

QUESTION_OWN_KEYS = ("id", "type", "skill", "difficulty", "tags", "prompt", "feedback")


def _upsert(model, key_field, ident, fields: dict, kind: str, report: LoadReport, actor: User | None):
    new_hash = content_hash(fields)
    row = model.get_or_none(getattr(model, key_field) == ident)
    stamp = {"updated_at": clock.utcnow(), "updated_by": actor} if hasattr(model, "updated_at") else {}
    if row is None:
        row = model.create(**{key_field: ident}, **fields, file_hash=new_hash, **stamp)
        report.created.append(f"{kind} {ident}")
    elif row.file_hash != new_hash:
        model.update(**fields, file_hash=new_hash, **stamp).where(model.id == row.id).execute()
        report.updated.append(f"{kind} {ident}")
    else:
        report.unchanged += 1
    return model.get(getattr(model, key_field) == ident)


def load_assessments(pack: AssessmentPack, report: LoadReport, actor: User | None = None) -> None:
    """Upsert everything in the pack (the caller holds the transaction)."""
    assert pack.ok, "load only a pack without problems"
    for skill in pack.skills:
        _upsert(Skill, "slug", skill["slug"], {"name": skill["name"], "description": skill.get("description", "")},
                "skill", report, actor)
    for bank in pack.banks:
        row = _upsert(Bank, "slug", bank["slug"], {
            "title": bank["title"], "tier": bank["tier"], "pass_mark": bank.get("pass_mark", 80),
            "draw": bank.get("draw"), "attempts": bank.get("attempts", 0),
            "time_limit_minutes": bank.get("time_limit_minutes", 0), "grading": bank.get("grading", "highest"),
            "draw_rules": json.dumps(bank.get("draws", []), ensure_ascii=False, sort_keys=True),
            "published": True}, "bank", report, actor)
        kept = []
        for position, q in enumerate(bank["questions"], 1):
            spec = {k: v for k, v in q.items() if k not in QUESTION_OWN_KEYS}
            _upsert(Question, "slug", q["id"], {
                "bank": row.id, "type": q["type"], "skill": q["skill"], "difficulty": q.get("difficulty", 1),
                "tags": json.dumps(q.get("tags", []), ensure_ascii=False), "prompt": q["prompt"],
                "spec": json.dumps(spec, ensure_ascii=False, sort_keys=True), "feedback": q.get("feedback", ""),
                "position": position, "published": True}, "question", report, actor)
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
            "published": True}, "drill", report, actor)
    for rubric in pack.rubrics:
        row = _upsert(Rubric, "slug", rubric["slug"], {"title": rubric["title"]}, "rubric", report, actor)
        criteria = json.dumps(rubric["criteria"], ensure_ascii=False, sort_keys=True)
        latest = row.versions.order_by(RubricVersion.number.desc()).first()
        if latest is None or latest.criteria != criteria:
            number = latest.number + 1 if latest else 1
            RubricVersion.create(rubric=row, number=number, criteria=criteria, created_by=actor)
            if latest is not None:
                report.updated.append(f"rubric {rubric['slug']} version {number}")
