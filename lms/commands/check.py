"""`lms check-reply`: the script checker on one reply, as a report or as JSON (design.md §4)."""
import sys

import click
from flask.cli import with_appcontext

from .content import assessments_dir
from . import cli, emit_json


@cli.command("check-reply", help="Check one agent reply (TEXT, or - to read it from stdin) against the script "
                                 "rules of a scenario: findings, scenario elements, emotion-soothing formula, score.")
@click.option("--scenario", required=True, metavar="NAME", help="complaint, consultation or after_sales")
@click.argument("text")
@click.option("--json", "as_json", is_flag=True)
@with_appcontext
def check_reply(scenario, text, as_json):
    from ..services.script_check import UnknownScenario
    from ..services.script_check import check_reply as check
    from ..services.script_rules import RulesError, load_rules

    if text == "-":
        text = sys.stdin.read()
    if not text.strip():
        raise click.BadParameter("the reply is empty", param_hint="TEXT")
    try:
        rules = load_rules(assessments_dir())
    except RulesError as exc:
        for problem in exc.problems:
            click.echo(problem, err=True)
        click.echo(f"{len(exc.problems)} problem(s) in the script-check rules; nothing was checked.", err=True)
        sys.exit(1)
    try:
        result = check(text, scenario, rules)
    except UnknownScenario as exc:
        raise click.BadParameter(f"unknown scenario {scenario!r}; valid: {', '.join(exc.valid)}",
                                 param_hint="--scenario") from None
    if as_json:
        emit_json(result.as_dict())
        return
    frame = rules.scenarios[scenario]
    click.echo(f"scenario {scenario} ({frame.label}): score {result.score}/100")
    click.echo(f"findings: {len(result.findings)}")
    for finding in result.findings:
        start, end = finding.start, finding.end
        click.echo(f"  [{finding.severity}] {finding.category} ({finding.rule}) at {start}-{end}: “{finding.text}”")
        click.echo(f"      {finding.suggestion}")
    click.echo("elements:")
    for name, present in result.elements.items():
        click.echo(f"  [{'x' if present else ' '}] {name} ({rules.elements[name].label})")
    click.echo("formula:")
    for name, present in result.formula.items():
        click.echo(f"  [{'x' if present else ' '}] {name} ({rules.formula[name].label})")
