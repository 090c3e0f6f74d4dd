"""Everything the system holds about one person, as one JSON document or a ZIP of CSVs.

The sections are found by walking every model's foreign keys to User: each (model, field)
pair is either a section of the export or excluded with its reason, and a test fails on a
pair that is neither, so a model added later cannot be forgotten. Rows that hang off the
person's rows (quiz answers under their attempts, grades and peer reviews of their case
reviews, ...) are sections too. Columns holding someone else's words or a secret are left out
(`omit`); other people appear only as ids.
"""
from __future__ import annotations

import datetime as dt
import io
import json
import zipfile
from dataclasses import dataclass, field
from typing import Callable

import peewee as pw

from ..models import (ALL_MODELS, ApiToken, AuditLog, AuthoredComment, AuthoredItem, BriefingAck, CalibrationRound,
                      CalibrationScore, CoachingSession, Completion, ContentChange, Dispute, DrillReply, Evidence,
                      GoldenScript, KpiChange, KpiDaily, KpiImport, KpiWeekly, ManualRating, Membership,
                      MentorPairing, MicroTask, Notification, OneTimeToken, OutboxMessage, PathRecommendation,
                      PeerReview, QuizAttempt, QuizResponse, ReviewAssignment, ReviewGrade, ReviewSubmission,
                      RoleScope, RotaDay, ScriptProposal, Technique, TierChange, TriggeredAssignment, User,
                      UserRole)
from . import clock

FORMAT = "lms-person-export/1"
# Secrets and sign-in state: never exported, not even as hashes.
USER_OMIT = ("password_hash", "session_version")

# (model name, field name) -> why rows reached through this key are not part of the export.
CONTENT_STAMP = "a stamp on shared curriculum content: only who last changed it, nothing about them"
EXCLUDED = {
    ("Track", "updated_by"): CONTENT_STAMP,
    ("Module", "updated_by"): CONTENT_STAMP,
    ("Activity", "updated_by"): CONTENT_STAMP,
    ("Bank", "updated_by"): CONTENT_STAMP,
    ("Question", "updated_by"): CONTENT_STAMP,
    ("Drill", "updated_by"): CONTENT_STAMP,
    ("MicroTemplate", "updated_by"): CONTENT_STAMP,
    ("RubricVersion", "created_by"): CONTENT_STAMP,
    ("GoldenScript", "updated_by"): CONTENT_STAMP,
    ("Briefing", "created_by"): "a briefing they published to others: the centre's content, not about them",
    ("Case", "created_by"): "a review case built from the centre's customer records: customers' data, not theirs",
    ("CaseAttachment", "uploaded_by"): "a recording or screenshot of a customer case: customers' data, not theirs",
    ("ReviewSet", "created_by"): "a set of cases they assigned to others: the centre's content, not about them",
}


@dataclass(frozen=True)
class Section:
    """Rows about or by the person: `name` is the key in the JSON and the CSV's file name."""
    name: str
    model: type[pw.Model]
    query: Callable[[User], pw.ModelSelect]
    omit: tuple[str, ...] = ()
    note: str = ""
    covers: tuple[str, ...] = field(default=())  # the (model) FK fields to User this section answers for

    def columns(self) -> list[str]:
        return [f.name for f in self.model._meta.sorted_fields if f.name not in self.omit]


def _direct(model, field_name: str, omit=(), note="") -> Section:
    column = model._meta.fields[field_name]
    name = f"{model._meta.table_name.removeprefix('lms_')}.{field_name}"
    return Section(name, model, lambda user: model.select().where(column == user).order_by(model.id),
                   tuple(omit), note, (field_name,))


def _via(name: str, model, join_query: Callable[[User], pw.ModelSelect], omit=(), note="") -> Section:
    return Section(name, model, join_query, tuple(omit), note)


