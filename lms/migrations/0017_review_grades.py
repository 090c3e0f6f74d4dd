"""Grades of case-review submissions and disputes of a criterion's level.

Frozen copies of the models as they were; timestamps get their values from the app.
"""
from peewee import *


def up(migrator, db):
    class User(Model):
        class Meta:
            database = db
            table_name = 'lms_user'

    class ReviewSubmission(Model):
        class Meta:
            database = db
            table_name = 'lms_review_submission'

    class RubricVersion(Model):
        class Meta:
            database = db
            table_name = 'lms_rubric_version'

    class ReviewGrade(Model):
        submission = ForeignKeyField(ReviewSubmission, unique=True, on_delete='CASCADE')
        grader = ForeignKeyField(User, null=True, on_delete='SET NULL')
        rubric_version = ForeignKeyField(RubricVersion, on_delete='RESTRICT')
        levels = TextField()
        score = FloatField()
        comment = TextField(default='')
        graded_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'lms_review_grade'

    class Dispute(Model):
        grade = ForeignKeyField(ReviewGrade, on_delete='CASCADE')
        criterion = CharField(max_length=64)
        comment = TextField()
        opened_at = DateTimeField()
        outcome = CharField(max_length=16, null=True)
        old_level = IntegerField(null=True)
        new_level = IntegerField(null=True)
        resolution = TextField(default='')
        resolved_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        resolved_at = DateTimeField(null=True)
        class Meta:
            database = db
            table_name = 'lms_dispute'
            indexes = ((('grade', 'criterion'), True),)
    db.create_tables([ReviewGrade, Dispute])


def down(migrator, db):
    for table in ('lms_dispute', 'lms_review_grade'):
        migrator.migrate(migrator.drop_table(table))
