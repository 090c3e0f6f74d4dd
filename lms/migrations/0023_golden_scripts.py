"""The golden-script library, its character-bigram index and script proposals.

Frozen copies of the models as they were; timestamps get their values from the app.
"""
from peewee import *


def up(migrator, db):
    class User(Model):
        class Meta:
            database = db
            table_name = 'lms_user'

    class Technique(Model):
        class Meta:
            database = db
            table_name = 'lms_technique'

    class GoldenScript(Model):
        slug = CharField(max_length=64, unique=True)
        title = CharField(max_length=200)
        scenario = CharField(max_length=16, index=True)
        topic = CharField(max_length=40, index=True)
        channel = CharField(max_length=16)
        situation = TextField()
        before = TextField(default='')
        after = TextField()
        elements = TextField(default='[]')
        why = TextField(default='')
        status = CharField(max_length=16, default='draft', index=True)
        source = CharField(max_length=16, default='web')
        author = ForeignKeyField(User, null=True, on_delete='SET NULL', backref='+')
        technique = ForeignKeyField(Technique, null=True, on_delete='SET NULL', backref='+')
        approved_by = CharField(max_length=100, default='')
        approver = ForeignKeyField(User, null=True, on_delete='SET NULL', backref='+')
        approved_at = DateTimeField(null=True)
        file_hash = CharField(max_length=64, default='')
        created_at = DateTimeField()
        updated_at = DateTimeField()
        updated_by = ForeignKeyField(User, null=True, on_delete='SET NULL', backref='+')
        class Meta:
            database = db
            table_name = 'lms_golden_script'

    class GoldenScriptGram(Model):
        script = ForeignKeyField(GoldenScript, on_delete='CASCADE', backref='+')
        gram = CharField(max_length=2)
        class Meta:
            database = db
            table_name = 'lms_golden_script_gram'
            indexes = ((('gram', 'script'), True),)

    class ScriptProposal(Model):
        kind = CharField(max_length=8)
        script = ForeignKeyField(GoldenScript, null=True, on_delete='CASCADE')
        proposer = ForeignKeyField(User, on_delete='CASCADE', backref='+')
        after = TextField()
        reason = TextField(default='')
        details = TextField(default='{}')
        status = CharField(max_length=16, default='open', index=True)
        comment = TextField(default='')
        decided_by = ForeignKeyField(User, null=True, on_delete='SET NULL', backref='+')
        decided_at = DateTimeField(null=True)
        created_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'lms_script_proposal'
    db.create_tables([GoldenScript, GoldenScriptGram, ScriptProposal])


def down(migrator, db):
    for table in ('lms_script_proposal', 'lms_golden_script_gram', 'lms_golden_script'):
        migrator.migrate(migrator.drop_table(table))
