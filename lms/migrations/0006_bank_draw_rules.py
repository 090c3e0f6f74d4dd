"""Question banks can draw by tag and difficulty."""
from peewee import TextField


def up(migrator, db):
    migrator.migrate(migrator.add_column('lms_bank', 'draw_rules', TextField(default='[]')))


def down(migrator, db):
    migrator.migrate(migrator.drop_column('lms_bank', 'draw_rules'))
