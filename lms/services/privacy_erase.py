"""Erasing a departed employee: the person becomes a stable pseudonym, while every figure the
system computes stays the same.

The rule (also in the README, "Privacy"):
- Identity: employee no. and name become the pseudonym 已离职-xxxxxx (derived from the user id,
  so erasing twice gives the same one); e-mail, language and last sign-in are cleared. The hire
  date stays: tenure bands of the impact report and the placement rules read it.
- Sign-in: password, one-time links and failed sign-ins under their number or e-mail are
  removed; the session counter moves on, so every open session ends. The account stays
  deactivated (erasing an active account is refused).
- Records that feed figures stay attached to the pseudonym unchanged: KPI rows, completions,
  quiz attempts and scores, evidence, micro-tasks, drill replies and case reviews with their
  grades and levels, tier history, memberships, mentor pairings.
- Free text that is theirs or is about them is replaced by ERASED_TEXT (or emptied where the
  field may be empty): their drill replies, micro-task answers, short-text quiz answers,
  case-review answers and techniques, dispute comments, the quoted phrases in script-checker
  findings; and what others wrote about them: grade and peer-review comments on their work,
  dispute resolutions, coaching sessions they received (topic, notes, action), manual-rating
  notes and tier-change reasons.
- News for them (notifications and their e-mail/chat copies) is deleted; where someone else's
  notification or a golden script's "approved by" carries their name, the name becomes the
  pseudonym.
- What they made for others stays, credited to the pseudonym: content they authored or
  published, golden scripts, proposals, grades and comments they gave, coaching notes they
  wrote about their mentees, API tokens they issued.
- The audit log is never changed (the database refuses): its entries name people by id, and
  show the person's current name, i.e. the pseudonym. Entries written before migration 0026
  named people by employee no.; that migration rewrote them to ids.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from ..db import write_transaction
from ..models import (CoachingSession, Dispute, DrillReply, GoldenScript, LoginFailure, ManualRating, MicroTask,
                      Notification, OneTimeToken, OutboxMessage, PeerReview, QuizAttempt, QuizResponse,
                      ReviewAssignment, ReviewGrade, ReviewSubmission, TierChange, User)
from . import accounts
from .messages import N_

PSEUDONYM_PREFIX = "已离职-"
ERASED_TEXT = "（已删除）"


class ErasureError(ValueError):
    """The erasure was refused; `message % args` says why."""

    def __init__(self, message: str, **values):
        super().__init__(message % values if values else message)
        self.message, self.values = message, values


@dataclass
class Erasure:
    user_id: int
    pseudonym: str
    already: bool  # it had been erased before: nothing changed
    counts: dict


def pseudonym_for(user_id: int, length: int = 6) -> str:
    digest = hashlib.blake2b(f"lms-erased:{user_id}".encode(), digest_size=16).hexdigest()
    return PSEUDONYM_PREFIX + digest[:length]


def pseudonym_of(user: User) -> str:
    """The user's pseudonym: stable, and unique among employee numbers (longer on a clash)."""
    for length in range(6, 33 - len(PSEUDONYM_PREFIX)):
        candidate = pseudonym_for(user.id, length)
        holder = User.get_or_none(User.employee_no == candidate)
        if holder is None or holder.id == user.id:
            return candidate
    raise ErasureError(N_("no free pseudonym for this person"))  # would take a 2^100 clash


def is_erased(user: User) -> bool:
    return user.employee_no.startswith(PSEUDONYM_PREFIX) and user.employee_no == pseudonym_of(user)


def check(user: User, actor: User | None) -> None:
    """Raise ErasureError when this person may not be erased (now, or by this actor)."""
    if actor is not None and actor.id == user.id:
        raise ErasureError(N_("you cannot erase yourself"))
    if user.active:
        raise ErasureError(N_("%(employee_no)s is still active: deactivate the account first, once they have left"),
                           employee_no=user.employee_no)


def erase(user: User, actor: User | None = None) -> Erasure:
    """Anonymise a deactivated person in one transaction (all of it, or nothing on error)."""
    with write_transaction():
        user = User.get_by_id(user.id)  # the row as it is now, inside the transaction
        check(user, actor)
        pseudonym = pseudonym_of(user)
        if is_erased(user):
            return Erasure(user.id, pseudonym, True, {})
        counts = _blank_text(user)
        counts.update(_drop_news_and_credentials(user))
        counts.update(_rename_elsewhere(user, pseudonym))
        (User.update(employee_no=pseudonym, name=pseudonym, email="", locale=None, password_hash=None,
                     must_change_password=True, session_version=User.session_version + 1, last_login_at=None,
                     active=False)
         .where(User.id == user.id).execute())
        counts = {key: value for key, value in counts.items() if value}
        accounts.audit("privacy.erase", user, actor, pseudonym=pseudonym, **counts)
    return Erasure(user.id, pseudonym, False, counts)


