"""Script proposals: a mentor or trainer proposes a better wording for a script, or a new
script; a trainer accepts it (the script is updated or created, the proposer credited) or
declines it with a comment. Either way the proposer is notified."""
from __future__ import annotations

import json

from .. import authz
from ..db import write_transaction
from ..models import GoldenScript, ScriptProposal, User
from . import clock, script_library
from .messages import N_
from .notify import notify_many
from .script_pack import LIMITS, field_problems
from .script_search import reindex

NEW_FIELDS = ("title", "scenario", "topic", "channel", "situation", "before", "elements", "why")


class ProposalError(ValueError):
    """The proposal or decision cannot be accepted; the message (a catalog string) says why."""


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise script_library.ScriptInvalid([("reason", N_("required"), {})])
    if len(reason) > 2000:
        raise script_library.ScriptInvalid([("reason", N_("longer than %(n)d characters"), {"n": 2000})])
    return reason


def propose_improvement(script: GoldenScript, user: User, after: str, reason: str) -> ScriptProposal:
    if not authz.can(user, "propose_scripts"):
        raise ProposalError(N_("only mentors and trainers propose scripts"))
    after = (after or "").strip()
    problems = [p for p in field_problems({"after": after}, required=("after",))]
    if after == script.after.strip():
        problems.append(("after", N_("the same as the script's wording"), {}))
    if problems:
        raise script_library.ScriptInvalid(problems)
    return ScriptProposal.create(kind="improve", script=script, proposer=user, after=after,
                                 reason=_reason(reason))


def propose_new(user: User, data: dict, reason: str) -> ScriptProposal:
    if not authz.can(user, "propose_scripts"):
        raise ProposalError(N_("only mentors and trainers propose scripts"))
    fields = {name: data.get(name) if name == "elements" else (data.get(name) or "").strip()
              for name in NEW_FIELDS + ("after",)}
    problems = field_problems(fields)
    if problems:
        raise script_library.ScriptInvalid(problems)
    details = {name: fields[name] for name in NEW_FIELDS}
    return ScriptProposal.create(kind="new", proposer=user, after=fields["after"], reason=_reason(reason),
                                 details=json.dumps(details, ensure_ascii=False))


def open_queue():
    return (ScriptProposal.select().where(ScriptProposal.status == "open").order_by(ScriptProposal.created_at))


def decided(limit: int = 50):
    return (ScriptProposal.select().where(ScriptProposal.status != "open")
            .order_by(ScriptProposal.decided_at.desc()).limit(limit))


def mine(user: User):
    return ScriptProposal.select().where(ScriptProposal.proposer == user).order_by(ScriptProposal.created_at.desc())


def decide(proposal: ScriptProposal, trainer: User, accept: bool, comment: str, settings=None) -> ScriptProposal:
    """Accept (the script changes; a new script is published, credited to the proposer) or
    decline; once only. The proposer is told either way."""
    if not authz.can(trainer, "curate_scripts"):
        raise ProposalError(N_("only trainers decide proposals"))
    comment = (comment or "").strip()
    if len(comment) > LIMITS["why"]:
        raise ProposalError(N_("the comment is too long"))
    if not accept and not comment:
        raise ProposalError(N_("say why the proposal is declined"))
    with write_transaction():
        won = (ScriptProposal.update(status="accepted" if accept else "declined", comment=comment,
                                     decided_by=trainer, decided_at=clock.utcnow())
               .where((ScriptProposal.id == proposal.id) & (ScriptProposal.status == "open")).execute())
        if not won:
            raise ProposalError(N_("this proposal was already decided"))
        script = proposal.script
        if accept and proposal.kind == "improve":
            GoldenScript.update(after=proposal.after, updated_at=clock.utcnow(), updated_by=trainer,
                                approver=trainer, approved_at=clock.utcnow()) \
                .where(GoldenScript.id == script.id).execute()
            reindex(GoldenScript.get_by_id(script.id))
        elif accept:
            data = {**json.loads(proposal.details), "after": proposal.after}
            script = script_library.create(data, trainer, source="proposal", author=proposal.proposer,
                                           status="published")
            ScriptProposal.update(script=script).where(ScriptProposal.id == proposal.id).execute()
        link = f"/scripts/{script.slug}" if accept else "/scripts/proposals"
        title = N_("Your script proposal was accepted") if accept else N_("Your script proposal was declined")
        body = (script.title if script else json.loads(proposal.details).get("title", ""))[:200]
        notify_many("graded", title, [(proposal.proposer_id, f"script-proposal:{proposal.id}", body, link)],
                    settings=settings, email=True)
    return ScriptProposal.get_by_id(proposal.id)
