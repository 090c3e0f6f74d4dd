"""Mentor incubation: an elite agent (or a mentor) drafts a drill, a quiz question or a case; a
trainer who oversees the author's team reviews it — comments, asks for changes (the author
revises and resubmits, as often as needed), then publishes or rejects it. Publishing creates
the real content in the same transaction as the status change, so nothing is ever half-made;
the content stays linked to its draft, which is how it is credited to its author."""
from __future__ import annotations

import json

import peewee as pw

from .. import authz
from ..db import write_transaction
from ..models import (AUTHORED_KINDS, AuthoredComment, AuthoredItem, Case, Drill, Membership, Question, RoleScope,
                      Team, User, UserRole)
from . import clock
from .bank_authoring import BankError
from .cases import CaseError
from .incubation_payload import CHECKS, Problem, create_content, form_values, title_of
from .messages import N_
from .notify import notify_many

EDITABLE = ("draft", "changes_requested")
DECISIONS = ("changes_requested", "published", "rejected")
MAX_COMMENT = 4000


class IncubationError(ValueError):
    """A step that cannot be taken; `message` is a catalog string."""

    def __init__(self, message: str, **params):
        super().__init__(message % params if params else message)
        self.message, self.params = message, params


class Invalid(ValueError):
    """The draft's content has problems, each naming its field; nothing was saved."""

    def __init__(self, problems: list[Problem]):
        super().__init__("; ".join(f"{p.field}: {p.message}" for p in problems))
        self.problems = problems


def may_author(user: User | None) -> bool:
    """Elite agents and mentors design training (the tier's "mentor incubation")."""
    return (user is not None and user.active and user.has_role("agent")
            and (user.has_role("mentor") or user.tier == "elite"))


def may_review(user: User | None, item: AuthoredItem) -> bool:
    """Trainers (and admins) who oversee the author; nobody reviews their own draft."""
    if user is None or not user.active or user.id == item.author_id:
        return False
    return (authz.is_admin(user) or user.has_role("trainer")) and authz.can(user, "view_user", item.author)


def may_view(user: User | None, item: AuthoredItem) -> bool:
    return user is not None and (user.id == item.author_id or may_review(user, item))


def _check(kind: str, values: dict, author: User, item: AuthoredItem | None, settings: dict) -> dict:
    payload, problems = CHECKS[kind](values, author, item, settings)
    if problems:
        raise Invalid(problems)
    return payload


def save(author: User, kind: str, values: dict, settings: dict, item: AuthoredItem | None = None) -> AuthoredItem:
    """Create a draft (item None) or revise one that is a draft or has changes requested."""
    if item is None:
        if not may_author(author):
            raise IncubationError(N_("Authoring is open to elite agents and mentors."))
        if kind not in AUTHORED_KINDS:
            raise IncubationError(N_("Choose a drill, a question or a case."))
    elif item.author_id != author.id or item.status not in EDITABLE:
        raise IncubationError(N_("Only a draft, or one with changes requested, can be edited."))
    kind = item.kind if item else kind
    payload = _check(kind, values, author, item, settings)
    text = json.dumps(payload, ensure_ascii=False, sort_keys=True)
    with write_transaction():
        if item is None:
            return AuthoredItem.create(author=author, kind=kind, title=title_of(kind, payload), payload=text)
        AuthoredItem.update(title=title_of(kind, payload), payload=text, updated_at=clock.utcnow()).where(
            AuthoredItem.id == item.id).execute()
    return AuthoredItem.get_by_id(item.id)


def reviewer_ids(author: User) -> list[int]:
    """Active trainers whose scope holds one of the author's current teams (or its whole site)."""
    teams = list(Team.select().join(Membership).where((Membership.user == author) & Membership.ended_on.is_null()))
    if not teams:
        return []
    trainers = UserRole.select(UserRole.user).where(UserRole.role == "trainer")
    scopes = RoleScope.select(RoleScope.user).where(
        (RoleScope.role == "trainer") & (RoleScope.team.in_([t.id for t in teams])
                                         | (RoleScope.team.is_null() & RoleScope.site.in_([t.site_id for t in teams]))))
    return [u.id for u in User.select(User.id).where(User.active & User.id.in_(trainers) & User.id.in_(scopes)
                                                      & (User.id != author.id))]


def _note(item: AuthoredItem, user: User, action: str, body: str = "") -> None:
    AuthoredComment.create(item=item, user=user, action=action, body=(body or "").strip()[:MAX_COMMENT])


