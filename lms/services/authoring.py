"""Trainers' curriculum authoring: create, edit, reorder and publish tracks, modules and activities.

Every change sets the row's updated_at/updated_by and writes a ContentChange. file_hash is never
touched: it is what lets `lms content load` tell a web edit from a stale row.
"""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from peewee import JOIN

from ..db import database
from ..models import (ACTIVITY_KINDS, TIERS, Activity, ContentChange, Module, ModulePrerequisite, Track,
                      User)
from . import clock
from .content_pack import MAX_BODY_BYTES, SLUG
from .messages import N_

KINDS = {Track: "track", Module: "module", Activity: "activity"}


class AuthoringError(ValueError):
    """A user mistake; `message` is an untranslated catalog string, `params` fill it, `field` names
    the form field it belongs to (or None)."""

    def __init__(self, message: str, field: str | None = None, **params):
        super().__init__(message % params if params else message)
        self.message, self.field, self.params = message, field, params


def _record(actor: User | None, row, action: str, **detail) -> None:
    ContentChange.create(user=actor, kind=KINDS[type(row)], slug=row.slug, action=action,
                         detail=json.dumps(detail, ensure_ascii=False) if detail else "")


def _save(row, actor: User | None, names: list[str]) -> None:
    """Save just these fields, stamped with who and when."""
    row.updated_at, row.updated_by = clock.utcnow(), actor
    model = type(row)
    row.save(only=[getattr(model, name) for name in [*names, "updated_at", "updated_by"]])


def _check_slug(model, slug: str) -> str:
    slug = (slug or "").strip()
    if not SLUG.match(slug):
        raise AuthoringError(N_("Use lower-case letters, digits and '-' only (at most 64)."), "slug")
    if model.select().where(model.slug == slug).exists():
        raise AuthoringError(N_("The slug %(slug)s is already taken."), "slug", slug=slug)
    return slug


def _title(title: str) -> str:
    title = (title or "").strip()
    if not title:
        raise AuthoringError(N_("A title is required."), "title")
    return title


def normalise_body(body: str | None) -> str:
    """A lesson body as a pack load stores it, so re-saving unchanged text changes nothing."""
    text = (body or "").replace("\r\n", "\n").strip()
    if len(text.encode("utf-8")) > MAX_BODY_BYTES:
        raise AuthoringError(N_("The body is longer than 200 kB."), "body")
    return text + "\n" if text else ""


def _apply(row, actor: User | None, values: dict) -> list[str]:
    """Set the values that differ; returns the changed field names (saved, with the change logged)."""
    changed = [name for name, value in values.items() if getattr(row, name) != value]
    if changed:
        for name in changed:
            setattr(row, name, values[name])
        _save(row, actor, changed)
    return changed


# Tracks

def create_track(actor: User | None, *, slug: str, tier: str, title: str, summary: str = "",
                 weeks: int | None = None) -> Track:
    slug = _check_slug(Track, slug)
    if tier not in TIERS:
        raise AuthoringError(N_("Choose a tier."), "tier")
    if Track.select().where(Track.tier == tier).exists():
        raise AuthoringError(N_("That tier already has a track."), "tier")
    with database.atomic():
        track = Track.create(slug=slug, tier=tier, title=_title(title), summary=(summary or "").strip(),
                             weeks=weeks, updated_at=clock.utcnow(), updated_by=actor)
        _record(actor, track, "created", tier=tier)
    return track


def update_track(actor: User | None, track: Track, *, title: str, summary: str = "",
                 weeks: int | None = None) -> list[str]:
    with database.atomic():
        changed = _apply(track, actor, {"title": _title(title), "summary": (summary or "").strip(),
                                        "weeks": weeks})
        if changed:
            _record(actor, track, "web_edit", fields=changed)
    return changed


# Modules

