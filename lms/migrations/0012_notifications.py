"""Notifications in the app, and the outbox for e-mail and chat webhook messages.

Frozen copies of the models as they were; timestamps get their values from the app.
"""
from peewee import *


def up(migrator, db):
    class User(Model):
        class Meta:
            database = db
            table_name = 'lms_user'

    class Notification(Model):
        user = ForeignKeyField(User, on_delete='CASCADE')
        kind = CharField(max_length=16)
        title = CharField(max_length=200)
        body = TextField(default='')
        link = CharField(max_length=500, default='')
        dedup_key = CharField(max_length=200, null=True, unique=True)
        created_at = DateTimeField()
        read_at = DateTimeField(null=True)
        class Meta:
            database = db
            table_name = 'lms_notification'
            indexes = ((('user', 'read_at'), False),)
    db.create_tables([Notification])

    class OutboxMessage(Model):
        notification = ForeignKeyField(Notification, null=True, on_delete='CASCADE')
        channel = CharField(max_length=16)
        recipient = CharField(max_length=254)
        subject = CharField(max_length=200)
        body = TextField(default='')
        dedup_key = CharField(max_length=255, unique=True)
        status = CharField(max_length=16, default='pending')
        attempts = IntegerField(default=0)
        created_at = DateTimeField()
        next_attempt_at = DateTimeField()
        claimed_at = DateTimeField(null=True)
        sent_at = DateTimeField(null=True)
        last_error = TextField(default='')
        class Meta:
            database = db
            table_name = 'lms_outbox_message'
            indexes = ((('status', 'next_attempt_at'), False),)
    db.create_tables([OutboxMessage])


def down(migrator, db):
    migrator.migrate(migrator.drop_table('lms_outbox_message'))
    migrator.migrate(migrator.drop_table('lms_notification'))
