"""Cached training-impact estimates.

Frozen copies of the models as they were; timestamps get their values from the app.
"""
from peewee import *


def up(migrator, db):
    class ImpactCache(Model):
        key = CharField(max_length=64, unique=True)
        stamp = CharField(max_length=128)
        computed_at = DateTimeField()
        result = TextField()
        class Meta:
            database = db
            table_name = 'lms_impact_cache'
    db.create_tables([ImpactCache])


def down(migrator, db):
    migrator.migrate(migrator.drop_table('lms_impact_cache'))
