"""Texts the vaccination services queue through the messaging layer, written in Vietnamese
(the language of the province's staff and residents) whatever language the sender reads."""

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from sosuckhoe.accounts.audit import Actor
from sosuckhoe.accounts.models import Role, StaffUser
from sosuckhoe.messaging.models import OutboundMessage
from sosuckhoe.messaging.services import message_queue
from sosuckhoe.places.models import AdminUnit
from sosuckhoe.vaccination.models import Booking, Reaction

# The officers told at once of a serious reaction in their area.
SERIOUS_REACTION_ROLES = (Role.COMMUNE, Role.DISTRICT, Role.PROVINCE)


def officers_over(unit: AdminUnit, roles: tuple[str, ...]) -> list[StaffUser]:
    """Active staff with one of `roles` whose unit is the unit or one above it."""
    units = [unit.pk, *unit.ancestors().values_list("pk", flat=True)]
    staff = StaffUser.objects.filter(is_active=True, role__in=roles, unit_id__in=units)
    return list(staff.order_by("id"))


def _address(user: StaffUser) -> str:
    return user.phone or user.email


def serious_reaction_notify(*, actor: Actor, reaction: Reaction) -> list[OutboundMessage]:
    """Tell the commune, district and province officers of the person's unit, by phone or
    e-mail. The text names no one: it gives the case's reference to open in the console."""
    dose = reaction.dose
    with translation.override(settings.LANGUAGE_CODE):
        body = _(
            "Serious reaction after vaccination, case %(case)s: %(vaccine)s given on %(day)s at "
            "%(site)s. Investigate within 24 hours."
        ) % {
            "case": str(reaction.uuid)[:8],
            "vaccine": dose.product.name,
            "day": dose.given_on.strftime("%d/%m/%Y"),
            "site": dose.site.name,
        }
        subject = _("Serious reaction after vaccination")
    recipients = officers_over(dose.person.home_unit, SERIOUS_REACTION_ROLES)
    return [
        message_queue(actor=actor, to=_address(user), subject=subject, body=body)
        for user in recipients
        if _address(user)
    ]


def booking_notify(*, actor: Actor, booking: Booking) -> OutboundMessage | None:
    """Tell the person their place and time, when they have a phone."""
    person, session = booking.person, booking.session
    if not person.phone:
        return None
    slot = booking.slot
    with translation.override(settings.LANGUAGE_CODE):
        body = _(
            "%(name)s: your vaccination (%(vaccine)s) is on %(day)s, %(time)s, at %(site)s. "
            "Bring your citizen ID card."
        ) % {
            "name": person.full_name,
            "vaccine": session.product.name,
            "day": session.date.strftime("%d/%m/%Y"),
            "time": str(slot) if slot else "",
            "site": session.site.name,
        }
    return message_queue(actor=actor, to=person.phone, body=body)
