"""Daily practice: micro-task templates, micro-tasks (one per agent per day), rota days, and
the lessons KPI rules assign.

Frozen copies of the models as they were; timestamps get their values from the app.
"""
from peewee import *


def up(migrator, db):
    class User(Model):
        class Meta:
            database = db
            table_name = 'lms_user'

    class MicroTemplate(Model):
        published = BooleanField(default=True)
        file_hash = CharField(max_length=64, default='')
        updated_at = DateTimeField()
        updated_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        slug = CharField(max_length=64, unique=True)
        tier = CharField(max_length=16, index=True)
        skill = CharField(max_length=64)
        kpi = CharField(max_length=16)
        kind = CharField(max_length=16)
        title = CharField(max_length=200)
        minutes = IntegerField(default=5)
        instructions = TextField(default='')
        spec = TextField(default='{}')
        class Meta:
            database = db
            table_name = 'lms_micro_template'

    class MicroTask(Model):
        user = ForeignKeyField(User, on_delete='CASCADE')
        day = DateField(index=True)
        template = ForeignKeyField(MicroTemplate, on_delete='RESTRICT')
        issued_at = DateTimeField()
        late = BooleanField(default=False)
        status = CharField(max_length=8, default='open')
        items = TextField(null=True)
        answer = TextField(default='')
        result = TextField(null=True)
        score = FloatField(null=True)
        completed_at = DateTimeField(null=True)
        class Meta:
            database = db
            table_name = 'lms_micro_task'
            indexes = ((('user', 'day'), True),)

    class RotaDay(Model):
        user = ForeignKeyField(User, on_delete='CASCADE')
        day = DateField(index=True)
        working = BooleanField()
        class Meta:
            database = db
            table_name = 'lms_rota_day'
            indexes = ((('user', 'day'), True),)
    class Activity(Model):
        class Meta:
            database = db
            table_name = 'lms_activity'

    class TriggeredAssignment(Model):
        user = ForeignKeyField(User, on_delete='CASCADE')
        rule = CharField(max_length=64)
        activity = ForeignKeyField(Activity, on_delete='CASCADE')
        assigned_on = DateField()
        due_on = DateField()
        reason = TextField(default='{}')
        completed_on = DateField(null=True)
        class Meta:
            database = db
            table_name = 'lms_triggered_assignment'
            indexes = ((('user', 'rule', 'assigned_on'), True),)
    db.create_tables([MicroTemplate, MicroTask, RotaDay, TriggeredAssignment])


def down(migrator, db):
    for table in ('lms_triggered_assignment', 'lms_micro_task', 'lms_rota_day', 'lms_micro_template'):
        migrator.migrate(migrator.drop_table(table))
