"""`lms impact report --unit SLUG --kpi fcr|aht|csat [--json]`: did the unit move the KPI?"""
import sys

import click
from flask import current_app
from flask.cli import with_appcontext

from ..db import database
from . import cli, emit_json


@cli.group("impact", help="Training impact on service KPIs.")
def impact_group():
    pass


@impact_group.command("report", help="The KPI before vs after completing a module or track, trained agents "
                                     "against agents not yet trained (difference-in-differences, 95% CI).")
@click.option("--unit", "slug", required=True, help="a module, track or micro-task skill slug")
@click.option("--kpi", required=True, type=click.Choice(["fcr", "aht", "csat"]))
@click.option("--refresh", is_flag=True, help="recompute even if the cached result is current")
@click.option("--json", "as_json", is_flag=True)
@with_appcontext
def impact_report(slug, kpi, refresh, as_json):
    from ..services import impact

    with database.connection_context():
        try:
            unit = impact.find_unit(slug)
        except impact.UnknownUnit:
            click.echo(f"error: no module, track or micro-task skill {slug!r}", err=True)
            sys.exit(1)
        found = impact.report(unit, kpi, None, current_app.extensions["lms"].settings, refresh=refresh)
    result = found.result
    document = {"unit": slug, "kind": unit.kind, "kpi": kpi, "enough_data": result.enough_data,
                "reason": result.reason, "effect": result.effect, "ci_low": result.ci_low, "ci_high": result.ci_high,
                "n_treated": result.n_treated, "n_control": result.n_control, "pre_trend_ok": result.pre_trend_ok,
                "method": result.method, "computed_at": found.computed_at.isoformat(timespec="seconds") + "Z"}
    if as_json:
        emit_json(document)
        return
    if not result.enough_data:
        click.echo(f"{slug} / {kpi}: not enough data ({result.reason}); "
                   f"{result.n_treated} trained, {result.n_control} comparison agents")
        return
    unit_of = (lambda v: f"{v:+.1f} s") if kpi == "aht" else (lambda v: f"{v * 100:+.1f} points")
    trend = {True: "parallel before completion", False: "NOT parallel before completion: do not trust the estimate",
             None: "pre-trend not checkable"}[result.pre_trend_ok]
    click.echo(f"{slug} / {kpi}: effect {unit_of(result.effect)} (95% CI {unit_of(result.ci_low)} to "
               f"{unit_of(result.ci_high)}); {result.n_treated} trained vs {result.n_control} not yet trained; "
               f"trends {trend}")
    click.echo(f"method: {result.method}")
