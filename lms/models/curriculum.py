"""Curriculum: tracks of modules of activities, loaded from content packs by stable slug,
and each agent's completions.

`file_hash` is the hash of a row's content as last loaded from a pack; a web edit changes the
content but not file_hash, which is how `lms content load` tells a web edit from a stale row.
"""
from __future__ import annotations

import peewee as pw

from ..db import BaseModel
from ..services import clock
from .people import User

ACTIVITY_KINDS = ("lesson", "quiz", "drill")


class PackContent(BaseModel):
    """Fields every row loaded from a content pack carries (inherited; this model has no table)."""
    published = pw.BooleanField(default=True)
    file_hash = pw.CharField(max_length=64, default="")  # the content as last loaded from a file
    updated_at = pw.DateTimeField(default=clock.utcnow)
    updated_by = pw.ForeignKeyField(User, null=True, on_delete="SET NULL")


class Track(PackContent):
    slug = pw.CharField(max_length=64, unique=True)
    title = pw.CharField(max_length=200)
    tier = pw.CharField(max_length=16, unique=True)
    summary = pw.TextField(default="")
    weeks = pw.IntegerField(null=True)  # the planned length, for the newcomer plan
    pass_required = pw.TextField(default='"all"')  # JSON: "all" or a list of activity slugs


class Module(PackContent):
    track = pw.ForeignKeyField(Track, backref="modules", on_delete="CASCADE")
    slug = pw.CharField(max_length=64, unique=True)
    title = pw.CharField(max_length=200)
    summary = pw.TextField(default="")
    position = pw.IntegerField()
    week = pw.IntegerField(null=True)  # the week of the newcomer plan it belongs to


class ModulePrerequisite(BaseModel):
    module = pw.ForeignKeyField(Module, backref="prerequisite_links", on_delete="CASCADE")
    requires = pw.ForeignKeyField(Module, on_delete="CASCADE")

    class Meta:
        indexes = ((("module", "requires"), True),)


class Activity(PackContent):
    module = pw.ForeignKeyField(Module, backref="activities", on_delete="CASCADE")
    slug = pw.CharField(max_length=64, unique=True)
    kind = pw.CharField(max_length=16)
    title = pw.CharField(max_length=200)
    position = pw.IntegerField()
    body = pw.TextField(default="")  # Markdown, for lessons
    ref = pw.CharField(max_length=64, default="")  # the quiz or drill it runs
    minutes = pw.IntegerField(default=5)
    required = pw.BooleanField(default=True)


class Completion(BaseModel):
    """An agent finished an activity; written the moment it happens, once per agent and activity."""
    user = pw.ForeignKeyField(User, backref="completions", on_delete="CASCADE")
    activity = pw.ForeignKeyField(Activity, backref="completions", on_delete="CASCADE")
    completed_at = pw.DateTimeField(default=clock.utcnow)
    score = pw.FloatField(null=True)
    passed = pw.BooleanField(default=True)

    class Meta:
        indexes = ((("user", "activity"), True),)


class ContentChange(BaseModel):
    """Who changed which content, when and how (web edits and pack loads)."""
    at = pw.DateTimeField(default=clock.utcnow, index=True)
    user = pw.ForeignKeyField(User, null=True, on_delete="SET NULL")
    kind = pw.CharField(max_length=16)  # track | module | activity
    slug = pw.CharField(max_length=64)
    action = pw.CharField(max_length=32)  # created | updated | load | web_edit | published ...
    detail = pw.TextField(default="")
