"""Weekly case-review sets, assignments and submissions.

Frozen copies of the models as they were; timestamps get their values from the app.
"""
from peewee import *


def up(migrator, db):
    class User(Model):
        class Meta:
            database = db
            table_name = 'lms_user'

    class Case(Model):
        class Meta:
            database = db
            table_name = 'lms_case'

    class ReviewSet(Model):
        title = CharField(max_length=200)
        week = DateField(index=True)
        due_on = DateField()
        tiers = TextField(default='[]')
        team_ids = TextField(null=True)
        created_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        created_at = DateTimeField()
        assigned_at = DateTimeField(null=True)
        class Meta:
            database = db
            table_name = 'lms_review_set'

    class ReviewSetCase(Model):
        review_set = ForeignKeyField(ReviewSet, on_delete='CASCADE')
        case = ForeignKeyField(Case, on_delete='RESTRICT')
        position = IntegerField()
        class Meta:
            database = db
            table_name = 'lms_review_set_case'
            indexes = ((('review_set', 'case'), True),)

    class ReviewAssignment(Model):
        review_set = ForeignKeyField(ReviewSet, on_delete='CASCADE')
        user = ForeignKeyField(User, on_delete='CASCADE')
        assigned_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'lms_review_assignment'
            indexes = ((('review_set', 'user'), True),)

    class ReviewSubmission(Model):
        assignment = ForeignKeyField(ReviewAssignment, on_delete='CASCADE')
        version = IntegerField()
        answers = TextField()
        technique = TextField()
        submitted_at = DateTimeField()
        late = BooleanField(default=False)
        class Meta:
            database = db
            table_name = 'lms_review_submission'
            indexes = ((('assignment', 'version'), True),)
    db.create_tables([ReviewSet, ReviewSetCase, ReviewAssignment, ReviewSubmission])


def down(migrator, db):
    for table in ('lms_review_submission', 'lms_review_assignment', 'lms_review_set_case', 'lms_review_set'):
        migrator.migrate(migrator.drop_table(table))
