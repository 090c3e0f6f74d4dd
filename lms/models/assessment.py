"""Assessment: skills, question banks, scenario drills, versioned rubrics, quiz attempts and the
append-only skill evidence every result writes. Loaded from `assessments/` by stable ids."""
from __future__ import annotations

import peewee as pw

from ..db import BaseModel
from ..services import clock
from .curriculum import PackContent
from .people import User


class Skill(BaseModel):
    slug = pw.CharField(max_length=64, unique=True)
    name = pw.CharField(max_length=100)
    description = pw.TextField(default="")
    file_hash = pw.CharField(max_length=64, default="")


class Bank(PackContent):
    """A question bank: what a quiz activity (ref = slug) draws from, and the quiz's rules."""
    slug = pw.CharField(max_length=64, unique=True)
    title = pw.CharField(max_length=200)
    tier = pw.CharField(max_length=16)
    pass_mark = pw.IntegerField(default=80)  # percent
    draw = pw.IntegerField(null=True)  # questions per attempt; None = all
    attempts = pw.IntegerField(default=0)  # 0 = unlimited
    time_limit_minutes = pw.IntegerField(default=0)  # 0 = none
    grading = pw.CharField(max_length=8, default="highest")  # highest | last | average
    draw_rules = pw.TextField(default="[]")  # JSON: [{"tags": [...], "difficulty": [...], "count": n}]


class Question(PackContent):
    bank = pw.ForeignKeyField(Bank, backref="questions", on_delete="CASCADE")
    slug = pw.CharField(max_length=64, unique=True)
    type = pw.CharField(max_length=16)
    skill = pw.CharField(max_length=64)
    difficulty = pw.IntegerField(default=1)
    tags = pw.TextField(default="[]")  # JSON list
    prompt = pw.TextField()
    spec = pw.TextField(default="{}")  # JSON: the type's own keys (choices, answer, items, match ...)
    feedback = pw.TextField(default="")
    position = pw.IntegerField(default=0)


class Drill(PackContent):
    """A scenario drill: the agent writes what they would say to a customer's utterance."""
    slug = pw.CharField(max_length=64, unique=True)
    title = pw.CharField(max_length=200)
    tier = pw.CharField(max_length=16)
    scenario = pw.CharField(max_length=16)  # the script checker's frame
    skill = pw.CharField(max_length=64)
    rubric = pw.CharField(max_length=64)
    context = pw.TextField(default="")
    customer = pw.TextField()
    model_answer = pw.TextField(default="")
    tags = pw.TextField(default="[]")


class Rubric(BaseModel):
    slug = pw.CharField(max_length=64, unique=True)
    title = pw.CharField(max_length=200)
    file_hash = pw.CharField(max_length=64, default="")


class RubricVersion(BaseModel):
    """Immutable: an edit makes a new version; grades keep the version they used."""
    rubric = pw.ForeignKeyField(Rubric, backref="versions", on_delete="CASCADE")
    number = pw.IntegerField()
    criteria = pw.TextField()  # JSON list of criteria with levels
    created_at = pw.DateTimeField(default=clock.utcnow)
    created_by = pw.ForeignKeyField(User, null=True, on_delete="SET NULL")

    class Meta:
        indexes = ((("rubric", "number"), True),)


class QuizAttempt(BaseModel):
    user = pw.ForeignKeyField(User, backref="quiz_attempts", on_delete="CASCADE")
    bank = pw.ForeignKeyField(Bank, backref="taken", on_delete="CASCADE")
    number = pw.IntegerField()  # 1, 2, ... per user and bank
    questions = pw.TextField()  # JSON: drawn question ids in the order shown, with shuffles
    started_at = pw.DateTimeField(default=clock.utcnow)
    deadline = pw.DateTimeField(null=True)  # enforced on the server
    submitted_at = pw.DateTimeField(null=True)
    score = pw.FloatField(null=True)  # percent
    passed = pw.BooleanField(null=True)
    late = pw.BooleanField(default=False)  # submitted after the deadline: answers after it ignored

    class Meta:
        indexes = ((("user", "bank", "number"), True),)


class QuizResponse(BaseModel):
    attempt = pw.ForeignKeyField(QuizAttempt, backref="responses", on_delete="CASCADE")
    question = pw.ForeignKeyField(Question, on_delete="CASCADE")
    answer = pw.TextField(default="null")  # JSON as given
    score = pw.FloatField(default=0)  # 0-1
    correct = pw.BooleanField(default=False)

    class Meta:
        indexes = ((("attempt", "question"), True),)


class Evidence(BaseModel):
    """One piece of evidence of a skill: append-only, never updated."""
    user = pw.ForeignKeyField(User, backref="evidence", on_delete="CASCADE")
    skill = pw.CharField(max_length=64, index=True)
    source = pw.CharField(max_length=128)  # e.g. quiz:newcomer-scripts/ns-01, rubric:..., checker:...
    score = pw.FloatField()  # 0-1
    at = pw.DateTimeField(default=clock.utcnow, index=True)


class BankAnalysis(BaseModel):
    """Cached item analysis of a bank, recomputed only when new attempts were submitted."""
    bank = pw.ForeignKeyField(Bank, unique=True, on_delete="CASCADE")
    attempts_seen = pw.IntegerField()
    computed_at = pw.DateTimeField(default=clock.utcnow)
    result = pw.TextField()  # JSON


class DrillReply(BaseModel):
    """What an agent would say to the drill's customer; read by the script checker at once,
    then graded by a trainer or mentor with the drill's rubric (the version used is kept)."""
    user = pw.ForeignKeyField(User, backref="drill_replies", on_delete="CASCADE")
    drill = pw.ForeignKeyField(Drill, backref="replies", on_delete="CASCADE")
    text = pw.TextField()
    submitted_at = pw.DateTimeField(default=clock.utcnow, index=True)
    checker = pw.TextField(default="{}")  # the script checker's result, JSON
    checker_score = pw.IntegerField(null=True)
    rubric_version = pw.ForeignKeyField(RubricVersion, null=True, on_delete="RESTRICT")
    levels = pw.TextField(null=True)  # JSON {criterion: level or null}
    score = pw.FloatField(null=True)
    raw_score = pw.FloatField(null=True)
    comment = pw.TextField(default="")
    graded_by = pw.ForeignKeyField(User, null=True, on_delete="SET NULL")
    graded_at = pw.DateTimeField(null=True)