def submit(item: AuthoredItem, author: User, settings: dict, note: str = "") -> AuthoredItem:
    """Send a draft (or a revision) to review; the content is checked again first."""
    if item.author_id != author.id or item.status not in EDITABLE:
        raise IncubationError(N_("Only a draft, or one with changes requested, can be submitted."))
    _check(item.kind, form_values(item.kind, json.loads(item.payload)), author, item, settings)
    with write_transaction():
        won = (AuthoredItem.update(status="submitted", rounds=AuthoredItem.rounds + 1, submitted_at=clock.utcnow())
               .where((AuthoredItem.id == item.id) & AuthoredItem.status.in_(EDITABLE)).execute())
        if not won:
            raise IncubationError(N_("Only a draft, or one with changes requested, can be submitted."))
        _note(item, author, "submitted", note)
        rounds = item.rounds + 1
        notify_many("task", N_("A draft awaits your review"),
                    [(uid, f"incubation:{item.id}:submitted:{rounds}:user-{uid}", f"{author.name}: {item.title}",
                      f"/incubation/{item.id}") for uid in reviewer_ids(author)], settings=settings)
    return AuthoredItem.get_by_id(item.id)


def comment(item: AuthoredItem, user: User, body: str) -> AuthoredComment:
    if not may_view(user, item):
        raise IncubationError(N_("You cannot comment on this draft."))
    body = (body or "").strip()
    if not body:
        raise IncubationError(N_("Write a comment first."))
    if len(body) > MAX_COMMENT:
        raise IncubationError(N_("At most %(n)d characters."), n=MAX_COMMENT)
    return AuthoredComment.create(item=item, user=user, action="comment", body=body)


def decide(item: AuthoredItem, reviewer: User, decision: str, body: str, settings: dict) -> AuthoredItem:
    """Ask for changes, publish or reject a submitted draft. Publishing creates the content,
    the link, the thread entry and the author's notification in one transaction."""
    if not may_review(reviewer, item):
        raise IncubationError(N_("You cannot review this draft."))
    if decision not in DECISIONS:
        raise IncubationError(N_("Choose: request changes, publish or reject."))
    body = (body or "").strip()
    if decision != "published" and not body:
        raise IncubationError(N_("Say what should change, or why it is rejected."))
    if item.status != "submitted":
        raise IncubationError(N_("Only a submitted draft can be reviewed."))
    if decision == "published":  # what was valid when submitted may not be now (a slug taken since)
        _check(item.kind, form_values(item.kind, json.loads(item.payload)), item.author, item, settings)
    with write_transaction():
        won = (AuthoredItem.update(status=decision, decided_by=reviewer, decided_at=clock.utcnow())
               .where((AuthoredItem.id == item.id) & (AuthoredItem.status == "submitted")).execute())
        if not won:
            raise IncubationError(N_("Only a submitted draft can be reviewed."))
        if decision == "published":
            try:
                link = create_content(item, reviewer, settings)
            except (BankError, CaseError, pw.IntegrityError) as exc:  # a race the checks above could not see
                raise IncubationError(N_("The draft could not be published: %(problem)s"), problem=str(exc)) from exc
            AuthoredItem.update(**link).where(AuthoredItem.id == item.id).execute()
        _note(item, reviewer, decision, body)
        titles = {"changes_requested": N_("Changes requested on your draft"),
                  "published": N_("Your draft was published"), "rejected": N_("Your draft was not accepted")}
        notify_many("graded", titles[decision],
                    [(item.author_id, f"incubation:{item.id}:{decision}:{item.rounds}", item.title,
                      f"/incubation/{item.id}")], settings=settings, email=True)
    return AuthoredItem.get_by_id(item.id)


def queue(trainer: User):
    """Submitted drafts of the authors this trainer oversees, oldest first."""
    visible = authz.visible_users(trainer).select(User.id)
    return (AuthoredItem.select(AuthoredItem, User).join(User, on=(AuthoredItem.author == User.id))
            .where((AuthoredItem.status == "submitted") & AuthoredItem.author.in_(visible)
                   & (AuthoredItem.author != trainer.id))
            .order_by(AuthoredItem.submitted_at))


def items_of(author: User):
    return AuthoredItem.select().where(AuthoredItem.author == author).order_by(AuthoredItem.updated_at.desc())


def thread(item: AuthoredItem) -> list[AuthoredComment]:
    return list(AuthoredComment.select(AuthoredComment, User).join(User, on=(AuthoredComment.user == User.id),
                                                                   join_type=pw.JOIN.LEFT_OUTER)
                .where(AuthoredComment.item == item).order_by(AuthoredComment.created_at, AuthoredComment.id))


CREDIT_FIELDS = {Drill: "drill", Question: "question", Case: "case"}


def credit_of(row) -> User | None:
    """The author a published drill, question or case is credited to (None: not authored here)."""
    field = CREDIT_FIELDS.get(type(row))
    if field is None or getattr(row, "id", None) is None:
        return None
    item = (AuthoredItem.select(AuthoredItem, User).join(User, on=(AuthoredItem.author == User.id))
            .where(getattr(AuthoredItem, field) == row.id).first())
    return item.author if item else None
