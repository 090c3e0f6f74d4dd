"""Mentor incubation: authored drills, questions and cases under review, and their threads.

Frozen copies of the models as they were; timestamps get their values from the app.
"""
from peewee import *


def up(migrator, db):
    def stub(table):
        class Stub(Model):
            class Meta:
                database = db
                table_name = table
        return Stub

    User, Drill, Question, Case = (stub(t) for t in ('lms_user', 'lms_drill', 'lms_question', 'lms_case'))

    class AuthoredItem(Model):
        author = ForeignKeyField(User, on_delete='CASCADE')
        kind = CharField(max_length=16)
        title = CharField(max_length=200)
        payload = TextField(default='{}')
        status = CharField(max_length=20, default='draft', index=True)
        rounds = IntegerField(default=0)
        created_at = DateTimeField()
        updated_at = DateTimeField()
        submitted_at = DateTimeField(null=True)
        decided_by = ForeignKeyField(User, null=True, on_delete='SET NULL', backref='+')
        decided_at = DateTimeField(null=True)
        drill = ForeignKeyField(Drill, null=True, unique=True, on_delete='SET NULL', backref='+')
        question = ForeignKeyField(Question, null=True, unique=True, on_delete='SET NULL', backref='+')
        case = ForeignKeyField(Case, null=True, unique=True, on_delete='SET NULL', backref='+')
        class Meta:
            database = db
            table_name = 'lms_authored_item'
            indexes = ((('author', 'status'), False),)

    class AuthoredComment(Model):
        item = ForeignKeyField(AuthoredItem, on_delete='CASCADE')
        user = ForeignKeyField(User, null=True, on_delete='SET NULL', backref='+')
        action = CharField(max_length=20, default='comment')
        body = TextField(default='')
        created_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'lms_authored_comment'
    db.create_tables([AuthoredItem, AuthoredComment])


def down(migrator, db):
    for table in ('lms_authored_comment', 'lms_authored_item'):
        migrator.migrate(migrator.drop_table(table))
