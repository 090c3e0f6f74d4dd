"""Exporting everything about one person: every foreign key to User is covered, nothing of
anyone else's (words, secrets) leaks, JSON and a ZIP of Excel-ready CSVs."""
import csv
import io
import json
import zipfile

import peewee as pw
import pytest

from lms.db import BaseModel
from lms.models import AuditLog, User
from lms.services import privacy_export

from .. import privacy_world as pw_world


def test_every_foreign_key_to_a_user_is_exported_or_excluded_with_a_reason():
    assert privacy_export.uncovered_keys() == []
    assert all(reason.strip() for reason in privacy_export.EXCLUDED.values())
    keys = set(privacy_export.user_foreign_keys())
    assert set(privacy_export.EXCLUDED) <= keys, "an exclusion names a key that does not exist"
    assert ("AuditLog", "subject") in keys and ("CoachingSession", "mentee") in keys


def test_a_new_model_with_a_user_key_is_caught(monkeypatch):
    class Souvenir(BaseModel):  # a table added later, forgotten by the export
        owner = pw.ForeignKeyField(User, backref="+")

        class Meta:
            table_name = "lms_souvenir_for_test"

    monkeypatch.setattr(privacy_export, "ALL_MODELS", [*privacy_export.ALL_MODELS, Souvenir])
    assert privacy_export.uncovered_keys() == [("Souvenir", "owner")]


@pytest.fixture
def world(conn):
    return pw_world.build()


def test_json_export_holds_every_kind_of_record(world):
    document = privacy_export.collect(world["agent"])
    sections = document["sections"]
    assert set(sections) == {s.name for s in privacy_export.SECTIONS}
    assert document["person"] == {"id": world["agent"].id, "employee_no": "P100", "name": "张小明"}
    for name in ("user", "user_role.user", "membership.user", "tier_change.user", "one_time_token.user",
                 "audit_log.subject", "completion.user", "quiz_attempt.user", "quiz_response.attempt",
                 "evidence.user", "drill_reply.user", "drill_reply.graded_by", "kpi_import.actor", "kpi_daily.user",
                 "kpi_weekly.user", "kpi_change.user", "api_token.created_by", "micro_task.user", "rota_day.user",
                 "triggered_assignment.user", "briefing_ack.user", "notification.user", "outbox_message.notification",
                 "review_assignment.user", "review_submission.assignment", "review_grade.submission",
                 "dispute.grade", "peer_review.submission", "peer_review.reviewer", "technique.submission",
                 "mentor_pairing.mentee", "coaching_session.mentee", "golden_script.author",
                 "script_proposal.proposer", "manual_rating.user", "path_recommendation.user",
                 "authored_item.author", "authored_comment.item"):
        assert sections[name], f"{name} is empty"
    assert sections["kpi_daily.user"][0]["contacts"] == 40 and sections["kpi_daily.user"][0]["day"] == "2025-03-03"
    assert len(sections["kpi_daily.user"]) == 2
    assert sections["tier_change.user"][-1]["reason"] == "张小明表现突出"
    assert {row["action"] for row in sections["audit_log.subject"]} >= {"account.create", "tier.change",
                                                                         "account.reset_link"}
    assert sections["mentor_pairing.mentor"] == [] and sections["coaching_session.mentor"] == []
    # JSON columns come as stored; the document itself is valid JSON in UTF-8.
    assert json.loads(privacy_export.as_json(document).decode("utf-8"))["sections"]["user"][0]["email"] == pw_world.EMAIL
    assert "track.updated_by" in document["excluded"] and "case.created_by" in document["excluded"]
    assert len(document["excluded"]) == len(privacy_export.EXCLUDED)


def test_nothing_secret_and_nothing_of_anyone_else(world):
    document = privacy_export.collect(world["agent"])
    sections, text = document["sections"], json.dumps(document, ensure_ascii=False)
    assert "password_hash" not in sections["user"][0] and "session_version" not in sections["user"][0]
    assert "token_hash" not in sections["one_time_token.user"][0]
    assert "token_hash" not in sections["api_token.created_by"][0]
    assert "h" * 64 not in text
    # A peer who reviewed their case review stays anonymous.
    assert "reviewer" not in sections["peer_review.submission"][0]
    # The other agent's reply they graded: the grade, not the other agent's words.
    graded = sections["drill_reply.graded_by"][0]
    assert "text" not in graded and graded["comment"] == "不错" and graded["user"] == world["peer"].id
    assert "report" not in sections["kpi_import.actor"][0] and "P999" not in text
    # Other people appear only as ids.
    for other in ("王同事", "李导师", "赵培训", "孙管理", "外组员工", "P300", "P200"):
        assert other not in text, other


def test_zip_has_one_excel_ready_csv_per_section(world):
    User.update(email="=HYPERLINK(\"http://evil\")").where(User.id == world["agent"].id).execute()
    data = privacy_export.as_zip(privacy_export.collect(User.get_by_id(world["agent"].id)))
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = set(archive.namelist())
        assert names == {f"{s.name}.csv" for s in privacy_export.SECTIONS} | {"README.txt"}
        raw = archive.read("drill_reply.user.csv")
        assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw
        rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
        assert rows[0]["text"] == "我是张小明，这个不行" and rows[0]["score"] == "0.6"
        user_rows = list(csv.reader(io.StringIO(archive.read("user.csv").decode("utf-8-sig"))))
        assert "password_hash" not in user_rows[0] and user_rows[1][user_rows[0].index("name")] == "张小明"
        # A formula-like cell stays text in Excel.
        assert user_rows[1][user_rows[0].index("email")] == "'=HYPERLINK(\"http://evil\")"
        readme = archive.read("README.txt").decode("utf-8")
        assert "track.updated_by" in readme and "peers stay anonymous" in readme


def test_every_export_is_audited(world):
    before = AuditLog.select().count()
    privacy_export.export(world["agent"], "zip", actor=world["admin"])
    entry = AuditLog.select().order_by(AuditLog.id.desc()).get()
    assert AuditLog.select().count() == before + 1
    assert (entry.action, entry.subject_id, entry.actor_id, entry.target) == (
        "privacy.export", world["agent"].id, world["admin"].id, f"user:{world['agent'].id}")
    assert json.loads(entry.detail)["format"] == "zip"
    with pytest.raises(ValueError):
        privacy_export.export(world["agent"], "xml")
