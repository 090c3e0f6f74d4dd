"""Cached item analysis per question bank."""
from peewee import *


def up(migrator, db):
    class Bank(Model):
        class Meta:
            database = db
            table_name = 'lms_bank'

    class BankAnalysis(Model):
        bank = ForeignKeyField(Bank, unique=True, on_delete='CASCADE')
        attempts_seen = IntegerField()
        computed_at = DateTimeField()
        result = TextField()
        class Meta:
            database = db
            table_name = 'lms_bank_analysis'
    db.create_tables([BankAnalysis])


def down(migrator, db):
    migrator.migrate(migrator.drop_table('lms_bank_analysis'))
