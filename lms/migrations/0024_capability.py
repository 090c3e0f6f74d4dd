"""Manual skill ratings and the learning-path recommendations that currently apply.

Frozen copies of the models as they were; timestamps get their values from the app.
"""
from peewee import *


def up(migrator, db):
    class User(Model):
        class Meta:
            database = db
            table_name = 'lms_user'

    class ManualRating(Model):
        user = ForeignKeyField(User, on_delete='CASCADE')
        skill = CharField(max_length=64)
        score = FloatField()
        note = TextField()
        rated_by = ForeignKeyField(User, null=True, on_delete='SET NULL', backref='+')
        rated_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'lms_manual_rating'
            indexes = ((('user', 'skill'), False),)

    class PathRecommendation(Model):
        user = ForeignKeyField(User, on_delete='CASCADE', backref='+')
        rule = CharField(max_length=64)
        since = DateTimeField()
        class Meta:
            database = db
            table_name = 'lms_path_recommendation'
            indexes = ((('user', 'rule'), True),)
    db.create_tables([ManualRating, PathRecommendation])


def down(migrator, db):
    migrator.migrate(migrator.drop_table('lms_path_recommendation'))
    migrator.migrate(migrator.drop_table('lms_manual_rating'))