SECTIONS: list[Section] = [
    Section("user", User, lambda user: User.select().where(User.id == user.id), USER_OMIT,
            "the person; password hash and session counter left out"),
    _direct(UserRole, "user"),
    _direct(RoleScope, "user"),
    _direct(Membership, "user"),
    _direct(TierChange, "user"),
    _direct(TierChange, "changed_by", note="tier changes they made to others"),
    _direct(OneTimeToken, "user", omit=("token_hash",)),
    _direct(AuditLog, "subject", note="audit entries about them"),
    _direct(AuditLog, "actor", note="audit entries of what they did"),
    _direct(Completion, "user"),
    _direct(ContentChange, "user", note="curriculum changes they made"),
    _direct(QuizAttempt, "user"),
    _via("quiz_response.attempt", QuizResponse,
         lambda user: QuizResponse.select().join(QuizAttempt).where(QuizAttempt.user == user).order_by(QuizResponse.id),
         note="their answers in those attempts"),
    _direct(Evidence, "user"),
    _direct(DrillReply, "user"),
    _direct(DrillReply, "graded_by", omit=("text", "checker"), note="replies they graded: the agent's words left out"),
    _direct(KpiImport, "actor", omit=("report",), note="imports they made: the rows' problems (other agents') left out"),
    _direct(KpiDaily, "user"),
    _direct(KpiWeekly, "user"),
    _direct(KpiChange, "user"),
    _direct(ApiToken, "created_by", omit=("token_hash",)),
    _direct(MicroTask, "user"),
    _direct(RotaDay, "user"),
    _direct(TriggeredAssignment, "user"),
    _direct(BriefingAck, "user"),
    _direct(Notification, "user"),
    _via("outbox_message.notification", OutboxMessage,
         lambda user: OutboxMessage.select().join(Notification).where(Notification.user == user)
         .order_by(OutboxMessage.id), note="the same news sent by e-mail or chat"),
    _direct(ReviewAssignment, "user"),
    _via("review_submission.assignment", ReviewSubmission,
         lambda user: ReviewSubmission.select().join(ReviewAssignment).where(ReviewAssignment.user == user)
         .order_by(ReviewSubmission.id), note="their case reviews"),
    _via("review_grade.submission", ReviewGrade,
         lambda user: ReviewGrade.select().join(ReviewSubmission).join(ReviewAssignment)
         .where(ReviewAssignment.user == user).order_by(ReviewGrade.id), note="grades of their case reviews"),
    _via("dispute.grade", Dispute,
         lambda user: Dispute.select().join(ReviewGrade).join(ReviewSubmission).join(ReviewAssignment)
         .where(ReviewAssignment.user == user).order_by(Dispute.id), note="their disputes of those grades"),
    _via("peer_review.submission", PeerReview,
         lambda user: PeerReview.select().join(ReviewSubmission).join(ReviewAssignment)
         .where(ReviewAssignment.user == user).order_by(PeerReview.id), omit=("reviewer",),
         note="peers' reviews of their case reviews; peers stay anonymous"),
    _via("technique.submission", Technique,
         lambda user: Technique.select().join(ReviewSubmission).join(ReviewAssignment)
         .where(ReviewAssignment.user == user).order_by(Technique.id), note="their techniques kept for the library"),
    _direct(ReviewGrade, "grader", note="case reviews they graded"),
    _direct(Dispute, "resolved_by", omit=("comment",), note="disputes they resolved: the agent's words left out"),
    _direct(PeerReview, "reviewer", note="their reviews of peers"),
    _direct(CalibrationRound, "reference"),
    _direct(CalibrationRound, "created_by"),
    _direct(CalibrationScore, "grader"),
    _direct(Technique, "flagged_by"),
    _direct(MentorPairing, "mentor"),
    _direct(MentorPairing, "mentee"),
    _direct(MentorPairing, "created_by"),
    _direct(CoachingSession, "mentor", note="sessions they held as a mentor"),
    _direct(CoachingSession, "mentee", note="sessions they received"),
    _direct(GoldenScript, "author", note="golden scripts credited to them"),
    _direct(GoldenScript, "approver"),
    _direct(ScriptProposal, "proposer"),
    _direct(ScriptProposal, "decided_by", note="proposals they decided"),
    _direct(ManualRating, "user"),
    _direct(ManualRating, "rated_by", note="ratings they gave"),
    _direct(PathRecommendation, "user"),
    _direct(AuthoredItem, "author", note="their drafts"),
    _via("authored_comment.item", AuthoredComment,
         lambda user: AuthoredComment.select().join(AuthoredItem).where(AuthoredItem.author == user)
         .order_by(AuthoredComment.id), note="the review threads of their drafts"),
    _direct(AuthoredItem, "decided_by", omit=("payload",), note="drafts they decided: the author's content left out"),
    _direct(AuthoredComment, "user", note="their comments in draft reviews"),
]


