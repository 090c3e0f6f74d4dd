"""Grader calibration rounds and the graders' blind scores.

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

    class CalibrationRound(Model):
        submission = ForeignKeyField(ReviewSubmission, on_delete='CASCADE')
        reference = ForeignKeyField(User, on_delete='CASCADE')
        created_by = ForeignKeyField(User, null=True, on_delete='SET NULL', backref='+')
        created_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'lms_calibration_round'

    class CalibrationScore(Model):
        round = ForeignKeyField(CalibrationRound, on_delete='CASCADE')
        grader = ForeignKeyField(User, on_delete='CASCADE')
        levels = TextField(null=True)
        score = FloatField(null=True)
        scored_at = DateTimeField(null=True)
        class Meta:
            database = db
            table_name = 'lms_calibration_score'
            indexes = ((('round', 'grader'), True),)
    db.create_tables([CalibrationRound, CalibrationScore])


def down(migrator, db):
    for table in ('lms_calibration_score', 'lms_calibration_round'):
        migrator.migrate(migrator.drop_table(table))
