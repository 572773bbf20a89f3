"""The only way vaccination records change; one module per part of the domain."""

from sosuckhoe.vaccination.services.assignment import AssignmentReport, registrations_assign
from sosuckhoe.vaccination.services.bookings import (
    SlotSpec,
    booking_cancel,
    booking_check_in,
    booking_create,
    booking_move,
    session_create,
    walk_in_check_in,
)
from sosuckhoe.vaccination.services.corrections import (
    correction_request_create,
    correction_request_resolve,
)
from sosuckhoe.vaccination.services.doses import dose_record, dose_void
from sosuckhoe.vaccination.services.eligibility import Eligibility, eligibility_check
from sosuckhoe.vaccination.services.reactions import (
    CausalitySteps,
    investigation_assess,
    reaction_outcome_set,
    reaction_record,
    reaction_watch_common,
)
from sosuckhoe.vaccination.services.reference import vaccination_reference_load
from sosuckhoe.vaccination.services.registrations import (
    registration_approve,
    registration_create,
    registration_mark_duplicate,
    registration_reject,
)
from sosuckhoe.vaccination.services.screening import Vitals, screening_record
from sosuckhoe.vaccination.services.tally import tally_enter

__all__ = [
    "AssignmentReport",
    "CausalitySteps",
    "Eligibility",
    "SlotSpec",
    "Vitals",
    "booking_cancel",
    "booking_check_in",
    "booking_create",
    "booking_move",
    "correction_request_create",
    "correction_request_resolve",
    "dose_record",
    "dose_void",
    "eligibility_check",
    "investigation_assess",
    "reaction_outcome_set",
    "reaction_record",
    "reaction_watch_common",
    "registration_approve",
    "registration_create",
    "registration_mark_duplicate",
    "registration_reject",
    "registrations_assign",
    "screening_record",
    "session_create",
    "tally_enter",
    "vaccination_reference_load",
    "walk_in_check_in",
]
