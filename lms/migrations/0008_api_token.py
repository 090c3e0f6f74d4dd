"""Revocable API tokens for the contact-center platform.

Frozen copies of the models as they were; timestamps get their values from the app.
"""
from peewee import *


def up(migrator, db):
    class User(Model):
        class Meta:
            database = db
            table_name = 'lms_user'

    class ApiToken(Model):
        name = CharField(max_length=100)
        token_hash = CharField(unique=True, max_length=64)
        scope = CharField(max_length=32)
        created_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        created_at = DateTimeField()
        expires_at = DateTimeField(null=True)
        revoked_at = DateTimeField(null=True)
        last_used_at = DateTimeField(null=True)
        class Meta:
            database = db
            table_name = 'lms_api_token'
    db.create_tables([ApiToken])


def down(migrator, db):
    migrator.migrate(migrator.drop_table('lms_api_token'))
