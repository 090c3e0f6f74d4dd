"""`lms placement review [--apply]`: proposed tier changes with every rule met or unmet."""
import click
from flask import current_app
from flask.cli import with_appcontext

from ..db import database
from . import cli, emit_json


@cli.group("placement", help="Tier placement.")
def placement_group():
    pass


@placement_group.command("review", help="List proposed promotions with each rule; --apply moves those that "
                                        "meet every rule.")
@click.option("--apply", "do_apply", is_flag=True, help="apply the proposals that meet every rule")
@click.option("--json", "as_json", is_flag=True)
@with_appcontext
def placement_review(do_apply, as_json):
    from ..models import User
    from ..services import placement

    settings = current_app.extensions["lms"].settings
    with database.atomic():
        agents = list(User.select().where(User.active == True).order_by(User.employee_no))  # noqa: E712
        proposals = placement.Reviewer(settings).review(agents)
        applied = []
        if do_apply:
            for proposal in proposals:
                if proposal.ready and placement.apply(proposal, actor=None, note="lms placement review --apply"):
                    applied.append(proposal.agent.employee_no)
    if as_json:
        emit_json({"proposals": [p.as_dict() for p in proposals], "applied": applied})
        return
    ready = [p for p in proposals if p.ready]
    click.echo(f"{len(proposals)} agent(s) reviewed, {len(ready)} meet every rule"
               + (f", {len(applied)} moved up" if do_apply else ""))
    for proposal in proposals:
        row = proposal.as_dict()
        mark = "READY" if proposal.ready else "     "
        click.echo(f"{mark} {row['employee_no']} {row['name']}: {row['current']} -> {row['proposed']}")
        for rule in row["rules"]:
            click.echo(f"      [{'x' if rule['met'] else ' '}] {rule['rule']}" + (f" ({rule['detail']})"
                                                                                  if rule["detail"] else ""))
