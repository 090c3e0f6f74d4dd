"""Peer reviews of case-review submissions, leased while a peer works on one.

Frozen copies of the models as they were; timestamps get their values from the app.
"""
from peewee import *


def up(migrator, db):
    class User(Model):
        class Meta:
            database = db
            table_name = 'lms_user'

    class ReviewSubmission(Model):
        class Meta:
            database = db
            table_name = 'lms_review_submission'

    class PeerReview(Model):
        submission = ForeignKeyField(ReviewSubmission, on_delete='CASCADE')
        reviewer = ForeignKeyField(User, on_delete='CASCADE')
        leased_until = DateTimeField()
        levels = TextField(null=True)
        score = FloatField(null=True)
        comment = TextField(default='')
        completed_at = DateTimeField(null=True)
        class Meta:
            database = db
            table_name = 'lms_peer_review'
            indexes = ((('submission', 'reviewer'), True),)
    db.create_tables([PeerReview])


def down(migrator, db):
    migrator.migrate(migrator.drop_table('lms_peer_review'))
