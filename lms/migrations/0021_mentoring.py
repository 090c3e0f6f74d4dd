"""Mentor pairings, with their history.

Frozen copies of the models as they were; timestamps get their values from the app.
"""
from peewee import *


def up(migrator, db):
    class User(Model):
        class Meta:
            database = db
            table_name = 'lms_user'

    class MentorPairing(Model):
        mentor = ForeignKeyField(User, on_delete='CASCADE')
        mentee = ForeignKeyField(User, on_delete='CASCADE')
        started_on = DateField()
        ended_on = DateField(null=True)
        created_by = ForeignKeyField(User, null=True, on_delete='SET NULL', backref='+')
        created_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'lms_mentor_pairing'
            indexes = ((('mentee', 'ended_on'), False), (('mentor', 'ended_on'), False))
    db.create_tables([MentorPairing])


def down(migrator, db):
    migrator.migrate(migrator.drop_table('lms_mentor_pairing'))
