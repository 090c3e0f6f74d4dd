"""Peer review of case-review submissions (advanced tier): each submission gets
`reviews.peer_reviews` reviews, served oldest first; a peer leases one while working on it, so
two peers never take the same slot; an unfinished lease expires and the slot goes to the next
peer. `reviews.peer_days` after the due day a submission stops waiting: small teams never
block, the grader's grade stands alone. Peers never see who else reviewed, nor the agent who."""
from __future__ import annotations

import datetime as dt
import json

import peewee as pw

from ..db import database, is_postgres, write_transaction
from ..models import PeerReview, ReviewAssignment, ReviewSet, ReviewSubmission, User
from . import clock, rubrics
from .messages import N_
from .review_grading import RUBRIC, GradingError

PEER_TIER = "advanced"


def _taken(now: dt.datetime):
    """Peer reviews that hold a slot: done, or leased and not expired."""
    return PeerReview.completed_at.is_null(False) | (PeerReview.leased_until > now)


def open_lease(reviewer: User, now: dt.datetime) -> PeerReview | None:
    return (PeerReview.select().where((PeerReview.reviewer == reviewer) & PeerReview.completed_at.is_null()
                                      & (PeerReview.leased_until > now)).first())


def next_for(reviewer: User, settings: dict, now: dt.datetime | None = None) -> PeerReview | None:
    """The reviewer's current lease, or a new one on the oldest submission that still needs a
    peer, from the sets they were given themselves; None when there is nothing to review."""
    if reviewer.tier != PEER_TIER:
        return None
    now = now or clock.utcnow()
    current = open_lease(reviewer, now)
    if current is not None:
        return current
    wanted, today = settings["reviews.peer_reviews"], clock.local(now).date()
    my_sets = ReviewAssignment.select(ReviewAssignment.review_set).where(ReviewAssignment.user == reviewer)
    mine = PeerReview.select(PeerReview.submission).where(PeerReview.reviewer == reviewer)
    candidates = (ReviewSubmission.select(ReviewSubmission.id).join(ReviewAssignment).join(ReviewSet)
                  .where((ReviewSubmission.version == 1) & (ReviewAssignment.user != reviewer)
                         & ReviewAssignment.review_set.in_(my_sets) & ReviewSubmission.id.not_in(mine)
                         & (ReviewSet.due_on >= today - dt.timedelta(days=settings["reviews.peer_days"])))
                  .order_by(ReviewSubmission.submitted_at, ReviewSubmission.id))
    for (submission_id,) in candidates.tuples():
        lease = _claim(submission_id, reviewer, wanted, now, settings["reviews.peer_lease_minutes"])
        if lease is not None:
            return lease
    return None


def _claim(submission_id: int, reviewer: User, wanted: int, now: dt.datetime, minutes: int) -> PeerReview | None:
    """A slot on this submission if one is free; the check and the claim in one transaction,
    the submission row locked on PostgreSQL (SQLite's write lock serialises it already)."""
    with write_transaction():
        if is_postgres():
            ReviewSubmission.select(ReviewSubmission.id).where(ReviewSubmission.id == submission_id).for_update().get()
        held = PeerReview.select().where((PeerReview.submission == submission_id) & _taken(now)).count()
        if held >= wanted:
            return None
        # A lapsed lease of this reviewer on it (none: mine excluded) or of others stays as history.
        try:
            with database.atomic():
                return PeerReview.create(submission=submission_id, reviewer=reviewer,
                                         leased_until=now + dt.timedelta(minutes=minutes))
        except pw.IntegrityError:
            return None


def complete(peer: PeerReview, reviewer: User, levels: dict[str, int | None], comment: str,
             now: dt.datetime | None = None) -> PeerReview:
    now = now or clock.utcnow()
    if peer.reviewer_id != reviewer.id:
        raise GradingError(N_("this peer review is not yours"))
    if peer.completed_at is not None:
        raise GradingError(N_("this peer review is already done"))
    if peer.leased_until <= now:
        raise GradingError(N_("your time for this review ran out; take the next one"))
    version = rubrics.current_version(RUBRIC)
    if version is None:
        raise GradingError(N_("the case-review rubric is not loaded"))
    result = rubrics.score(version, levels)
    PeerReview.update(levels=json.dumps(levels), score=result.score, comment=(comment or "").strip()[:2000],
                      completed_at=now).where(PeerReview.id == peer.id).execute()
    return PeerReview.get_by_id(peer.id)


def peer_scores(submission: ReviewSubmission) -> list[PeerReview]:
    """The finished peer reviews of a submission (shown without the reviewers' names)."""
    return list(PeerReview.select().where((PeerReview.submission == submission) & PeerReview.completed_at.is_null(False))
                .order_by(PeerReview.completed_at))


def waiting_for_peers(submission: ReviewSubmission, settings: dict, today: dt.date | None = None) -> bool:
    """Peers are still expected: too few done and the peer days not over (fallback after)."""
    today = today or clock.today()
    review_set = submission.assignment.review_set
    done = len(peer_scores(submission))
    return (submission.assignment.user.tier == PEER_TIER and done < settings["reviews.peer_reviews"]
            and today <= review_set.due_on + dt.timedelta(days=settings["reviews.peer_days"]))