def user_foreign_keys() -> list[tuple[str, str]]:
    """Every (model, field) of ALL_MODELS that points at User."""
    return [(model.__name__, f.name) for model in ALL_MODELS for f in model._meta.sorted_fields
            if isinstance(f, pw.ForeignKeyField) and f.rel_model is User]


def uncovered_keys() -> list[tuple[str, str]]:
    """Foreign keys to User that are neither exported nor excluded with a reason."""
    covered = {(s.model.__name__, name) for s in SECTIONS for name in s.covers}
    return [key for key in user_foreign_keys() if key not in covered and key not in EXCLUDED]


def _table(model_name: str) -> str:
    """A model's table name without the prefix, as sections are named (Track -> track)."""
    model = next(m for m in ALL_MODELS if m.__name__ == model_name)
    return model._meta.table_name.removeprefix("lms_")


def _plain(value):
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    return value


def _rows(section: Section, user: User) -> list[dict]:
    columns = [section.model._meta.fields[name] for name in section.columns()]
    query = section.query(user).select(*columns)
    return [{name: _plain(value) for name, value in row.items()} for row in query.dicts()]


def collect(user: User) -> dict:
    """The whole export of one person as plain data (see FORMAT)."""
    return {
        "format": FORMAT,
        "exported_at": clock.utcnow().isoformat(),
        "person": {"id": user.id, "employee_no": user.employee_no, "name": user.name},
        "sections": {s.name: _rows(s, user) for s in SECTIONS},
        "notes": {s.name: s.note for s in SECTIONS if s.note},
        "excluded": {f"{_table(model)}.{name}": reason for (model, name), reason in EXCLUDED.items()},
    }


def as_json(document: dict) -> bytes:
    return json.dumps(document, ensure_ascii=False, indent=1).encode("utf-8")


def as_zip(document: dict) -> bytes:
    """One CSV per section (UTF-8 with BOM, formula-like cells kept as text), and a README."""
    from .tabular import excel_csv

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for section in SECTIONS:
            columns = section.columns()
            rows = [[_cell(row[c]) for c in columns] for row in document["sections"][section.name]]
            archive.writestr(f"{section.name}.csv", excel_csv(columns, rows))
        archive.writestr("README.txt", _readme(document))
    return buffer.getvalue()


def _cell(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def _readme(document: dict) -> str:
    lines = [f"{FORMAT}", f"person id {document['person']['id']}, exported {document['exported_at']} (UTC)", "",
             "Each CSV holds one section: rows about or by the person. Other people appear only as ids.", ""]
    lines += [f"{name}.csv: {note}" for name, note in document["notes"].items()]
    lines += ["", "Not exported, and why:"] + [f"{key}: {reason}" for key, reason in document["excluded"].items()]
    return "\n".join(lines) + "\n"


def export(user: User, fmt: str, actor: User | None = None) -> bytes:
    """The export in `fmt` (json | zip), recorded in the audit log."""
    from .accounts import audit

    if fmt not in ("json", "zip"):
        raise ValueError(f"unknown export format {fmt!r}; json or zip")
    document = collect(user)
    data = as_json(document) if fmt == "json" else as_zip(document)
    audit("privacy.export", user, actor, format=fmt, rows=sum(len(rows) for rows in document["sections"].values()))
    return data
