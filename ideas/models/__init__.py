"""Ideas, votes, pilots, agreements, feedback instruments, check-ins and responses: one module
per domain, every model importable from here (`from ideas.models import Pilot`)."""

from ideas.models.enrolment import Agreement, AgreementAcceptance, Enrolment, PilotInvitation
from ideas.models.feedback import Answer, CheckIn, FeedbackResponse, ResponseStatus
from ideas.models.ideas import Comment, Follow, Idea, IdeaStatus, IdeaTransition, Vote
from ideas.models.instrument import (
    KIND_RANGES,
    Dimension,
    Instrument,
    Phase,
    Question,
    QuestionKind,
    QuestionRole,
)
from ideas.models.pilots import Pilot, PilotDecision, PilotState
from ideas.models.reminders import Reminder

__all__ = [
    "KIND_RANGES",
    "Agreement",
    "AgreementAcceptance",
    "Answer",
    "CheckIn",
    "Comment",
    "Dimension",
    "Enrolment",
    "FeedbackResponse",
    "Follow",
    "Idea",
    "IdeaStatus",
    "IdeaTransition",
    "Instrument",
    "Phase",
    "Pilot",
    "PilotDecision",
    "PilotInvitation",
    "PilotState",
    "Question",
    "QuestionKind",
    "QuestionRole",
    "Reminder",
    "ResponseStatus",
    "Vote",
]
