"""The sites' daily tallies: how many doses the paper tally counted, per product and day."""

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sosuckhoe.accounts.audit import Actor
from sosuckhoe.accounts.models import AuditAction
from sosuckhoe.places.models import Facility
from sosuckhoe.supply.models import Product
from sosuckhoe.vaccination.models import DailyTally
from sosuckhoe.vaccination.services.common import (
    conflict_refused,
    record_audit,
    refusal,
    require_cover,
)


def _existing(site: Facility, day: dt.date, product: Product) -> DailyTally | None:
    rows = DailyTally.objects.select_for_update().filter(site=site, day=day, product=product)
    return rows.first()


@transaction.atomic
def tally_enter(
    *, actor: Actor, site: Facility, day: dt.date, product: Product, doses: int
) -> DailyTally:
    """Enter (or correct) the count of a product's doses a site's paper tally shows for a day."""
    require_cover(actor, site.unit)
    if day > timezone.localdate():
        raise refusal("day_in_future", _("A tally is entered for a day that has passed or today."))
    if doses < 0:
        raise refusal("doses_negative", _("The number of doses cannot be negative."))
    tally = _existing(site, day, product)
    before = tally.doses if tally else None
    if tally is None:
        with conflict_refused("tally_conflict", _("The tally was entered meanwhile; look again.")):
            tally = DailyTally.objects.create(
                site=site, day=day, product=product, doses=doses, entered_by=actor.user
            )
    else:
        tally.doses, tally.entered_by = doses, actor.user
        tally.save(update_fields=["doses", "entered_by", "updated_at"])
    record_audit(
        actor=actor,
        action=AuditAction.CREATE if before is None else AuditAction.UPDATE,
        record=tally,
        object_type="tally",
        scope_path=site.unit.path,
        summary=f"{site.name} {day:%d/%m/%Y} {product.key}: {doses}",
        changes={"doses": [before, doses]},
    )
    return tally