def prerequisite_slugs(module: Module) -> list[str]:
    return sorted(m.slug for m in Module.select().join(ModulePrerequisite, on=ModulePrerequisite.requires)
                  .where(ModulePrerequisite.module == module))


def _find_path(start: Module, goal: Module) -> list[Module] | None:
    """A chain of prerequisites from start to goal, if one exists."""
    links: dict[int, list[int]] = {}
    for link in ModulePrerequisite.select().join(Module, on=ModulePrerequisite.module) \
            .where(Module.track == start.track_id):
        links.setdefault(link.module_id, []).append(link.requires_id)
    seen, stack = set(), [[start.id]]
    while stack:
        path = stack.pop()
        if path[-1] == goal.id:
            by_id = {m.id: m for m in Module.select().where(Module.id.in_(path))}
            return [by_id[i] for i in path]
        for nxt in links.get(path[-1], []):
            if nxt not in seen:
                seen.add(nxt)
                stack.append(path + [nxt])
    return None


def _resolve_prerequisites(module: Module | None, track: Track, slugs) -> list[Module]:
    chosen = []
    for slug in sorted(set(slugs or [])):
        other = Module.get_or_none((Module.slug == slug) & (Module.track == track))
        if other is None or (module is not None and other.id == module.id):
            raise AuthoringError(N_("A prerequisite must be another module of the same track."),
                                 "prerequisites")
        if module is not None:
            path = _find_path(other, module)
            if path:
                chain = " → ".join(m.title for m in [module, *path])
                raise AuthoringError(N_("That would make a prerequisite cycle: %(chain)s."), "prerequisites",
                                     chain=chain)
        chosen.append(other)
    return chosen


def _set_prerequisites(module: Module, chosen: list[Module]) -> None:
    ModulePrerequisite.delete().where(ModulePrerequisite.module == module).execute()
    for other in chosen:
        ModulePrerequisite.create(module=module, requires=other)


def create_module(actor: User | None, track: Track, *, slug: str, title: str, summary: str = "",
                  week: int | None = None, prerequisites=()) -> Module:
    slug = _check_slug(Module, slug)
    with database.atomic():
        chosen = _resolve_prerequisites(None, track, prerequisites)
        last = track.modules.select(Module.position).order_by(Module.position.desc()).first()
        module = Module.create(track=track, slug=slug, title=_title(title), summary=(summary or "").strip(),
                               week=week, position=(last.position if last else 0) + 1,
                               updated_at=clock.utcnow(), updated_by=actor)
        _set_prerequisites(module, chosen)
        _record(actor, module, "created", track=track.slug)
    return module


def update_module(actor: User | None, module: Module, *, title: str, summary: str = "",
                  week: int | None = None, prerequisites=()) -> list[str]:
    with database.atomic():
        chosen = _resolve_prerequisites(module, module.track, prerequisites)
        changed = _apply(module, actor, {"title": _title(title), "summary": (summary or "").strip(),
                                         "week": week})
        if sorted(m.slug for m in chosen) != prerequisite_slugs(module):
            _set_prerequisites(module, chosen)
            if not changed:
                _save(module, actor, [])
            changed.append("prerequisites")
        if changed:
            _record(actor, module, "web_edit", fields=changed)
    return changed


# Activities

def _activity_values(kind: str, *, title: str, minutes: int, required: bool, body: str, ref: str) -> dict:
    if not isinstance(minutes, int) or not 1 <= minutes <= 600:
        raise AuthoringError(N_("Minutes: a whole number from 1 to 600."), "minutes")
    values = {"title": _title(title), "minutes": minutes, "required": bool(required), "body": "", "ref": ""}
    if kind == "lesson":
        values["body"] = normalise_body(body)
        if not values["body"]:
            raise AuthoringError(N_("A lesson needs a body."), "body")
    else:
        values["ref"] = (ref or "").strip()
        if not values["ref"] or len(values["ref"]) > 64:
            raise AuthoringError(N_("A quiz or drill names the one it runs (at most 64 characters)."), "ref")
    return values


