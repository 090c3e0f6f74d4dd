"""Service KPIs: daily raw components per agent, imports, and what each import replaced.

Frozen copies of the models as they were; timestamps get their values from the app.
"""
from peewee import *


def up(migrator, db):
    class User(Model):
        class Meta:
            database = db
            table_name = 'lms_user'

    class KpiImport(Model):
        at = DateTimeField(index=True)
        actor = ForeignKeyField(User, null=True, on_delete='SET NULL')
        source = CharField(max_length=16)
        filename = CharField(default='')
        file_hash = CharField(max_length=64, default='')
        added = IntegerField(default=0)
        updated = IntegerField(default=0)
        unchanged = IntegerField(default=0)
        rejected = IntegerField(default=0)
        undone_at = DateTimeField(null=True)
        class Meta:
            database = db
            table_name = 'lms_kpi_import'
    db.create_tables([KpiImport])

    class KpiChange(Model):
        kpi_import = ForeignKeyField(KpiImport, on_delete='CASCADE')
        user = ForeignKeyField(User, on_delete='CASCADE')
        day = DateField()
        previous = TextField(null=True)
        class Meta:
            database = db
            table_name = 'lms_kpi_change'
    db.create_tables([KpiChange])

    class KpiDaily(Model):
        user = ForeignKeyField(User, on_delete='CASCADE')
        day = DateField()
        contacts = IntegerField()
        resolved_first_contact = IntegerField()
        handle_seconds = BigIntegerField()
        csat_responses = IntegerField()
        csat_positive = IntegerField()
        repeat_contacts_7d = IntegerField(null=True)
        transfers = IntegerField(null=True)
        complaints = IntegerField(null=True)
        last_import = ForeignKeyField(KpiImport, null=True, on_delete='SET NULL')
        class Meta:
            database = db
            table_name = 'lms_kpi_daily'
            indexes = ((('user', 'day'), True),)
    db.create_tables([KpiDaily])


def down(migrator, db):
    migrator.migrate(migrator.drop_table('lms_kpi_daily'))
    migrator.migrate(migrator.drop_table('lms_kpi_change'))
    migrator.migrate(migrator.drop_table('lms_kpi_import'))
