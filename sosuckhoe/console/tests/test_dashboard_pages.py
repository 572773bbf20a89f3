"""The dashboard's pages: a commune's targets set from the console, and the charts' reads in a
few queries whatever the number of communes."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from sosuckhoe.accounts.models import AuditEvent
from sosuckhoe.analytics.dashboards import CHARTS
from sosuckhoe.analytics.models import TargetPopulation
from sosuckhoe.places.cache import tree_changed
from sosuckhoe.testing.factories import unit


def test_a_commune_officer_sets_their_communes_target_and_it_is_audited(cast):
    url = reverse("console:dashboard_targets") + f"?unit={cast.units.commune_a.code}"
    response = cast.client_for("commune").post(url, {"group": "0", "band": "", "persons": "1500"})
    assert response.status_code == 302
    target = TargetPopulation.objects.get(unit=cast.units.commune_a, priority_group=0)
    assert (target.persons, target.updated_by) == (1500, cast.users["commune"])
    assert AuditEvent.objects.filter(object_type="target", actor=cast.users["commune"]).exists()
    page = cast.client_for("province").get(url).content.decode()
    assert "1500" in page


def test_a_target_of_an_unknown_band_is_refused_with_a_message(cast):
    url = reverse("console:dashboard_targets") + f"?unit={cast.units.commune_a.code}"
    response = cast.client_for("commune").post(
        url, {"group": "0", "band": "99+", "persons": "10"}, follow=True
    )
    assert not TargetPopulation.objects.exists()
    assert [str(m) for m in response.context["messages"]]


def test_the_targets_page_of_a_unit_above_the_commune_is_not_found(cast):
    url = reverse("console:dashboard_targets")
    assert cast.client_for("province").get(url).status_code == 404


@pytest.mark.parametrize("slug", sorted(CHARTS))
def test_each_chart_reads_in_as_many_queries_for_ten_communes_as_for_two(cast, slug):
    client = cast.client_for("province")
    url = reverse("console:dashboard_json", args=[slug])
    client.get(url)  # the session's and the tree's caches, as on any later request
    with CaptureQueriesContext(connection) as two:
        client.get(url)
    for code in range(10):
        unit(f"9{code:04d}", f"Xã Thử {code}", "commune", cast.units.province)
    tree_changed()  # as units_load does: the province's subtree and children read again
    client.get(url)
    with CaptureQueriesContext(connection) as ten:
        client.get(url)
    assert len(ten) == len(two)
    assert len(two) <= 12
