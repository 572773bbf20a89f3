"""The unit tree kept in the cache across requests, and made stale by loading units."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from sosuckhoe.places.cache import tree_cached, tree_changed
from sosuckhoe.places.models import AdminUnit
from sosuckhoe.places.services import CURRENT_EDITION, units_load
from sosuckhoe.testing.factories import PersonFactory

SEARCH = reverse("console:person_search")


def test_a_kept_value_is_read_once_until_the_tree_changes(db):
    reads = []

    def read() -> list[int]:
        reads.append(1)
        return [1, 2, 3]

    assert tree_cached("places:test", read) == [1, 2, 3]
    assert tree_cached("places:test", read) == [1, 2, 3]
    assert len(reads) == 1
    tree_changed()
    assert tree_cached("places:test", read) == [1, 2, 3]
    assert len(reads) == 2


def test_a_subtree_is_read_once_for_every_later_copy_of_the_unit(cast, django_assert_num_queries):
    units = cast.units
    expected = sorted([units.province.pk, units.commune_a.pk, units.commune_b.pk])
    with django_assert_num_queries(2):  # the unit, its subtree
        assert sorted(AdminUnit.objects.get(pk=units.province.pk).subtree_ids) == expected
    with django_assert_num_queries(1):  # the unit; its subtree comes from the cache
        assert sorted(AdminUnit.objects.get(pk=units.province.pk).subtree_ids) == expected


def test_a_second_search_takes_the_subtree_from_the_cache(cast):
    client = cast.client_for("province")
    client.get(SEARCH, {"q": "nguyen"})
    with CaptureQueriesContext(connection) as second:
        page = client.get(SEARCH, {"q": "nguyen"}).content.decode()
    assert cast.own_person.full_name in page
    assert not [q for q in second.captured_queries if q["sql"].startswith('SELECT "places_')]
    assert len(second.captured_queries) == 4  # session, user, persons, audit row


def test_units_added_by_the_loader_join_the_scope_of_the_next_request(
    cast, django_capture_on_commit_callbacks
):
    client = cast.client_for("province")
    client.get(SEARCH, {"q": "nguyen"})  # the province's three units are now kept
    with django_capture_on_commit_callbacks(execute=True):
        units_load(edition=CURRENT_EDITION)
    phu_ly = AdminUnit.objects.get(path="2025-07/37/13285/")
    PersonFactory(home_unit=phu_ly, full_name="Hoàng Văn Mới")
    assert "Hoàng Văn Mới" in client.get(SEARCH, {"q": "hoang van moi"}).content.decode()


def test_loading_an_unchanged_list_leaves_the_cache_alone(db, django_capture_on_commit_callbacks):
    units_load(edition=CURRENT_EDITION)
    with django_capture_on_commit_callbacks() as callbacks:
        units_load(edition=CURRENT_EDITION)
    assert callbacks == []
