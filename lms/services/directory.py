"""Listing people with their roles, site and teams, in few queries."""
from __future__ import annotations

from collections import defaultdict

from peewee import JOIN

from ..models import Membership, RoleScope, Site, Team, User, UserRole


def list_users(include_inactive: bool = True) -> list[dict]:
    """Users in the shape of `lms user list --json` (design.md §4)."""
    query = User.select().order_by(User.employee_no)
    if not include_inactive:
        query = query.where(User.active == True)  # noqa: E712
    users = list(query)
    roles = defaultdict(list)
    for row in UserRole.select().order_by(UserRole.role):
        roles[row.user_id].append(row.role)
    home = {m.user_id: m.team for m in Membership.select(Membership, Team, Site).join(Team).join(Site)
            .where(Membership.ended_on.is_null())}
    scopes = defaultdict(list)
    for scope in RoleScope.select(RoleScope, Site, Team).join(Site).switch(RoleScope).join(Team, JOIN.LEFT_OUTER):
        scopes[scope.user_id].append(scope)
    rows = []
    for user in users:
        teams, site = [], None
        team = home.get(user.id)
        if team is not None:
            teams.append(team.name)
            site = team.site.name
        for scope in scopes.get(user.id, []):
            site = site or scope.site.name
            if scope.team_id and scope.team.name not in teams:
                teams.append(scope.team.name)
        rows.append({"employee_no": user.employee_no, "name": user.name, "email": user.email,
                     "roles": roles.get(user.id, []), "site": site, "teams": teams, "tier": user.tier,
                     "active": user.active})
    return rows
