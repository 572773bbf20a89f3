"""A vaccination site's day: choose the site and day, the queue, find or register who
arrives (by the CCCD card's QR code), the watch after each dose, the paper tally."""

import datetime as dt
from uuid import UUID

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from sosuckhoe.accounts.audit import Actor
from sosuckhoe.console.access import personal_data_view
from sosuckhoe.console.forms import PersonForm
from sosuckhoe.console.forms_vaccination import FindForm, SiteDayForm, TallyForm
from sosuckhoe.console.refusals import refusal_messages
from sosuckhoe.console.views.persons import save_person_form
from sosuckhoe.people.cccd_qr import cccd_qr_parse, is_cccd_qr
from sosuckhoe.people.models import IdKind
from sosuckhoe.people.selectors import persons_search
from sosuckhoe.places.models import Facility, UnitLevel
from sosuckhoe.supply.selectors import facilities_visible_to, products_active
from sosuckhoe.vaccination.models import Dose, Reaction, VaccinationSession
from sosuckhoe.vaccination.selectors import dose_read, session_queue, site_day_doses
from sosuckhoe.vaccination.services import reaction_watch_common, tally_enter

# How long a person stays under watch after a dose (QĐ 3802/QĐ-BYT: at least 30 minutes).
WATCH = dt.timedelta(minutes=30)


def sites_of(request: HttpRequest) -> QuerySet[Facility]:
    """The active vaccination sites of the user's unit subtree."""
    return facilities_visible_to(user=request.user).filter(is_vaccination_site=True, is_active=True)


def site_of(request: HttpRequest, site_uuid: UUID) -> Facility:
    """A site of the user's subtree; any other is not found."""
    site = sites_of(request).select_related("unit").filter(uuid=site_uuid).first()
    if site is None:
        raise Http404
    return site


def day_of(request: HttpRequest) -> dt.date:
    """The day asked for in `?day=`, today when none or malformed."""
    try:
        return dt.date.fromisoformat(request.GET.get("day", ""))
    except ValueError:
        return timezone.localdate()


def site_day_url(site: Facility, day: dt.date | None = None) -> str:
    url = reverse("console:site_day", args=[site.uuid])
    return f"{url}?day={day.isoformat()}" if day else url


@require_safe
@personal_data_view
def site_choose(request: HttpRequest) -> HttpResponse:
    sites = sites_of(request)
    form = SiteDayForm(
        request.GET if "site" in request.GET else None,
        sites=sites,
        initial={"day": timezone.localdate()},
    )
    if form.is_valid():
        return redirect(site_day_url(form.cleaned_data["site"], form.cleaned_data["day"]))
    return render(request, "console/site_choose.html", {"form": form, "sites": sites[:50]})


@require_safe
@personal_data_view
def site_day(request: HttpRequest, site_uuid: UUID) -> HttpResponse:
    actor, site, day = Actor.of_request(request), site_of(request, site_uuid), day_of(request)
    sessions = list(
        VaccinationSession.objects.filter(site=site, date=day).select_related("product")
    )
    queues = [(session, session_queue(actor=actor, session=session)) for session in sessions]
    doses = site_day_doses(actor=actor, site=site, day=day)
    context = {
        "site": site,
        "day": day,
        "is_today": day == timezone.localdate(),
        "queues": queues,
        "doses": doses,
        "watch": _watch(request, doses),
        "find_form": FindForm(),
        "tally_form": TallyForm(products=products_active()),
    }
    return render(request, "console/site_day.html", context)


def _watch(request: HttpRequest, doses: list[Dose]) -> list[tuple[Dose, dt.datetime, bool]]:
    """The valid doses of the day, each with the end of its watch and whether a reaction is
    already on record, the most recent first."""
    valid = [d for d in doses if d.is_valid]
    reactions = Reaction.objects.visible_to(request.user).filter(dose__in=valid, during_watch=True)
    reacted = set(reactions.values_list("dose_id", flat=True))
    return [(d, d.given_at + WATCH, d.pk in reacted) for d in reversed(valid)]


