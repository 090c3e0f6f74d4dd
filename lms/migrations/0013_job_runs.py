"""Scheduled job runs: one row per (job, day), the database's guarantee of one run each.

Frozen copies of the models as they were; timestamps get their values from the app.
"""
from peewee import *


def up(migrator, db):
    class JobRun(Model):
        job = CharField(max_length=64)
        day = DateField()
        status = CharField(max_length=16, default='running')
        started_at = DateTimeField()
        finished_at = DateTimeField(null=True)
        runner = CharField(max_length=255)
        result = TextField(null=True)
        error = TextField(null=True)
        class Meta:
            database = db
            table_name = 'lms_job_run'
            indexes = ((('job', 'day'), True),)
    db.create_tables([JobRun])


def down(migrator, db):
    migrator.migrate(migrator.drop_table('lms_job_run'))
