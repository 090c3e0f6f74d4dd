"""Script proposals (routes on the scripts blueprint): mentors and trainers propose a better
wording for a script or a new script; trainers accept or decline each with a comment."""
from __future__ import annotations

import json

from flask import abort, current_app, flash, redirect, render_template, request, url_for

from .. import authz
from ..i18n import gettext as _
from ..models import ScriptProposal
from ..services import script_library as library
from ..services import script_proposals as service
from ..services.script_pack import topic_label
from .access import current_user, requires
from .script_forms import CHANNEL_LABELS, SCENARIO_LABELS, DecideForm, ImproveForm, NewProposalForm, put_problems
from .scripts import bp


@bp.route("/<slug>/propose", methods=["GET", "POST"])
@requires("mentor", "trainer")
def propose(slug):
    script = library.visible(current_user(), slug)
    if script is None or script.status != "published":
        abort(404)
    form = ImproveForm(data=None if request.method == "POST" else {"after": script.after})
    if form.validate_on_submit():
        try:
            service.propose_improvement(script, current_user(), form.after.data, form.reason.data)
        except library.ScriptInvalid as exc:
            put_problems(form, exc.problems)
        else:
            flash(_("Proposal sent: a trainer will accept or decline it."), "success")
            return redirect(url_for("lms.scripts.show", slug=slug)), 303
    status = 400 if request.method == "POST" else 200
    return render_template("lms/scripts/propose.html", form=form, script=script), status


@bp.route("/propose", methods=["GET", "POST"])
@requires("mentor", "trainer")
def propose_new():
    form = NewProposalForm()
    form.fill_choices()
    if form.validate_on_submit():
        try:
            service.propose_new(current_user(), form.data_dict(), form.reason.data)
        except library.ScriptInvalid as exc:
            put_problems(form, exc.problems)
        else:
            flash(_("Proposal sent: a trainer will accept or decline it."), "success")
            return redirect(url_for("lms.scripts.proposals")), 303
    status = 400 if request.method == "POST" else 200
    return render_template("lms/scripts/propose.html", form=form, script=None), status


@bp.route("/proposals")
@requires("trainer", "mentor")
def proposals():
    user = current_user()
    curate = authz.can(user, "curate_scripts")
    return render_template("lms/scripts/proposals.html", curate=curate, form=DecideForm(),
                           queue=list(service.open_queue()) if curate else [],
                           decided=list(service.decided()) if curate else [],
                           mine=list(service.mine(user).limit(100)), details=_details,
                           scenario_labels=SCENARIO_LABELS, channel_labels=CHANNEL_LABELS, topic_label=topic_label)


def _details(proposal: ScriptProposal) -> dict:
    return json.loads(proposal.details or "{}")


@bp.route("/proposals/<int:proposal_id>/decide", methods=["POST"])
@requires("trainer")
def decide(proposal_id):
    proposal = ScriptProposal.get_or_none(ScriptProposal.id == proposal_id)
    if proposal is None:
        abort(404)
    form = DecideForm()
    if not form.validate_on_submit():
        abort(400)
    accept = request.form.get("decision") == "accept"
    try:
        service.decide(proposal, current_user(), accept, form.comment.data,
                         current_app.extensions["lms"].settings)
    except service.ProposalError as exc:
        flash(_(str(exc)), "error")
    except library.ScriptInvalid as exc:
        flash(_("The proposed script cannot be published: %(problems)s", problems=str(exc)), "error")
    else:
        flash(_("Accepted: the script is updated and the proposer credited.") if accept
              else _("Declined; the proposer is told why."), "success")
    return redirect(url_for("lms.scripts.proposals")), 303