@require_safe
@personal_data_view
def site_find(request: HttpRequest, site_uuid: UUID) -> HttpResponse:
    """Who arrived: a QR string finds the card's holder or opens their registration; any other
    text is a search."""
    site, form = site_of(request, site_uuid), FindForm(request.GET)
    if not form.is_valid():
        return redirect(site_day_url(site))
    text = form.cleaned_data["q"]
    if is_cccd_qr(text):
        try:
            text = cccd_qr_parse(text).cccd
        except ValidationError as error:
            refusal_messages(request, error)
            return redirect(site_day_url(site))
    found = persons_search(actor=Actor.of_request(request), text=text)
    if len(found) == 1:
        return redirect("console:site_visit", site_uuid=site.uuid, person_uuid=found[0].uuid)
    if not found and is_cccd_qr(form.cleaned_data["q"]):
        register = reverse("console:site_register", args=[site.uuid])
        return redirect(f"{register}?{request.GET.urlencode()}")
    return render(
        request, "console/site_find.html", {"site": site, "found": found, "find_form": form}
    )


def _initial_from_qr(request: HttpRequest, site: Facility) -> dict[str, object]:
    """The registration form filled in from the card: name, birth, sex, CCCD, address."""
    initial: dict[str, object] = {"id_kind": IdKind.CCCD}
    if site.unit.level == UnitLevel.COMMUNE:
        initial["home_unit"] = site.unit
    try:
        card = cccd_qr_parse(request.GET.get("q", ""))
    except ValidationError:
        return initial
    return {
        **initial,
        "full_name": card.full_name,
        "birth_date": card.birth_date,
        "birth_year": card.birth_date.year,
        "sex": card.sex,
        "id_number": card.cccd,
        "address_line": card.address,
    }


@personal_data_view
def site_register(request: HttpRequest, site_uuid: UUID) -> HttpResponse:
    """Register someone who arrived and is not on record, then go on to their visit."""
    site = site_of(request, site_uuid)
    form = PersonForm(
        request.POST or None, initial=_initial_from_qr(request, site), unit=request.user.unit
    )
    if request.method == "POST" and (person := save_person_form(request, form, None)):
        messages.success(request, _("The person was registered."))
        return redirect("console:site_visit", site_uuid=site.uuid, person_uuid=person.uuid)
    return render(request, "console/person_form.html", {"form": form, "person": None, "site": site})


@require_POST
@personal_data_view
def site_common_reaction(request: HttpRequest, site_uuid: UUID, dose_uuid: UUID) -> HttpResponse:
    """The one click of the watch: a common reaction now, treated on site."""
    site, actor = site_of(request, site_uuid), Actor.of_request(request)
    dose = dose_read(actor=actor, dose_uuid=dose_uuid)
    if dose.site_id != site.pk:
        raise Http404
    try:
        reaction_watch_common(actor=actor, dose=dose)
    except ValidationError as error:
        refusal_messages(request, error)
    else:
        messages.success(
            request, _("A common reaction of %(name)s was recorded.") % {"name": dose.person}
        )
    return redirect(site_day_url(site))


@require_POST
@personal_data_view
def site_tally(request: HttpRequest, site_uuid: UUID) -> HttpResponse:
    """The count of the paper tally for the day shown."""
    site, day = site_of(request, site_uuid), day_of(request)
    form = TallyForm(request.POST, products=products_active())
    if not form.is_valid():
        messages.error(request, _("Choose a vaccine and give a number of doses."))
        return redirect(site_day_url(site, day))
    try:
        tally_enter(
            actor=Actor.of_request(request),
            site=site,
            day=day,
            product=form.cleaned_data["product"],
            doses=form.cleaned_data["doses"],
        )
    except ValidationError as error:
        refusal_messages(request, error)
    else:
        messages.success(request, _("The tally was saved."))
    return redirect(site_day_url(site, day))
