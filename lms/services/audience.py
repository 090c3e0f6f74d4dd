"""Who a briefing or a review set is for: active agents in its tiers (every tier if none) and
its teams (every team if none), stored as JSON lists on the row."""
from __future__ import annotations

import json

import peewee as pw

from ..models import Membership, User, UserRole


def agents_in(tiers_json: str, team_ids_json: str | None) -> pw.ModelSelect:
    query = User.select().where(User.active & User.id.in_(UserRole.select(UserRole.user).where(UserRole.role == "agent")))
    tiers = json.loads(tiers_json or "[]")
    if tiers:
        query = query.where(User.tier.in_(tiers))
    if team_ids_json is not None:
        members = Membership.select(Membership.user).where(
            Membership.ended_on.is_null() & Membership.team.in_(json.loads(team_ids_json) or [0]))
        query = query.where(User.id.in_(members))
    return query


def addressed_to(user: User, tiers_json: str, team_ids_json: str | None, teams: set[int]) -> bool:
    """The same rule for one agent whose current teams are known (no query)."""
    tiers = json.loads(tiers_json or "[]")
    return (not tiers or user.tier in tiers) and (team_ids_json is None or bool(teams & set(json.loads(team_ids_json))))
