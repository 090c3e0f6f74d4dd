"""People and organisation: users, sites, teams, roles, scopes, tiers, sign-in state.

Frozen copies of the models as they were; timestamps get their values from the app.
"""
from peewee import *


def up(migrator, db):
    class User(Model):
        employee_no = CharField(unique=True, max_length=32)
        name = CharField(max_length=100)
        email = CharField(max_length=254, default='')
        hire_date = DateField(null=True)
        locale = CharField(null=True, max_length=10)
        active = BooleanField(default=True)
        password_hash = CharField(null=True)
        must_change_password = BooleanField(default=True)
        session_version = IntegerField(default=1)
        tier = CharField(null=True, max_length=16)
        created_at = DateTimeField()
        deactivated_at = DateTimeField(null=True)
        last_login_at = DateTimeField(null=True)
        class Meta:
            database = db
            table_name = 'lms_user'
    db.create_tables([User])

    class AuditLog(Model):
        at = DateTimeField(index=True)
        actor = ForeignKeyField(User, null=True, on_delete='SET NULL')
        action = CharField(max_length=64)
        target = CharField(default='')
        detail = TextField(default='')
        class Meta:
            database = db
            table_name = 'lms_audit_log'
    db.create_tables([AuditLog])

    class LoginFailure(Model):
        kind = CharField(max_length=8)
        key = CharField(max_length=100)
        at = DateTimeField()
        class Meta:
            database = db
            table_name = 'lms_login_failure'
            indexes = ((('kind', 'key', 'at'), False),)
    db.create_tables([LoginFailure])

    class Site(Model):
        name = CharField(unique=True, max_length=100)
        active = BooleanField(default=True)
        class Meta:
            database = db
            table_name = 'lms_site'
    db.create_tables([Site])

    class Team(Model):
        site = ForeignKeyField(Site, on_delete='RESTRICT')
        name = CharField(max_length=100)
        active = BooleanField(default=True)
        class Meta:
            database = db
            table_name = 'lms_team'
            indexes = ((('site', 'name'), True),)
    db.create_tables([Team])

    class Membership(Model):
        user = ForeignKeyField(User, on_delete='CASCADE')
        team = ForeignKeyField(Team, on_delete='RESTRICT')
        started_on = DateField()
        ended_on = DateField(null=True)
        class Meta:
            database = db
            table_name = 'lms_membership'
            indexes = ((('user', 'ended_on'), False), (('team', 'ended_on'), False))
    db.create_tables([Membership])

    class OneTimeToken(Model):
        user = ForeignKeyField(User, on_delete='CASCADE')
        purpose = CharField(max_length=16)
        token_hash = CharField(unique=True, max_length=64)
        created_at = DateTimeField()
        expires_at = DateTimeField()
        used_at = DateTimeField(null=True)
        class Meta:
            database = db
            table_name = 'lms_one_time_token'
    db.create_tables([OneTimeToken])

    class RoleScope(Model):
        user = ForeignKeyField(User, on_delete='CASCADE')
        role = CharField(max_length=16)
        site = ForeignKeyField(Site, on_delete='RESTRICT')
        team = ForeignKeyField(Team, null=True, on_delete='RESTRICT')
        class Meta:
            database = db
            table_name = 'lms_role_scope'
            indexes = ((('user', 'role', 'site', 'team'), True),)
    db.create_tables([RoleScope])

    class TierChange(Model):
        user = ForeignKeyField(User, on_delete='CASCADE')
        tier = CharField(max_length=16)
        effective_on = DateField()
        reason = CharField(default='')
        changed_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        created_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'lms_tier_change'
    db.create_tables([TierChange])

    class UserRole(Model):
        user = ForeignKeyField(User, on_delete='CASCADE')
        role = CharField(max_length=16)
        class Meta:
            database = db
            table_name = 'lms_user_role'
            indexes = ((('user', 'role'), True),)
    db.create_tables([UserRole])


def down(migrator, db):
    migrator.migrate(migrator.drop_table('lms_user_role'))
    migrator.migrate(migrator.drop_table('lms_tier_change'))
    migrator.migrate(migrator.drop_table('lms_role_scope'))
    migrator.migrate(migrator.drop_table('lms_one_time_token'))
    migrator.migrate(migrator.drop_table('lms_membership'))
    migrator.migrate(migrator.drop_table('lms_team'))
    migrator.migrate(migrator.drop_table('lms_site'))
    migrator.migrate(migrator.drop_table('lms_login_failure'))
    migrator.migrate(migrator.drop_table('lms_audit_log'))
    migrator.migrate(migrator.drop_table('lms_user'))
