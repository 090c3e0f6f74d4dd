"""Case attachments (files outside the database) and flagged techniques.

Frozen copies of the models as they were; timestamps get their values from the app.
"""
from peewee import *


def up(migrator, db):
    class User(Model):
        class Meta:
            database = db
            table_name = 'lms_user'

    class Case(Model):
        class Meta:
            database = db
            table_name = 'lms_case'

    class ReviewSubmission(Model):
        class Meta:
            database = db
            table_name = 'lms_review_submission'

    class CaseAttachment(Model):
        case = ForeignKeyField(Case, on_delete='CASCADE')
        filename = CharField(max_length=200)
        stored_name = CharField(max_length=80, unique=True)
        content_type = CharField(max_length=64)
        size = IntegerField()
        uploaded_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        uploaded_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'lms_case_attachment'

    class Technique(Model):
        submission = ForeignKeyField(ReviewSubmission, unique=True, on_delete='CASCADE')
        text = TextField()
        flagged_by = ForeignKeyField(User, null=True, on_delete='SET NULL', backref='+')
        flagged_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'lms_technique'
    db.create_tables([CaseAttachment, Technique])


def down(migrator, db):
    for table in ('lms_technique', 'lms_case_attachment'):
        migrator.migrate(migrator.drop_table(table))
