"""Models, one module per aggregate; ALL_MODELS is every table in dependency order."""
from .assessment import (Bank, BankAnalysis, Drill, DrillReply, Evidence, Question, QuizAttempt, QuizResponse,
                         Rubric, RubricVersion, Skill)
from .briefing import Briefing, BriefingAck
from .capability import ManualRating, PathRecommendation
from .cases import CASE_KINDS, Case, CaseAttachment
from .incubation import AUTHORED_KINDS, AUTHORED_STATUSES, AuthoredComment, AuthoredItem
from .curriculum import ACTIVITY_KINDS, Activity, Completion, ContentChange, Module, ModulePrerequisite, Track
from .kpi import ApiToken, ImpactCache, KpiChange, KpiDaily, KpiImport, KpiWeekly
from .reviews import (DIMENSIONS, DISPUTE_OUTCOMES, CalibrationRound, CalibrationScore, Dispute, PeerReview, ReviewAssignment, ReviewGrade, ReviewSet, ReviewSetCase,
                      ReviewSubmission, Technique)
from .practice import MICROTASK_KINDS, MICROTASK_KPIS, MicroTask, MicroTemplate, RotaDay, TriggeredAssignment
from .mentoring import CoachingSession, MentorPairing
from .scripts import (SCRIPT_CHANNELS, PROPOSAL_KINDS, PROPOSAL_STATUSES, SCRIPT_SOURCES, SCRIPT_STATUSES, GoldenScript,
                      GoldenScriptGram, ScriptProposal)
from .notify import Notification, OutboxMessage
from .ops import JOB_RUN_STATUSES, JobRun
from .people import (ROLES, TIERS, prime_roles, AuditLog, LoginFailure, Membership, OneTimeToken, RoleScope, Site,
                     Team, TierChange, User, UserRole)

ALL_MODELS = [Site, Team, User, UserRole, RoleScope, Membership, TierChange, LoginFailure,
              OneTimeToken, AuditLog, Track, Module, ModulePrerequisite, Activity, Completion, ContentChange,
              Skill, Bank, Question, Drill, Rubric, RubricVersion, QuizAttempt, QuizResponse, Evidence,
              BankAnalysis, DrillReply, KpiImport, KpiDaily, KpiWeekly, KpiChange, ApiToken, ImpactCache,
              MicroTemplate, MicroTask, RotaDay, TriggeredAssignment, Briefing, BriefingAck,
              Notification, OutboxMessage, JobRun, Case,
              ReviewSet, ReviewSetCase, ReviewAssignment, ReviewSubmission, ReviewGrade, Dispute,
              PeerReview, CalibrationRound, CalibrationScore, CaseAttachment, Technique,
              MentorPairing, CoachingSession, GoldenScript, GoldenScriptGram, ScriptProposal, ManualRating, PathRecommendation, AuthoredItem, AuthoredComment]

__all__ = ["prime_roles", "AUTHORED_KINDS", "AUTHORED_STATUSES", "AuthoredComment", "AuthoredItem", "ManualRating", "PathRecommendation", "SCRIPT_CHANNELS", "PROPOSAL_KINDS", "PROPOSAL_STATUSES", "SCRIPT_SOURCES", "SCRIPT_STATUSES",
           "GoldenScript", "GoldenScriptGram", "ScriptProposal", "CoachingSession", "MentorPairing", "CaseAttachment", "Technique", "CalibrationRound", "CalibrationScore", "PeerReview", "DISPUTE_OUTCOMES", "Dispute", "ReviewGrade", "DIMENSIONS", "ReviewAssignment", "ReviewSet", "ReviewSetCase", "ReviewSubmission", "CASE_KINDS", "Case", "JobRun", "JOB_RUN_STATUSES", "Notification", "OutboxMessage", "Briefing", "BriefingAck", "MICROTASK_KINDS", "MICROTASK_KPIS", "MicroTask", "MicroTemplate", "RotaDay", "TriggeredAssignment", "ApiToken", "KpiChange", "KpiDaily", "KpiImport", "KpiWeekly", "ImpactCache", "Bank", "BankAnalysis", "DrillReply", "Drill", "Evidence", "Question", "QuizAttempt", "QuizResponse",
           "Rubric", "RubricVersion",
           "Skill",
           "ACTIVITY_KINDS", "Activity", "Completion", "ContentChange", "Module", "ModulePrerequisite", "Track",
           "ALL_MODELS", "ROLES", "TIERS", "AuditLog", "LoginFailure", "Membership", "OneTimeToken",
           "RoleScope", "Site", "Team", "TierChange", "User", "UserRole"]
