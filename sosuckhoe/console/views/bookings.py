"""A booking changed by staff where bookings are shown (a person's history, a site's queue):
cancelled, or moved to a time slot of an open session at a site of the user's unit. A second
sending of either (a double click) is refused by the service: the booking is no longer open."""

from uuid import UUID

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Case, F, QuerySet, When
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sosuckhoe.accounts.audit import Actor
from sosuckhoe.console.access import personal_data_view
from sosuckhoe.console.forms_bookings import BookingCancelForm, BookingMoveForm
from sosuckhoe.console.refusals import refusal_messages, refusal_on_form
from sosuckhoe.console.views.sites import sites_of
from sosuckhoe.vaccination.models import Booking, SessionSlot, SessionStatus
from sosuckhoe.vaccination.selectors import booking_for_change, booking_read
from sosuckhoe.vaccination.services import booking_cancel, booking_move

# A national administrator could move a booking to any slot of the country: the list offers
# the nearest ones, the booking's own site first.
SLOTS_OFFERED = 200


def _back(request: HttpRequest, booking: Booking, target: str) -> HttpResponse:
    """Back to the page the button was on (a path of this site), else the person's page."""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect("console:person", person_uuid=booking.person.uuid)


@require_POST
@personal_data_view
def booking_cancel_view(request: HttpRequest, booking_uuid: UUID) -> HttpResponse:
    actor = Actor.of_request(request)
    booking = booking_for_change(actor=actor, booking_uuid=booking_uuid)
    form = BookingCancelForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The reason is too long."))
        return _back(request, booking, request.POST.get("next", ""))
    try:
        booking_cancel(actor=actor, booking=booking, reason=form.cleaned_data["reason"])
    except ValidationError as error:
        refusal_messages(request, error)
    else:
        messages.success(request, _("The booking was cancelled."))
    return _back(request, booking, form.cleaned_data["next"])


def _slots(request: HttpRequest, booking: Booking) -> QuerySet[SessionSlot]:
    """Slots with places left in open sessions of the booking's vaccine from today on, at the
    active sites of the user's unit; the booking's own site first, then by day."""
    candidates = (
        SessionSlot.objects.filter(
            session__site__in=sites_of(request),
            session__status=SessionStatus.OPEN,
            session__date__gte=timezone.localdate(),
            session__product_id=booking.session.product_id,
            booked__lt=F("capacity"),
        )
        .exclude(pk=booking.slot_id)
        .annotate(elsewhere=Case(When(session__site_id=booking.session.site_id, then=0), default=1))
        .order_by("elsewhere", "session__date", "session__site__name", "starts_at", "pk")
    )
    # The ids first: a form's queryset is filtered again when sent, which a slice forbids.
    offered = list(candidates.values_list("pk", flat=True)[:SLOTS_OFFERED])
    return candidates.filter(pk__in=offered).select_related("session__site", "session__product")


@personal_data_view
def booking_move_view(request: HttpRequest, booking_uuid: UUID) -> HttpResponse:
    """The slots the booking may move to; the one chosen takes it."""
    actor = Actor.of_request(request)
    booking = booking_read(actor=actor, booking_uuid=booking_uuid)
    form = BookingMoveForm(
        request.POST if request.method == "POST" else None,
        slots=_slots(request, booking),
        initial={"next": request.GET.get("next", "")},
    )
    if form.is_valid():
        try:
            moved = booking_move(actor=actor, booking=booking, to_slot=form.cleaned_data["slot"])
        except ValidationError as error:
            refusal_on_form(form, error)
        else:
            messages.success(
                request,
                _("The booking was moved to %(day)s %(slot)s.")
                % {"day": f"{moved.session.date:%d/%m/%Y}", "slot": moved.slot},
            )
            return _back(request, booking, form.cleaned_data["next"])
    return render(request, "console/booking_move.html", {"booking": booking, "form": form})
