"""Curriculum packs into the database (upsert by slug) and back out to files.

Loading never loses anyone's progress: rows are updated in place by slug, and an activity
that leaves a pack is unpublished, not deleted. A row edited in the web UI since it was last
loaded (its content no longer matches its file_hash) is a conflict when the pack changes it
too: the database's version is kept unless `force`.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from ..db import database
from ..models import Activity, ContentChange, MicroTemplate, Module, ModulePrerequisite, Track, User
from . import clock, failpoints
from .content_pack import Pack, content_hash


@dataclass
class LoadReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: int = 0
    retired: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)  # kept the database's version
    overwritten: list[str] = field(default_factory=list)  # web edits replaced (force)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.retired or self.overwritten)


def track_content(track: Track) -> dict:
    return {"slug": track.slug, "title": track.title, "tier": track.tier, "summary": track.summary,
            "weeks": track.weeks, "required": json.loads(track.pass_required), "published": track.published}


def module_content(module: Module) -> dict:
    prerequisites = sorted(link.requires.slug for link in
                           ModulePrerequisite.select(ModulePrerequisite, Module)
                           .join(Module, on=ModulePrerequisite.requires)
                           .where(ModulePrerequisite.module == module))
    return {"track": module.track.slug, "position": module.position, "slug": module.slug, "title": module.title,
            "summary": module.summary, "week": module.week, "prerequisites": prerequisites,
            "published": module.published}


def activity_content(activity: Activity) -> dict:
    return {"module": activity.module.slug, "position": activity.position, "slug": activity.slug,
            "kind": activity.kind, "title": activity.title, "body": activity.body, "ref": activity.ref,
            "minutes": activity.minutes, "required": activity.required, "published": activity.published}


def edited_since_load(row, content: dict) -> bool:
    return row.file_hash != content_hash(content)


class _Loader:
    def __init__(self, force: bool, actor: User | None, report: LoadReport):
        self.force, self.actor, self.report = force, actor, report

    def upsert(self, model, kind: str, slug: str, new: dict, current_of, assign) -> object | None:
        """Create or update one row; returns it, or None when a web edit is kept."""
        row = model.get_or_none(model.slug == slug)
        new_hash = content_hash(new)
        if row is None:
            row = model(slug=slug)
            assign(row)
            row.file_hash, row.updated_at, row.updated_by = new_hash, clock.utcnow(), self.actor
            row.save()
            self._log(kind, slug, "created")
            self.report.created.append(f"{kind} {slug}")
            return row
        current = current_of(row)
        current_hash = content_hash(current)
        if current_hash == new_hash:
            if row.file_hash != new_hash:  # the web edit and the pack now agree
                model.update(file_hash=new_hash).where(model.id == row.id).execute()
            self.report.unchanged += 1
            return row
        if row.file_hash != current_hash and not self.force:
            self.report.conflicts.append(f"{kind} {slug}")
            return None
        if row.file_hash != current_hash:
            self.report.overwritten.append(f"{kind} {slug}")
        assign(row)
        row.file_hash, row.updated_at, row.updated_by = new_hash, clock.utcnow(), self.actor
        row.save()
        self._log(kind, slug, "updated")
        self.report.updated.append(f"{kind} {slug}")
        return row

    def _log(self, kind, slug, action):
        ContentChange.create(user=self.actor, kind=kind, slug=slug, action=f"load:{action}")


def load_pack(pack: Pack, *, assessments=None, scripts=None, force: bool = False, dry_run: bool = False,
              actor: User | None = None) -> LoadReport:
    """Upsert a checked pack (and assessment content, golden scripts) in one transaction (rolled
    back for a dry run)."""
    assert pack.ok, "load only a pack without problems"
    report = LoadReport()
    loader = _Loader(force, actor, report)
    with database.atomic() as transaction:
        if assessments is not None:
            from .assessment_store import load_assessments

            load_assessments(assessments, report, actor, force)
        scripts = scripts if scripts is not None else getattr(assessments, "scripts", None)  # read_everything's
        if scripts is not None:
            from .script_store import load_scripts

            load_scripts(scripts, report, actor, force)
        for spec in pack.tracks:
            _load_track(spec, loader)
            failpoints.reached("content-load:track-written")  # mid-way: a crash test's kill point
        _load_microtasks(pack.microtasks, {t.tier for t in pack.tracks}, loader)
        failpoints.reached("content-load:before-commit")
        if dry_run:
            transaction.rollback()
    return report


def _load_track(spec, loader: _Loader) -> None:
    def assign_track(row):
        row.title, row.tier, row.summary, row.weeks = spec.title, spec.tier, spec.summary, spec.weeks
        row.pass_required, row.published = json.dumps(spec.required, ensure_ascii=False), spec.published

    track = loader.upsert(Track, "track", spec.slug, spec.content(), track_content, assign_track)
    track = track or Track.get(Track.slug == spec.slug)
    modules = {}
    for position, m_spec in enumerate(spec.modules, 1):
        new = m_spec.content(spec.slug, position)

        def assign_module(row, m_spec=m_spec, position=position):
            row.track, row.title, row.summary = track, m_spec.title, m_spec.summary
            row.week, row.position, row.published = m_spec.week, position, m_spec.published

        row = loader.upsert(Module, "module", m_spec.slug, new, module_content, assign_module)
        modules[m_spec.slug] = (row or Module.get(Module.slug == m_spec.slug), row is not None, m_spec)
    for module, written, m_spec in modules.values():
        if written:  # prerequisites are part of the module's content
            ModulePrerequisite.delete().where(ModulePrerequisite.module == module).execute()
            for slug in m_spec.prerequisites:
                ModulePrerequisite.create(module=module, requires=modules[slug][0])
    kept = set()
    for module, _written, m_spec in modules.values():
        for position, a_spec in enumerate(m_spec.activities, 1):
            def assign_activity(row, a_spec=a_spec, position=position, module=module):
                row.module, row.kind, row.title, row.body, row.ref = module, a_spec.kind, a_spec.title, \
                    a_spec.body, a_spec.ref
                row.minutes, row.required, row.published, row.position = a_spec.minutes, a_spec.required, \
                    a_spec.published, position

            loader.upsert(Activity, "activity", a_spec.slug, a_spec.content(m_spec.slug, position),
                          activity_content, assign_activity)
            kept.add(a_spec.slug)
    _retire(track, set(modules), kept, loader)


def microtask_content(row: MicroTemplate) -> dict:
    return {"tier": row.tier, "skill": row.skill, "kpi": row.kpi, "kind": row.kind, "title": row.title,
            "minutes": row.minutes, "instructions": row.instructions, "spec": json.loads(row.spec),
            "published": row.published}


def _load_microtasks(specs, tiers: set[str], loader: _Loader) -> None:
    """Upsert the templates by slug; those of the loaded tiers that left the pack are unpublished
    (micro-tasks already issued keep pointing at them)."""
    for spec in specs:
        def assign(row, spec=spec):
            row.tier, row.skill, row.kpi, row.kind, row.title = spec.tier, spec.skill, spec.kpi, spec.kind, spec.title
            row.minutes, row.instructions, row.published = spec.minutes, spec.instructions, spec.published
            row.spec = json.dumps(spec.spec, ensure_ascii=False)

        loader.upsert(MicroTemplate, "microtask", spec.slug, spec.content(), microtask_content, assign)
    gone = MicroTemplate.select().where(MicroTemplate.tier.in_(list(tiers) or [""]) & MicroTemplate.published
                                        & MicroTemplate.slug.not_in([s.slug for s in specs] or [""]))
    for row in gone:
        MicroTemplate.update(published=False, updated_at=clock.utcnow()).where(MicroTemplate.id == row.id).execute()
        loader.report.retired.append(f"microtask {row.slug}")
        loader._log("microtask", row.slug, "retired")


def _retire(track: Track, module_slugs: set[str], activity_slugs: set[str], loader: _Loader) -> None:
    """What left the pack is unpublished, never deleted: completions of it stay."""
    gone_activities = (Activity.select().join(Module)
                       .where((Module.track == track) & Activity.slug.not_in(list(activity_slugs) or [""])
                              & (Activity.published == True)))  # noqa: E712
    for activity in gone_activities:
        Activity.update(published=False, updated_at=clock.utcnow()).where(Activity.id == activity.id).execute()
        loader.report.retired.append(f"activity {activity.slug}")
        loader._log("activity", activity.slug, "retired")
    gone_modules = Module.select().where((Module.track == track) & Module.slug.not_in(list(module_slugs) or [""])
                                         & (Module.published == True))  # noqa: E712
    for module in gone_modules:
        Module.update(published=False, updated_at=clock.utcnow()).where(Module.id == module.id).execute()
        loader.report.retired.append(f"module {module.slug}")
        loader._log("module", module.slug, "retired")


def _toml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a valid TOML basic string


def _toml_lines(pairs: dict, indent: str = "") -> list[str]:
    return [f"{indent}{key} = {_toml_value(value)}" for key, value in pairs.items()
            if value is not None and value != "" and not (key == "published" and value is True)]


def export_pack(directory: Path) -> dict:
    """Write every track in the database as a pack folder; loading it back changes nothing."""
    directory = Path(directory)
    counts = {"tracks": 0, "modules": 0, "lessons": 0}
    for track in Track.select().order_by(Track.slug):
        folder = directory / track.slug
        (folder / "lessons").mkdir(parents=True, exist_ok=True)
        content = track_content(track)
        lines = ["# Exported from Tiered LMS.", *_toml_lines({k: content[k] for k in
                                                                ("slug", "title", "tier", "summary", "weeks",
                                                                 "published")}),
                 "", "[pass]", f"required = {_toml_value(content['required'])}"]
        for module in track.modules.order_by(Module.position):
            m = module_content(module)
            lines += ["", "[[modules]]", *_toml_lines({k: m[k] for k in
                                                       ("slug", "title", "summary", "week", "published")})]
            if m["prerequisites"]:
                lines.append(f"prerequisites = {_toml_value(m['prerequisites'])}")
            for activity in module.activities.order_by(Activity.position):
                a = activity_content(activity)
                fields = {k: a[k] for k in ("slug", "kind", "title", "ref", "minutes", "required", "published")}
                if activity.kind == "lesson":
                    fields["body"] = f"lessons/{activity.slug}.md"
                    (folder / fields["body"]).write_text(activity.body, encoding="utf-8")
                    counts["lessons"] += 1
                if fields["required"] is True:
                    del fields["required"]
                lines += ["", "  [[modules.activities]]", *_toml_lines(fields, "  ")]
            counts["modules"] += 1
        (folder / "track.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")
        counts["tracks"] += 1
        counts["microtask_templates"] = counts.get("microtask_templates", 0) + _export_microtasks(track.tier, folder)
    return counts


def _export_microtasks(tier: str, folder: Path) -> int:
    """The tier's micro-task templates, in one file of the track folder."""
    templates = list(MicroTemplate.select().where(MicroTemplate.tier == tier).order_by(MicroTemplate.slug))
    if not templates:
        return 0
    lines = ["# Exported from Tiered LMS."]
    for template in templates:
        content = microtask_content(template)
        fields = {"slug": template.slug, **{k: content[k] for k in ("title", "skill", "kpi", "kind", "minutes",
                                                                    "instructions", "published")},
                  **content["spec"]}
        lines += ["", "[[templates]]", *_toml_lines(fields)]
    (folder / "microtasks").mkdir(exist_ok=True)
    (folder / "microtasks" / "templates.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return len(templates)
