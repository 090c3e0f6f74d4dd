"""The role-aware navigation: each entry is shown to the roles that may open it."""
from __future__ import annotations

from ..i18n import lazy_gettext as _l

# endpoint, label, roles that see it (empty: every signed-in user; "tier:T": agents of tier T)
ENTRIES = [
    ("lms.home.index", _l("Home"), ()),
    ("lms.tasks.index", _l("Micro-tasks"), ("agent",)),
    ("lms.learn.index", _l("Learning"), ()),
    ("lms.briefings.index", _l("Briefings"), ()),
    ("lms.kpi.agent", _l("My KPIs"), ("agent",)),
    ("lms.timeline.agent", _l("My timeline"), ("agent",)),
    ("lms.profile.mine", _l("My skills"), ("agent",)),
    ("lms.path.index", _l("Recommended for you"), ("agent",)),
    ("lms.dashboard.index", _l("Dashboard"), ("manager", "trainer")),
    ("lms.impact.index", _l("Training impact"), ("manager", "trainer")),
    ("lms.drills.index", _l("Drills"), ("agent",)),
    ("lms.drills.queue", _l("Grading"), ("trainer", "mentor")),
    ("lms.reviews.grading", _l("Review grading"), ("trainer", "mentor")),
    ("lms.reviews.index", _l("Case reviews"), ()),
    ("lms.scripts.index", _l("Script library"), ()),
    ("lms.cases.index", _l("Cases"), ("trainer", "mentor", "manager")),
    ("lms.mentoring.index", _l("Mentorship"), ("manager", "trainer", "mentor")),
    ("lms.incubation.mine", _l("My drafts"), ("mentor", "tier:elite")),
    ("lms.incubation.queue", _l("Draft review"), ("trainer",)),
    ("lms.people.index", _l("People"), ("trainer", "manager")),
    ("lms.authoring.index", _l("Curriculum"), ("trainer",)),
    ("lms.placement.index", _l("Placement"), ("manager",)),
    ("lms.quiz.banks", _l("Question banks"), ("trainer",)),
    ("lms.kpi.upload", _l("KPI import"), ("trainer", "manager")),
    ("lms.admin.users", _l("Users"), ("admin",)),
    ("lms.admin.org", _l("Sites and teams"), ("admin",)),
    ("lms.roster.upload", _l("Roster import"), ("admin",)),
    ("lms.tokens.index", _l("API tokens"), ("admin",)),
    ("lms.audit.index", _l("Audit log"), ("admin",)),
]


def navigation(user) -> list[tuple[str, str]]:
    if user is None:
        return []
    is_admin = user.has_role("admin")
    return [(endpoint, label) for endpoint, label, roles in ENTRIES
            if not roles or is_admin or user.has_role(*roles)
            or (f"tier:{user.tier}" in roles and user.has_role("agent"))]
