"""Models, one module per aggregate; ALL_MODELS is every table in dependency order."""
from .people import (ROLES, TIERS, AuditLog, LoginFailure, Membership, OneTimeToken, RoleScope, Site,
                     Team, TierChange, User, UserRole)

ALL_MODELS = [Site, Team, User, UserRole, RoleScope, Membership, TierChange, LoginFailure,
              OneTimeToken, AuditLog]

__all__ = ["ALL_MODELS", "ROLES", "TIERS", "AuditLog", "LoginFailure", "Membership", "OneTimeToken",
           "RoleScope", "Site", "Team", "TierChange", "User", "UserRole"]
