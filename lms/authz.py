"""Authorization in one place: who may do what, and which rows each user may see.

Views never hand-roll role checks: a route declares its rule with @requires/@public, an
object-level decision goes through can(), and every list query starts from a scoping
helper (visible_users, visible_teams) so an agent sees only their own records and a
trainer or manager only the teams and sites they are scoped to.
"""
from __future__ import annotations

import peewee as pw

from .models import TIERS, Membership, MentorPairing, RoleScope, Site, Team, User, UserRole

STAFF_ROLES = ("trainer", "manager")


def is_admin(user: User | None) -> bool:
    return user is not None and user.active and user.has_role("admin")


def scoped_team_ids(user: User) -> set[int] | None:
    """Teams a trainer/manager oversees (whole sites expanded); None means all (admin)."""
    if is_admin(user):
        return None
    cache = getattr(user, "_team_scope_cache", None)
    if cache is not None:
        return cache
    team_ids: set[int] = set()
    site_ids: set[int] = set()
    scopes = RoleScope.select().where((RoleScope.user == user) & RoleScope.role.in_(STAFF_ROLES))
    for scope in scopes:
        if not user.has_role(scope.role):
            continue  # a scope left over from a role the user no longer holds grants nothing
        if scope.team_id is None:
            site_ids.add(scope.site_id)
        else:
            team_ids.add(scope.team_id)
    if site_ids:
        team_ids.update(t.id for t in Team.select(Team.id).where(Team.site.in_(site_ids)))
    user._team_scope_cache = team_ids
    return team_ids


def visible_teams(user: User) -> pw.ModelSelect:
    query = Team.select(Team, Site).join(Site)
    team_ids = scoped_team_ids(user)
    if team_ids is None:
        return query
    return query.where(Team.id.in_(team_ids or [0]))


def visible_sites(user: User) -> pw.ModelSelect:
    if is_admin(user):
        return Site.select()
    team_ids = scoped_team_ids(user) or [0]
    return Site.select().where(Site.id.in_(Team.select(Team.site).where(Team.id.in_(team_ids)))).distinct()


def visible_users(user: User) -> pw.ModelSelect:
    """Users whose records this user may see: all for admins, the scoped teams' members for
    trainers and managers (plus themselves), and only themselves for everyone else."""
    query = User.select()
    team_ids = scoped_team_ids(user)
    if team_ids is None:
        return query
    if not team_ids:
        return query.where(User.id == user.id)
    members = (Membership.select(Membership.user)
               .where(Membership.team.in_(team_ids) & Membership.ended_on.is_null()))
    return query.where(User.id.in_(members) | (User.id == user.id))


def can(user: User | None, action: str, obj=None) -> bool:
    """The one object-level check. Unknown actions are denied."""
    if user is None or not user.active:
        return False
    if action in ("admin", "manage_people", "import_roster"):
        return is_admin(user)
    if action == "view_user":
        if obj.id == user.id or is_admin(user):
            return True
        return visible_users(user).where(User.id == obj.id).exists()
    if action == "view_team":
        team_ids = scoped_team_ids(user)
        return team_ids is None or obj.id in team_ids
    if action == "view_people":
        return is_admin(user) or user.has_role(*STAFF_ROLES)
    if action == "view_kpis":
        # The agent, their managers and trainers (scope), the mentors of their team and their own mentor.
        return (can(user, "view_user", obj)
                or (user.has_role("mentor") and (same_team(user, obj) or is_mentor_of(user, obj))))
    if action == "grade":
        # Trainers grade the agents of their teams; mentors their current mentees; nobody grades
        # themselves.
        if obj.id == user.id:
            return False
        if is_admin(user) or (user.has_role("trainer") and visible_users(user).where(User.id == obj.id).exists()):
            return True
        return user.has_role("mentor") and is_mentor_of(user, obj)
    if action == "curate_scripts":
        # The golden-script library: write, edit, approve, retire scripts and decide proposals.
        return is_admin(user) or user.has_role("trainer")
    if action == "propose_scripts":
        return is_admin(user) or user.has_role("mentor", "trainer")
    if action == "see_script_drafts":
        return is_admin(user) or user.has_role(*STAFF_ROLES)
    if action == "view_skills":
        # A skills profile and its evidence: whoever sees the agent, and the agent's current mentor.
        return can(user, "view_user", obj) or is_mentor_of(user, obj)
    if action == "rate_skills":
        # A manual rating: trainers (and admins) who see the agent; nobody rates themselves.
        return (obj.id != user.id and (is_admin(user) or user.has_role("trainer"))
                and can(user, "view_user", obj))
    if action == "view_import":
        # A KPI import's report lists agents' numbers: its uploader and admins only.
        return is_admin(user) or obj.actor_id == user.id
    if action == "open_content":
        # A track, bank or drill: agents open their own tier's and those below; staff open all.
        if is_admin(user) or user.has_role(*STAFF_ROLES):
            return True
        return user.has_role("agent") and tier_rank(obj.tier) <= tier_rank(user.tier)
    return False


def tier_rank(tier: str | None) -> int:
    return TIERS.index(tier) if tier in TIERS else -1


def users_with_role(role: str) -> pw.ModelSelect:
    return User.select().join(UserRole).where(UserRole.role == role)


def same_team(a: User, b: User) -> bool:
    """Both are current members of one team."""
    mine = Membership.select(Membership.team).where((Membership.user == a) & Membership.ended_on.is_null())
    return (Membership.select().where((Membership.user == b) & Membership.ended_on.is_null()
                                      & Membership.team.in_(mine)).exists())


def current_pairings(mentor: User) -> pw.ModelSelect:
    return MentorPairing.select().where((MentorPairing.mentor == mentor) & MentorPairing.ended_on.is_null())


def is_mentor_of(mentor: User, mentee: User) -> bool:
    return current_pairings(mentor).where(MentorPairing.mentee == mentee).exists()


def gradable_users(user: User) -> pw.ModelSelect:
    """Agents whose work this user may grade (see can(..., "grade", ...))."""
    if is_admin(user):
        return User.select().where(User.id != user.id)
    ids = set()
    if user.has_role("trainer"):
        ids.update(u.id for u in visible_users(user).select(User.id))
    if user.has_role("mentor"):
        ids.update(p.mentee_id for p in current_pairings(user))
    ids.discard(user.id)
    return User.select().where(User.id.in_(list(ids) or [0]))
