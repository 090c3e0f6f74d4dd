"""Cases built from communication records and escalation tickets, masked.

Frozen copies of the models as they were; timestamps get their values from the app.
"""
from peewee import *


def up(migrator, db):
    class User(Model):
        class Meta:
            database = db
            table_name = 'lms_user'

    class Team(Model):
        class Meta:
            database = db
            table_name = 'lms_team'

    class Case(Model):
        title = CharField(max_length=200)
        kind = CharField(max_length=16)
        team = ForeignKeyField(Team, null=True, on_delete='SET NULL')
        occurred_on = DateField(null=True)
        channel = CharField(max_length=32, default='')
        issue_type = CharField(max_length=100, default='')
        record = TextField(default='{}')
        ticket = TextField(default='{}')
        summary = TextField(default='')
        emotion = TextField(default='[]')
        original = TextField(null=True)
        original_until = DateField(null=True)
        created_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        created_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'lms_case'
    db.create_tables([Case])


def down(migrator, db):
    migrator.migrate(migrator.drop_table('lms_case'))