def _json_texts(raw: str | None, blank) -> str | None:
    """A JSON column with the person's words replaced, its shape (keys, scores) kept."""
    if not raw:
        return raw
    try:
        value = json.loads(raw)
    except ValueError:
        return json.dumps(ERASED_TEXT, ensure_ascii=False)
    return json.dumps(blank(value), ensure_ascii=False)


def _checker_blanked(value):
    """Script-checker findings quote the reply: the quotes go, rules and spans stay."""
    if isinstance(value, dict) and isinstance(value.get("findings"), list):
        for finding in value["findings"]:
            if isinstance(finding, dict) and "text" in finding:
                finding["text"] = ""
    return value


def _answers_blanked(value):
    """Case-review answers {case: {dimension: text}}: every text replaced, the keys kept."""
    if isinstance(value, dict):
        return {key: _answers_blanked(item) for key, item in value.items()}
    return ERASED_TEXT if isinstance(value, str) and value else value


def _blank_text(user: User) -> dict:
    counts = {}
    replies = list(DrillReply.select().where(DrillReply.user == user))
    for reply in replies:
        (DrillReply.update(text=ERASED_TEXT, comment="", checker=_json_texts(reply.checker, _checker_blanked))
         .where(DrillReply.id == reply.id).execute())
    counts["drill_replies"] = len(replies)

    tasks = list(MicroTask.select().where((MicroTask.user == user) & ((MicroTask.answer != "")
                                                                     | MicroTask.result.is_null(False))))
    for task in tasks:
        (MicroTask.update(answer=ERASED_TEXT if task.answer else "", result=_json_texts(task.result, _checker_blanked))
         .where(MicroTask.id == task.id).execute())
    counts["micro_tasks"] = len(tasks)

    responses = list(QuizResponse.select().join(QuizAttempt).where(QuizAttempt.user == user))
    texts = [r.id for r in responses if isinstance(_loads(r.answer), str)]
    if texts:
        QuizResponse.update(answer=json.dumps(ERASED_TEXT, ensure_ascii=False)).where(QuizResponse.id.in_(texts)).execute()
    counts["quiz_text_answers"] = len(texts)

    submissions = list(ReviewSubmission.select().join(ReviewAssignment).where(ReviewAssignment.user == user))
    for submission in submissions:
        (ReviewSubmission.update(answers=_json_texts(submission.answers, _answers_blanked), technique=ERASED_TEXT)
         .where(ReviewSubmission.id == submission.id).execute())
    counts["case_reviews"] = len(submissions)
    submission_ids = [s.id for s in submissions] or [0]
    ReviewGrade.update(comment="").where(ReviewGrade.submission.in_(submission_ids)).execute()
    PeerReview.update(comment="").where(PeerReview.submission.in_(submission_ids)).execute()
    grade_ids = ReviewGrade.select(ReviewGrade.id).where(ReviewGrade.submission.in_(submission_ids))
    Dispute.update(comment=ERASED_TEXT, resolution="").where(Dispute.grade.in_(grade_ids)).execute()

    counts["coaching_sessions"] = (CoachingSession.update(topic=ERASED_TEXT, notes="", action="")
                                   .where(CoachingSession.mentee == user).execute())
    counts["manual_ratings"] = ManualRating.update(note=ERASED_TEXT).where(ManualRating.user == user).execute()
    TierChange.update(reason="").where(TierChange.user == user).execute()
    return counts


def _loads(raw):
    try:
        return json.loads(raw)
    except (TypeError, ValueError):
        return None


def _drop_news_and_credentials(user: User) -> dict:
    notifications = Notification.select(Notification.id).where(Notification.user == user)
    OutboxMessage.delete().where(OutboxMessage.notification.in_(notifications)).execute()
    dropped = Notification.delete().where(Notification.user == user).execute()
    OneTimeToken.delete().where(OneTimeToken.user == user).execute()
    # Sign-in throttling counts failures by what was typed: the employee no. or the e-mail.
    keys = {user.employee_no.lower()} | ({user.email.lower()} if user.email else set())
    LoginFailure.delete().where((LoginFailure.kind == "account") & LoginFailure.key.in_(sorted(keys))).execute()
    return {"notifications": dropped}


def _rename_elsewhere(user: User, pseudonym: str) -> dict:
    """Their name where it was copied as text: others' news, a script's "approved by"."""
    renamed = 0
    if user.name:
        like = f"%{user.name}%"
        for note in Notification.select().where(Notification.title ** like | Notification.body ** like):
            (Notification.update(title=note.title.replace(user.name, pseudonym)[:200],
                                 body=note.body.replace(user.name, pseudonym))
             .where(Notification.id == note.id).execute())
            renamed += 1
        for message in OutboxMessage.select().where(OutboxMessage.subject ** like | OutboxMessage.body ** like):
            (OutboxMessage.update(subject=message.subject.replace(user.name, pseudonym)[:200],
                                  body=message.body.replace(user.name, pseudonym))
             .where(OutboxMessage.id == message.id).execute())
        GoldenScript.update(approved_by=pseudonym).where(GoldenScript.approved_by == user.name).execute()
    return {"notifications_renamed": renamed}
