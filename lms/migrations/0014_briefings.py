"""Briefings and their acknowledgements.

Frozen copies of the models as they were; timestamps get their values from the app.
"""
from peewee import *


def up(migrator, db):
    class User(Model):
        class Meta:
            database = db
            table_name = 'lms_user'

    class Briefing(Model):
        title = CharField(max_length=200)
        body = TextField()
        tiers = TextField(default='[]')
        team_ids = TextField(null=True)
        deadline = DateField()
        questions = TextField(default='[]')
        created_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        created_at = DateTimeField(index=True)
        class Meta:
            database = db
            table_name = 'lms_briefing'

    class BriefingAck(Model):
        briefing = ForeignKeyField(Briefing, on_delete='CASCADE')
        user = ForeignKeyField(User, on_delete='CASCADE')
        acknowledged_at = DateTimeField()
        answers = TextField(default='[]')
        correct = IntegerField(default=0)
        class Meta:
            database = db
            table_name = 'lms_briefing_ack'
            indexes = ((('briefing', 'user'), True),)
    db.create_tables([Briefing, BriefingAck])


def down(migrator, db):
    for table in ('lms_briefing_ack', 'lms_briefing'):
        migrator.migrate(migrator.drop_table(table))
