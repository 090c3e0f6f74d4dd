"""Curriculum: tracks, modules, prerequisites, activities, completions, content changes.

Frozen copies of the models as they were; timestamps get their values from the app.
"""
from peewee import *


def up(migrator, db):
    class User(Model):
        class Meta:
            database = db
            table_name = 'lms_user'

    class Track(Model):
        slug = CharField(unique=True, max_length=64)
        title = CharField(max_length=200)
        tier = CharField(unique=True, max_length=16)
        summary = TextField(default='')
        weeks = IntegerField(null=True)
        pass_required = TextField(default='"all"')
        published = BooleanField(default=True)
        file_hash = CharField(max_length=64, default='')
        updated_at = DateTimeField()
        updated_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        class Meta:
            database = db
            table_name = 'lms_track'
    db.create_tables([Track])

    class Module(Model):
        track = ForeignKeyField(Track, on_delete='CASCADE')
        slug = CharField(unique=True, max_length=64)
        title = CharField(max_length=200)
        summary = TextField(default='')
        position = IntegerField()
        week = IntegerField(null=True)
        published = BooleanField(default=True)
        file_hash = CharField(max_length=64, default='')
        updated_at = DateTimeField()
        updated_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        class Meta:
            database = db
            table_name = 'lms_module'
    db.create_tables([Module])

    class Activity(Model):
        module = ForeignKeyField(Module, on_delete='CASCADE')
        slug = CharField(unique=True, max_length=64)
        kind = CharField(max_length=16)
        title = CharField(max_length=200)
        position = IntegerField()
        body = TextField(default='')
        ref = CharField(max_length=64, default='')
        minutes = IntegerField(default=5)
        required = BooleanField(default=True)
        published = BooleanField(default=True)
        file_hash = CharField(max_length=64, default='')
        updated_at = DateTimeField()
        updated_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        class Meta:
            database = db
            table_name = 'lms_activity'
    db.create_tables([Activity])

    class Completion(Model):
        user = ForeignKeyField(User, on_delete='CASCADE')
        activity = ForeignKeyField(Activity, on_delete='CASCADE')
        completed_at = DateTimeField()
        score = FloatField(null=True)
        passed = BooleanField(default=True)
        class Meta:
            database = db
            table_name = 'lms_completion'
            indexes = ((('user', 'activity'), True),)
    db.create_tables([Completion])

    class ContentChange(Model):
        at = DateTimeField(index=True)
        user = ForeignKeyField(User, null=True, on_delete='SET NULL')
        kind = CharField(max_length=16)
        slug = CharField(max_length=64)
        action = CharField(max_length=32)
        detail = TextField(default='')
        class Meta:
            database = db
            table_name = 'lms_content_change'
    db.create_tables([ContentChange])

    class ModulePrerequisite(Model):
        module = ForeignKeyField(Module, on_delete='CASCADE')
        requires = ForeignKeyField(Module, on_delete='CASCADE')
        class Meta:
            database = db
            table_name = 'lms_module_prerequisite'
            indexes = ((('module', 'requires'), True),)
    db.create_tables([ModulePrerequisite])


def down(migrator, db):
    migrator.migrate(migrator.drop_table('lms_module_prerequisite'))
    migrator.migrate(migrator.drop_table('lms_content_change'))
    migrator.migrate(migrator.drop_table('lms_completion'))
    migrator.migrate(migrator.drop_table('lms_activity'))
    migrator.migrate(migrator.drop_table('lms_module'))
    migrator.migrate(migrator.drop_table('lms_track'))
