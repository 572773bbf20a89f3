"""The vaccination domain's tables, one module per part of a site's day."""

from sosuckhoe.vaccination.models.corrections import (
    CorrectionChannel,
    CorrectionKind,
    CorrectionRequest,
    CorrectionStatus,
    RequesterRelation,
)
from sosuckhoe.vaccination.models.doses import DailyTally, Dose, VoidKind
from sosuckhoe.vaccination.models.reactions import (
    SERIOUS_OUTCOMES,
    Answer,
    Classification,
    Investigation,
    KnownAssociation,
    Reaction,
    ReactionOutcome,
    TreatmentPlace,
)
from sosuckhoe.vaccination.models.reference import (
    OUTCOME_SEVERITY,
    AefiCategory,
    AefiTerm,
    AnswerType,
    FormKind,
    PriorityGroup,
    ScreeningForm,
    ScreeningItem,
    ScreeningOutcome,
)
from sosuckhoe.vaccination.models.registrations import (
    OPEN_REGISTRATION,
    Registration,
    RegistrationChannel,
    RegistrationStatus,
)
from sosuckhoe.vaccination.models.screening import Screening, ScreeningAnswer
from sosuckhoe.vaccination.models.sessions import (
    OPEN_BOOKING,
    PLACE_TAKEN,
    Booking,
    BookingStatus,
    SessionSlot,
    SessionStatus,
    VaccinationSession,
)

__all__ = [
    "OPEN_BOOKING",
    "OPEN_REGISTRATION",
    "OUTCOME_SEVERITY",
    "PLACE_TAKEN",
    "SERIOUS_OUTCOMES",
    "AefiCategory",
    "AefiTerm",
    "Answer",
    "AnswerType",
    "Booking",
    "BookingStatus",
    "Classification",
    "CorrectionChannel",
    "CorrectionKind",
    "CorrectionRequest",
    "CorrectionStatus",
    "DailyTally",
    "Dose",
    "FormKind",
    "Investigation",
    "KnownAssociation",
    "PriorityGroup",
    "Reaction",
    "ReactionOutcome",
    "Registration",
    "RegistrationChannel",
    "RegistrationStatus",
    "RequesterRelation",
    "Screening",
    "ScreeningAnswer",
    "ScreeningForm",
    "ScreeningItem",
    "ScreeningOutcome",
    "SessionSlot",
    "SessionStatus",
    "TreatmentPlace",
    "VaccinationSession",
    "VoidKind",
]
