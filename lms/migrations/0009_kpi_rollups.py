"""KPI imports stream: imports carry a status and progress; each agent-day knows its week and
agents' weeks are kept summed (lms_kpi_weekly); a change row keeps the replaced components in
columns, so undo works set-based. Existing rows are converted.

Frozen copies of the models as they were; timestamps get their values from the app.
"""
import datetime as dt
import json
from collections import defaultdict

from peewee import *

COMPONENTS = ("contacts", "resolved_first_contact", "handle_seconds", "csat_responses", "csat_positive",
              "repeat_contacts_7d", "transfers", "complaints")


def _monday(day):
    if isinstance(day, str):
        day = dt.date.fromisoformat(day[:10])
    return day - dt.timedelta(days=day.weekday())


def up(migrator, db):
    class User(Model):
        class Meta:
            database = db
            table_name = 'lms_user'

    class KpiWeekly(Model):
        user = ForeignKeyField(User, on_delete='CASCADE')
        week = DateField(index=True)
        days = IntegerField()
        contacts = IntegerField()
        resolved_first_contact = IntegerField()
        handle_seconds = BigIntegerField()
        csat_responses = IntegerField()
        csat_positive = IntegerField()
        repeat_contacts_7d = IntegerField(null=True)
        repeat_base = IntegerField(default=0)
        transfers = IntegerField(null=True)
        complaints = IntegerField(null=True)
        class Meta:
            database = db
            table_name = 'lms_kpi_weekly'
            indexes = ((('user', 'week'), True),)
    db.create_tables([KpiWeekly])

    migrator.migrate(
        migrator.add_column('lms_kpi_import', 'status', CharField(max_length=16, default='done')),
        migrator.add_column('lms_kpi_import', 'mapping', CharField(max_length=32, default='')),
        migrator.add_column('lms_kpi_import', 'progress', FloatField(default=0.0)),
        migrator.add_column('lms_kpi_import', 'heartbeat_at', DateTimeField(null=True)),
        migrator.add_column('lms_kpi_import', 'finished_at', DateTimeField(null=True)),
        migrator.add_column('lms_kpi_import', 'problems_total', IntegerField(default=0)),
        migrator.add_column('lms_kpi_import', 'report', TextField(null=True)),
        migrator.add_column('lms_kpi_daily', 'week', DateField(null=True)),
        migrator.add_column('lms_kpi_change', 'week', DateField(null=True)),
        migrator.add_column('lms_kpi_change', 'was_new', BooleanField(default=False)),
        *[migrator.add_column('lms_kpi_change', f'prev_{name}',
                              (BigIntegerField if name == 'handle_seconds' else IntegerField)(null=True))
          for name in COMPONENTS],
    )
    days = [row[0] for row in db.execute_sql('SELECT DISTINCT day FROM lms_kpi_daily')]
    for day in days:
        db.execute_sql('UPDATE lms_kpi_daily SET week = %s WHERE day = %s'.replace('%s', db.param),
                       (_monday(day), day))
    changes = db.execute_sql('SELECT id, day, previous FROM lms_kpi_change').fetchall()
    for change_id, day, previous in changes:
        values = json.loads(previous) if previous else {}
        columns = ', '.join(f'prev_{name} = {db.param}' for name in COMPONENTS)
        db.execute_sql(f'UPDATE lms_kpi_change SET week = {db.param}, was_new = {db.param}, {columns} '
                       f'WHERE id = {db.param}',
                       (_monday(day), previous is None, *[values.get(name) for name in COMPONENTS], change_id))
    sums = defaultdict(lambda: defaultdict(int))
    optional_seen = defaultdict(set)
    cursor = db.execute_sql(f'SELECT user_id, week, {", ".join(COMPONENTS)} FROM lms_kpi_daily')
    for user_id, week, *values in cursor.fetchall():
        row = dict(zip(COMPONENTS, values))
        total = sums[(user_id, week)]
        total['days'] += 1
        for name, value in row.items():
            if value is not None:
                total[name] += value
                optional_seen[(user_id, week)].add(name)
        if row['repeat_contacts_7d'] is not None:
            total['repeat_base'] += row['contacts']
    for (user_id, week), total in sums.items():
        seen = optional_seen[(user_id, week)]
        KpiWeekly.insert(user=user_id, week=week, days=total['days'], repeat_base=total['repeat_base'],
                         **{name: total[name] if name in seen else None for name in COMPONENTS}).execute()
    migrator.migrate(
        migrator.add_not_null('lms_kpi_daily', 'week'),
        migrator.add_not_null('lms_kpi_change', 'week'),
        migrator.drop_column('lms_kpi_change', 'previous'),
        migrator.add_index('lms_kpi_daily', ('user_id', 'week'), False),
    )


def down(migrator, db):
    raise NotImplementedError('0009 converts data in place; restore a backup to go back')
