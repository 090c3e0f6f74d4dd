"""Daily practice: micro-task templates (loaded from the content packs), the micro-task each
working agent gets each working day, and per-agent rota days that override the centre calendar.

One micro-task per agent per day is a unique key: whatever runs twice, the database keeps one.
"""
from __future__ import annotations

import peewee as pw

from ..db import BaseModel
from ..services import clock
from .curriculum import Activity, PackContent
from .people import User

MICROTASK_KINDS = ("reply", "quiz", "reflection")
MICROTASK_KPIS = ("fcr", "aht", "csat", "repeat")


class MicroTemplate(PackContent):
    slug = pw.CharField(max_length=64, unique=True)
    tier = pw.CharField(max_length=16, index=True)
    skill = pw.CharField(max_length=64)
    kpi = pw.CharField(max_length=16)  # the KPI of the same-day read-out
    kind = pw.CharField(max_length=16)
    title = pw.CharField(max_length=200)
    minutes = pw.IntegerField(default=5)
    instructions = pw.TextField(default="")  # Markdown
    spec = pw.TextField(default="{}")  # JSON: the kind's own keys (scenario, customer, items, prompt ...)


class MicroTask(BaseModel):
    user = pw.ForeignKeyField(User, backref="microtasks", on_delete="CASCADE")
    day = pw.DateField(index=True)
    template = pw.ForeignKeyField(MicroTemplate, on_delete="RESTRICT")
    issued_at = pw.DateTimeField(default=clock.utcnow)
    late = pw.BooleanField(default=False)  # issued after its day had begun being missed (catch-up)
    status = pw.CharField(max_length=8, default="open")  # open | done | missed
    items = pw.TextField(null=True)  # JSON: question ids chosen when first opened (quiz)
    answer = pw.TextField(default="")
    result = pw.TextField(null=True)  # JSON: checker result or quiz marks
    score = pw.FloatField(null=True)  # 0-100
    completed_at = pw.DateTimeField(null=True)

    class Meta:
        indexes = ((("user", "day"), True),)


class RotaDay(BaseModel):
    """An agent's own working (or rest) day, from the rota import; it wins over the calendar."""
    user = pw.ForeignKeyField(User, on_delete="CASCADE")
    day = pw.DateField(index=True)
    working = pw.BooleanField()

    class Meta:
        indexes = ((("user", "day"), True),)


class TriggeredAssignment(BaseModel):
    """A lesson, quiz or drill given to an agent by a KPI rule (config microtasks.kpi_rules):
    their KPI was off target for several working days in a row."""
    user = pw.ForeignKeyField(User, on_delete="CASCADE")
    rule = pw.CharField(max_length=64)
    activity = pw.ForeignKeyField(Activity, on_delete="CASCADE")
    assigned_on = pw.DateField()
    due_on = pw.DateField()
    reason = pw.TextField(default="{}")  # JSON: the KPI values that triggered it
    completed_on = pw.DateField(null=True)

    class Meta:
        indexes = ((("user", "rule", "assigned_on"), True),)
