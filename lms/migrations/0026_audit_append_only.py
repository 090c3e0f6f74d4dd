"""The audit log names people by id and becomes append-only.

Adds `subject_id` (the person an entry is about). Entries written before it about a person
(actions account.* and tier.*, whose target was an employee no.) are rewritten once, here,
before the triggers exist: target "user:<id>", subject set, and a tier change's free-text
reason dropped from the detail (it stays in lms_tier_change, which erasure may blank).
Then triggers make the database refuse every UPDATE and DELETE on lms_audit_log, on SQLite
and on PostgreSQL alike (SQLSTATE 23000 there, so both raise an integrity error).

Frozen copies of the models as they were.
"""
import json

from peewee import *

MESSAGE = 'lms_audit_log is append-only: entries cannot be changed or deleted'
PERSON_ACTIONS = ('account.', 'tier.')


def _is_postgres(db):
    return isinstance(db, PostgresqlDatabase)


def up(migrator, db):
    class User(Model):
        class Meta:
            database = db
            table_name = 'lms_user'

    migrator.migrate(migrator.add_column(
        'lms_audit_log', 'subject_id',
        ForeignKeyField(User, null=True, on_delete='RESTRICT', field=User.id, backref='+')))

    numbers = dict(db.execute_sql('SELECT employee_no, id FROM lms_user').fetchall())
    rows = db.execute_sql(f'SELECT id, action, target, detail FROM lms_audit_log '
                          f'WHERE action LIKE {db.param} OR action LIKE {db.param}',
                          tuple(prefix + '%' for prefix in PERSON_ACTIONS)).fetchall()
    for entry_id, action, target, detail in rows:
        user_id = numbers.get(target)
        if user_id is None or not action.startswith(PERSON_ACTIONS):
            continue
        if action == 'tier.change' and detail:
            values = json.loads(detail)
            values.pop('reason', None)
            detail = json.dumps(values, ensure_ascii=False)
        db.execute_sql(f'UPDATE lms_audit_log SET target = {db.param}, subject_id = {db.param}, '
                       f'detail = {db.param} WHERE id = {db.param}',
                       (f'user:{user_id}', user_id, detail, entry_id))

    if _is_postgres(db):
        db.execute_sql(
            "CREATE FUNCTION lms_audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
            f"BEGIN RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'integrity_constraint_violation'; END $$")
        db.execute_sql('CREATE TRIGGER lms_audit_log_append_only BEFORE UPDATE OR DELETE ON lms_audit_log '
                       'FOR EACH ROW EXECUTE FUNCTION lms_audit_log_append_only()')
    else:
        for event in ('UPDATE', 'DELETE'):
            db.execute_sql(f'CREATE TRIGGER lms_audit_log_no_{event.lower()} BEFORE {event} ON lms_audit_log '
                           f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END")


def down(migrator, db):
    if _is_postgres(db):
        db.execute_sql('DROP TRIGGER IF EXISTS lms_audit_log_append_only ON lms_audit_log')
        db.execute_sql('DROP FUNCTION IF EXISTS lms_audit_log_append_only()')
    else:
        for event in ('update', 'delete'):
            db.execute_sql(f'DROP TRIGGER IF EXISTS lms_audit_log_no_{event}')
    db.execute_sql('UPDATE lms_audit_log SET target = (SELECT employee_no FROM lms_user '
                   'WHERE lms_user.id = lms_audit_log.subject_id) WHERE subject_id IS NOT NULL')
    migrator.migrate(migrator.drop_index('lms_audit_log', 'lms_audit_log_subject_id'),
                     migrator.drop_column('lms_audit_log', 'subject_id'))
