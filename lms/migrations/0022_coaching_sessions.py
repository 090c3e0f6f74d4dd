"""Coaching sessions a mentor logs for a mentee.

Frozen copies of the models as they were; timestamps get their values from the app.
"""
from peewee import *


def up(migrator, db):
    class User(Model):
        class Meta:
            database = db
            table_name = 'lms_user'

    class CoachingSession(Model):
        mentor = ForeignKeyField(User, on_delete='CASCADE', backref='+')
        mentee = ForeignKeyField(User, on_delete='CASCADE')
        held_on = DateField()
        topic = CharField(max_length=200)
        skill = CharField(max_length=64, default='')
        notes = TextField(default='')
        action = TextField(default='')
        follow_up_on = DateField(null=True)
        acknowledged_at = DateTimeField(null=True)
        created_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'lms_coaching_session'
    db.create_tables([CoachingSession])


def down(migrator, db):
    migrator.migrate(migrator.drop_table('lms_coaching_session'))
