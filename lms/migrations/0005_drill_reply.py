"""Scenario-drill replies with the checker's reading and the rubric grade.

Frozen copies of the models as they were; timestamps get their values from the app.
"""
from peewee import *


def up(migrator, db):
    class Drill(Model):
        class Meta:
            database = db
            table_name = 'lms_drill'

    class RubricVersion(Model):
        class Meta:
            database = db
            table_name = 'lms_rubric_version'

    class User(Model):
        class Meta:
            database = db
            table_name = 'lms_user'

    class DrillReply(Model):
        user = ForeignKeyField(User, on_delete='CASCADE')
        drill = ForeignKeyField(Drill, on_delete='CASCADE')
        text = TextField()
        submitted_at = DateTimeField(index=True)
        checker = TextField(default='{}')
        checker_score = IntegerField(null=True)
        rubric_version = ForeignKeyField(RubricVersion, null=True, on_delete='RESTRICT')
        levels = TextField(null=True)
        score = FloatField(null=True)
        raw_score = FloatField(null=True)
        comment = TextField(default='')
        graded_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        graded_at = DateTimeField(null=True)
        class Meta:
            database = db
            table_name = 'lms_drill_reply'
    db.create_tables([DrillReply])


def down(migrator, db):
    migrator.migrate(migrator.drop_table('lms_drill_reply'))
