"""Reports: the page and the downloads (counts: every member of staff, over their subtree),
and the e-mail subscriptions (health officers over the unit)."""

from django.urls import reverse

from sosuckhoe.analytics.models import ReportKind
from sosuckhoe.analytics.subscriptions import subscription_create
from sosuckhoe.console.tests.matrix import STAFF, Case
from sosuckhoe.console.tests.matrix.planning import OVER_COMMUNE_A, READS_COMMUNE_A, post_only
from sosuckhoe.console.tests.vaccination_day import SYSTEM
from sosuckhoe.supply.reference import supply_reference_load


def cases(cast) -> list[Case]:
    supply_reference_load()
    units = cast.units
    subscription = subscription_create(actor=SYSTEM, kind=ReportKind.DAILY, unit=units.commune_a,
                                       recipients="tramyte@namdinh.vn")  # fmt: skip
    new = {"kind": "stock", "recipients": "kho@ninhbinh.gov.vn", "unit": units.commune_a.code}
    url = reverse
    in_a = f"?unit={units.commune_a.code}"
    downloads = [
        Case("console:report_download", url("console:report_download", args=[kind, fmt]) + in_a,
             READS_COMMUNE_A, STAFF, post=None)
        for kind in ReportKind.values
        for fmt in ("xlsx", "pdf")
    ]  # fmt: skip
    return [
        Case("console:reports", url("console:reports"), STAFF, STAFF, post=None),
        Case("console:reports", url("console:reports") + in_a, READS_COMMUNE_A, STAFF, post=None),
        *downloads,
        post_only("console:subscription_new", url("console:subscription_new"), new,
                  OVER_COMMUNE_A),
        post_only("console:subscription_stop",
                  url("console:subscription_stop", args=[subscription.uuid]), {}, OVER_COMMUNE_A),
    ]  # fmt: skip
