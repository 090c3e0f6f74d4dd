"""The audit log is append-only in the database itself (migration 0026's triggers), on SQLite
and on PostgreSQL; and the migration rewrote older entries to name people by id."""
import json

import peewee
import pytest

from lms import create_app, db
from lms.migrations import runner
from lms.models import AuditLog
from lms.services import accounts

from .factories import make_user


@pytest.fixture
def entry(conn):
    person = make_user(("agent",), None, "AU1", name="审计对象")
    accounts.audit("account.update", person, None, roles=["agent"])
    return AuditLog.select().order_by(AuditLog.id.desc()).get()


def _refused(sql: str, params=()):
    with pytest.raises(peewee.IntegrityError, match="append-only"):
        with db.database.atomic():
            db.database.execute_sql(sql.replace("?", db.database.param), params)


def test_the_database_refuses_to_change_an_entry(entry):
    _refused("UPDATE lms_audit_log SET action = ? WHERE id = ?", ("nothing.happened", entry.id))
    _refused("UPDATE lms_audit_log SET detail = ''")
    with pytest.raises(peewee.IntegrityError):
        with db.database.atomic():
            AuditLog.update(target="someone else").where(AuditLog.id == entry.id).execute()
    with pytest.raises(peewee.IntegrityError):
        with db.database.atomic():
            entry.detail = "{}"
            entry.save()
    assert AuditLog.get_by_id(entry.id).action == "account.update"
    count = AuditLog.select().count()  # adding entries still works
    accounts.audit("org.site_create", "北京中心", None)
    assert AuditLog.select().count() == count + 1
    assert AuditLog.get(AuditLog.action == "org.site_create").subject is None


def test_the_database_refuses_to_delete_an_entry(entry):
    _refused("DELETE FROM lms_audit_log WHERE id = ?", (entry.id,))
    _refused("DELETE FROM lms_audit_log")
    with pytest.raises(peewee.IntegrityError):
        with db.database.atomic():
            entry.delete_instance()
    assert AuditLog.select().where(AuditLog.id == entry.id).count() == 1
    # Nor the person an entry is about: people are anonymised, never deleted.
    with pytest.raises(peewee.IntegrityError):
        with db.database.atomic():
            entry.subject.delete_instance()


def test_an_employee_no_given_as_target_is_stored_as_the_persons_id(conn):
    person = make_user(("agent",), None, "AU2")
    accounts.audit("account.password_changed", "AU2", person)
    accounts.audit("roster.import", "AU2", None)  # not an action about a person: kept as given
    about, other = AuditLog.select().order_by(AuditLog.id.desc()).limit(2)
    assert (other.target, other.subject_id) == (f"user:{person.id}", person.id)
    assert (about.target, about.subject_id) == ("AU2", None)


def test_migration_0026_rewrites_old_entries_then_locks_the_table(tmp_path):
    # Always on a throwaway SQLite file: the data step is plain SQL, the same on both databases.
    app = create_app(database_url=f"sqlite:///{tmp_path}/old.db", TESTING=True)
    with app.app_context(), db.database.connection_context():
        migrations = runner()
        migrations.up("0025_incubation")
        database = db.database
        database.execute_sql("INSERT INTO lms_user (employee_no, name, email, active, must_change_password, "
                             "session_version, created_at) VALUES ('OLD7', '老员工', '', 1, 1, 1, '2025-01-01')")
        user_id = database.execute_sql("SELECT id FROM lms_user").fetchone()[0]
        rows = [("account.create", "OLD7", '{"roles": ["agent"]}'),
                ("tier.change", "OLD7", json.dumps({"old": None, "new": "advanced", "reason": "老员工很棒"},
                                                   ensure_ascii=False)),
                ("roster.import", "OLD7", ""), ("account.create", "GONE", "")]
        for action, target, detail in rows:
            database.execute_sql("INSERT INTO lms_audit_log (at, action, target, detail) VALUES "
                                 "('2025-01-02', ?, ?, ?)", (action, target, detail))
        migrations.up()
        found = database.execute_sql("SELECT action, target, subject_id, detail FROM lms_audit_log ORDER BY id").fetchall()
        assert found[0][:3] == ("account.create", f"user:{user_id}", user_id)
        assert found[1][:3] == ("tier.change", f"user:{user_id}", user_id)
        assert json.loads(found[1][3]) == {"old": None, "new": "advanced"}
        assert found[2][:3] == ("roster.import", "OLD7", None) and found[3][:3] == ("account.create", "GONE", None)
        with pytest.raises(peewee.IntegrityError):
            database.execute_sql("DELETE FROM lms_audit_log")
        migrations.down("0026_audit_append_only")  # the triggers go with it; targets come back
        database.execute_sql("UPDATE lms_audit_log SET detail = detail")
        assert database.execute_sql("SELECT target FROM lms_audit_log ORDER BY id").fetchall()[:2] == [("OLD7",), ("OLD7",)]
