"""`lms content load` and `lms content export`: curriculum packs in and out."""
import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from ..db import database
from ..resources import content_dir
from . import cli, emit_json

def courses_dir() -> Path:
    return content_dir("courses", current_app.config["LMS_PATHS_COURSES"])


def assessments_dir() -> Path:
    return content_dir("assessments", current_app.config["LMS_PATHS_ASSESSMENTS"])


def read_everything(path: Path):
    """The curriculum pack, the assessment content and the golden scripts, with every problem of
    each (and their links)."""
    from ..models import Bank, Drill
    from ..services.assessment_pack import check_activity_refs, check_template_skills, read_assessments
    from ..services.content_pack import read_pack
    from ..services.script_pack import read_scripts

    pack = read_pack(path)
    assessments = read_assessments(assessments_dir())
    assessments.scripts = read_scripts(assessments_dir())
    with database.connection_context():
        known_banks = {b.slug for b in Bank.select(Bank.slug)} if Bank.table_exists() else set()
        known_drills = {d.slug for d in Drill.select(Drill.slug)} if Drill.table_exists() else set()
    check_activity_refs(pack, assessments, known_banks, known_drills)
    check_template_skills(pack, assessments)
    pack.problems.extend(assessments.problems)
    pack.problems.extend(assessments.scripts.problems)
    assessments.check_rules = _check_rule_count(pack)
    return pack, assessments


def _check_rule_count(pack) -> int:
    """The script checker's rules are checked with everything else; their count is reported."""
    from ..services.content_pack import PackProblem
    from ..services.script_rules import RulesError, load_rules, rules_file

    if not rules_file(assessments_dir()).is_file():
        return 0
    try:
        return len(load_rules(assessments_dir()).rules)
    except RulesError as exc:
        pack.problems.extend(PackProblem(str(rules_file(assessments_dir())), "rules", str(p)) for p in exc.problems)
        return 0


@cli.group("content", help="Curriculum packs.")
def content_group():
    pass


@content_group.command("load", help="Check a pack (default: the configured or shipped courses), then upsert it "
                                    "by slug; nothing is written if any file has a problem.")
@click.argument("path", required=False, type=click.Path(path_type=Path))
@click.option("--dry-run", is_flag=True, help="check and report; write nothing")
@click.option("--force", is_flag=True, help="replace content edited in the web UI since the last load")
@click.option("--json", "as_json", is_flag=True)
@with_appcontext
def content_load(path, dry_run, force, as_json):
    from ..migrations import pending
    from ..services.content_store import load_pack

    path = path or courses_dir()
    pack, assessments = read_everything(path)
    if not pack.ok:
        if as_json:
            emit_json({"ok": False, "problems": [str(p) for p in pack.problems]})
        else:
            for problem in pack.problems:
                click.echo(str(problem))
            click.echo(f"{len(pack.problems)} problem(s); nothing was written.", err=True)
        sys.exit(1)
    if pending():
        click.echo("error: the database schema is not current; run `lms db upgrade` first", err=True)
        sys.exit(1)
    with database.connection_context():
        report = load_pack(pack, assessments=assessments, scripts=assessments.scripts, force=force,
                           dry_run=dry_run)
    counts = {**pack.counts(), **assessments.counts(), "check_rules": assessments.check_rules,
              **assessments.scripts.counts()}
    if as_json:
        emit_json({**counts, "created": report.created, "updated": report.updated, "unchanged": report.unchanged,
                   "retired": report.retired, "conflicts": report.conflicts, "overwritten": report.overwritten,
                   "dry_run": dry_run})
        return
    click.echo(f"{counts['tracks']} track(s), {counts['modules']} module(s), {counts['lessons']} lesson(s) in {path}; "
               f"{counts['questions']} question(s), {counts['drills']} drill(s), {counts['rubrics']} rubric(s), "
               f"{counts['skills']} skill(s), {counts['golden_scripts']} golden script(s) in {assessments_dir()}")
    click.echo(f"created {len(report.created)}, updated {len(report.updated)}, unchanged {report.unchanged}, "
               f"retired {len(report.retired)}" + (" (dry run: nothing was written)" if dry_run else ""))
    for item in report.retired:
        click.echo(f"  retired (unpublished, progress kept): {item}")
    for item in report.overwritten:
        click.echo(f"  web edit replaced (--force): {item}")
    if report.conflicts:
        click.echo("Edited in the web UI since the last load; the database's version was kept "
                   "(--force replaces it):")
        for item in report.conflicts:
            click.echo(f"  conflict: {item}")


@content_group.command("export", help="Write the database's curriculum to DIR in the pack format.")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True)
@with_appcontext
def content_export(directory, as_json):
    from ..services.content_store import export_pack

    if directory.exists() and any(directory.iterdir()):
        raise click.BadParameter(f"{directory} is not empty; export into a new folder", param_hint="DIR")
    with database.connection_context():
        counts = export_pack(directory)
    if as_json:
        emit_json({**counts, "directory": str(directory)})
    else:
        click.echo(f"exported {counts['tracks']} track(s), {counts['modules']} module(s), "
                   f"{counts['lessons']} lesson(s) to {directory}")
