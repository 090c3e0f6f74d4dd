"""Demo mentorship: each team's elite mentor coaches the team's newcomers (up to the configured
limit, from the newcomer's hire date), with a logged coaching session or two, and each mentee
has a scenario reply waiting for the mentor's grade. Safe to run twice (does nothing then)."""
from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

from ..models import CoachingSession, Drill, Membership, MentorPairing, User, UserRole
from . import clock, drills
from .demo import EMAIL_DOMAIN

TOPICS = (("投诉开场先共情，再道歉", "empathy", "每通投诉电话第一句先复述客户的感受"),
          ("承诺要带具体时间", "closing", "回复里的“尽快”一律换成几点前"),
          ("不说“不行”，先给替代方案", "objection-handling", "拒绝前先准备两个可选方案"))
REPLIES = ("非常抱歉让您久等了，我马上帮您查一下物流，尽快给您回复。",
           "您先别着急，这个问题我们这边处理不了，您可以联系快递公司问问。",
           "理解您的心情，这件事我来负责跟进，今天下午5点前给您回电。")


def record_demo_mentoring(settings: dict, assessments: Path, seed: int = 2026, today: dt.date | None = None) -> int:
    """Pairings, sessions and replies for the demo teams; returns the number of pairings made."""
    today = today or clock.today()
    if MentorPairing.select().join(User, on=(MentorPairing.mentor == User.id)).where(
            User.email.endswith(f"@{EMAIL_DOMAIN}")).exists():
        return 0
    rng = random.Random(seed)
    drill = Drill.get_or_none((Drill.tier == "newcomer") & Drill.published)
    mentors = (User.select().join(UserRole).where((UserRole.role == "mentor") & (User.tier == "elite")
                                                  & User.email.endswith(f"@{EMAIL_DOMAIN}")).order_by(User.employee_no))
    made = 0
    for mentor in mentors:
        team = Membership.get_or_none((Membership.user == mentor) & Membership.ended_on.is_null())
        if team is None:
            continue
        newcomers = (User.select().join(Membership, on=(Membership.user == User.id))
                     .where((Membership.team == team.team_id) & Membership.ended_on.is_null()
                            & (User.tier == "newcomer") & User.active).order_by(User.employee_no)
                     .limit(settings["mentoring.max_mentees"]))
        for mentee in newcomers:
            started = min(mentee.hire_date or today, today)
            MentorPairing.create(mentor=mentor, mentee=mentee, started_on=started)
            made += 1
            topic, skill, action = TOPICS[rng.randrange(len(TOPICS))]
            held = max(started, today - dt.timedelta(days=rng.randint(1, 6)))
            CoachingSession.create(mentor=mentor, mentee=mentee, held_on=held, topic=topic, skill=skill,
                                   action=action, follow_up_on=held + dt.timedelta(days=7),
                                   notes="一起回听了两通录音，逐句对照标准话术。")
            if drill is not None:
                drills.submit(mentee, drill, REPLIES[rng.randrange(len(REPLIES))], assessments)
    return made