def create_activity(actor: User | None, module: Module, *, slug: str, kind: str, title: str, minutes: int = 5,
                    required: bool = True, body: str = "", ref: str = "") -> Activity:
    slug = _check_slug(Activity, slug)
    if kind not in ACTIVITY_KINDS:
        raise AuthoringError(N_("Choose lesson, quiz or drill."), "kind")
    values = _activity_values(kind, title=title, minutes=minutes, required=required, body=body, ref=ref)
    with database.atomic():
        last = module.activities.select(Activity.position).order_by(Activity.position.desc()).first()
        activity = Activity.create(module=module, slug=slug, kind=kind, position=(last.position if last else 0) + 1,
                                   updated_at=clock.utcnow(), updated_by=actor, **values)
        _record(actor, activity, "created", module=module.slug, kind=kind)
    return activity


def update_activity(actor: User | None, activity: Activity, *, title: str, minutes: int, required: bool,
                    body: str = "", ref: str = "") -> list[str]:
    values = _activity_values(activity.kind, title=title, minutes=minutes, required=required, body=body, ref=ref)
    with database.atomic():
        changed = _apply(activity, actor, values)
        if changed:
            _record(actor, activity, "web_edit", fields=changed)
    return changed


# Order and publishing

def _siblings(row) -> list:
    if isinstance(row, Module):
        query = Module.select().where(Module.track == row.track_id)
    else:
        query = Activity.select().where(Activity.module == row.module_id)
    return list(query.order_by(type(row).position, type(row).id))


def move(actor: User | None, row, direction: str) -> bool:
    """Swap a module (within its track) or an activity (within its module) with its neighbour."""
    if direction not in ("up", "down"):
        raise AuthoringError(N_("Move up or down."))
    with database.atomic():
        siblings = _siblings(row)
        index = next(i for i, s in enumerate(siblings) if s.id == row.id)
        other = index - 1 if direction == "up" else index + 1
        if not 0 <= other < len(siblings):
            return False
        siblings[index], siblings[other] = siblings[other], siblings[index]
        before = row.position
        for position, sibling in enumerate(siblings, 1):
            if sibling.position != position:  # only rows whose place changed count as edited
                sibling.position = position
                _save(sibling, actor, ["position"])
        row.position = other + 1
        _record(actor, row, "moved", position=[before, row.position], direction=direction,
                past=siblings[index].slug)
    return True


def set_published(actor: User | None, row, published: bool) -> bool:
    """Publish or unpublish; False if it already was so."""
    with database.atomic():
        if not _apply(row, actor, {"published": bool(published)}):
            return False
        _record(actor, row, "published" if published else "unpublished")
    return True


# Reading

@dataclass(frozen=True)
class HistoryEntry:
    at: dt.datetime
    user: str
    kind: str
    slug: str
    action: str
    fields: list[str]


def history(track: Track, limit: int = 30) -> list[HistoryEntry]:
    """The latest changes to a track, its modules and their activities (web edits and loads)."""
    modules = Module.select(Module.slug).where(Module.track == track)
    activities = Activity.select(Activity.slug).join(Module).where(Module.track == track)
    query = (ContentChange.select(ContentChange, User).join(User, JOIN.LEFT_OUTER)
             .where(((ContentChange.kind == "track") & (ContentChange.slug == track.slug))
                    | ((ContentChange.kind == "module") & ContentChange.slug.in_(modules))
                    | ((ContentChange.kind == "activity") & ContentChange.slug.in_(activities)))
             .order_by(ContentChange.at.desc(), ContentChange.id.desc()).limit(limit))
    entries = []
    for change in query:
        detail = json.loads(change.detail) if change.detail else {}
        entries.append(HistoryEntry(change.at, change.user.name if change.user_id else "", change.kind,
                                    change.slug, change.action, list(detail.get("fields", []))))
    return entries
