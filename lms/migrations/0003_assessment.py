"""Assessment: skills, banks, questions, drills, rubric versions, quiz attempts, evidence.

Frozen copies of the models as they were; timestamps get their values from the app.
"""
from peewee import *


def up(migrator, db):
    class User(Model):
        class Meta:
            database = db
            table_name = 'lms_user'

    class Bank(Model):
        slug = CharField(unique=True, max_length=64)
        title = CharField(max_length=200)
        tier = CharField(max_length=16)
        pass_mark = IntegerField(default=80)
        draw = IntegerField(null=True)
        attempts = IntegerField(default=0)
        time_limit_minutes = IntegerField(default=0)
        grading = CharField(max_length=8, default='highest')
        published = BooleanField(default=True)
        file_hash = CharField(max_length=64, default='')
        updated_at = DateTimeField()
        updated_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        class Meta:
            database = db
            table_name = 'lms_bank'
    db.create_tables([Bank])

    class Drill(Model):
        slug = CharField(unique=True, max_length=64)
        title = CharField(max_length=200)
        tier = CharField(max_length=16)
        scenario = CharField(max_length=16)
        skill = CharField(max_length=64)
        rubric = CharField(max_length=64)
        context = TextField(default='')
        customer = TextField()
        model_answer = TextField(default='')
        tags = TextField(default='[]')
        published = BooleanField(default=True)
        file_hash = CharField(max_length=64, default='')
        updated_at = DateTimeField()
        updated_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        class Meta:
            database = db
            table_name = 'lms_drill'
    db.create_tables([Drill])

    class Evidence(Model):
        user = ForeignKeyField(User, on_delete='CASCADE')
        skill = CharField(index=True, max_length=64)
        source = CharField(max_length=128)
        score = FloatField()
        at = DateTimeField(index=True)
        class Meta:
            database = db
            table_name = 'lms_evidence'
    db.create_tables([Evidence])

    class Question(Model):
        bank = ForeignKeyField(Bank, on_delete='CASCADE')
        slug = CharField(unique=True, max_length=64)
        type = CharField(max_length=16)
        skill = CharField(max_length=64)
        difficulty = IntegerField(default=1)
        tags = TextField(default='[]')
        prompt = TextField()
        spec = TextField(default='{}')
        feedback = TextField(default='')
        position = IntegerField(default=0)
        published = BooleanField(default=True)
        file_hash = CharField(max_length=64, default='')
        updated_at = DateTimeField()
        updated_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        class Meta:
            database = db
            table_name = 'lms_question'
    db.create_tables([Question])

    class QuizAttempt(Model):
        user = ForeignKeyField(User, on_delete='CASCADE')
        bank = ForeignKeyField(Bank, on_delete='CASCADE')
        number = IntegerField()
        questions = TextField()
        started_at = DateTimeField()
        deadline = DateTimeField(null=True)
        submitted_at = DateTimeField(null=True)
        score = FloatField(null=True)
        passed = BooleanField(null=True)
        late = BooleanField(default=False)
        class Meta:
            database = db
            table_name = 'lms_quiz_attempt'
            indexes = ((('user', 'bank', 'number'), True),)
    db.create_tables([QuizAttempt])

    class QuizResponse(Model):
        attempt = ForeignKeyField(QuizAttempt, on_delete='CASCADE')
        question = ForeignKeyField(Question, on_delete='CASCADE')
        answer = TextField(default='null')
        score = FloatField(default=0)
        correct = BooleanField(default=False)
        class Meta:
            database = db
            table_name = 'lms_quiz_response'
            indexes = ((('attempt', 'question'), True),)
    db.create_tables([QuizResponse])

    class Rubric(Model):
        slug = CharField(unique=True, max_length=64)
        title = CharField(max_length=200)
        file_hash = CharField(max_length=64, default='')
        class Meta:
            database = db
            table_name = 'lms_rubric'
    db.create_tables([Rubric])

    class RubricVersion(Model):
        rubric = ForeignKeyField(Rubric, on_delete='CASCADE')
        number = IntegerField()
        criteria = TextField()
        created_at = DateTimeField()
        created_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        class Meta:
            database = db
            table_name = 'lms_rubric_version'
            indexes = ((('rubric', 'number'), True),)
    db.create_tables([RubricVersion])

    class Skill(Model):
        slug = CharField(unique=True, max_length=64)
        name = CharField(max_length=100)
        description = TextField(default='')
        file_hash = CharField(max_length=64, default='')
        class Meta:
            database = db
            table_name = 'lms_skill'
    db.create_tables([Skill])


def down(migrator, db):
    migrator.migrate(migrator.drop_table('lms_skill'))
    migrator.migrate(migrator.drop_table('lms_rubric_version'))
    migrator.migrate(migrator.drop_table('lms_rubric'))
    migrator.migrate(migrator.drop_table('lms_quiz_response'))
    migrator.migrate(migrator.drop_table('lms_quiz_attempt'))
    migrator.migrate(migrator.drop_table('lms_question'))
    migrator.migrate(migrator.drop_table('lms_evidence'))
    migrator.migrate(migrator.drop_table('lms_drill'))
    migrator.migrate(migrator.drop_table('lms_bank'))
