"""The fixed cast every test plays with: two provinces, their communes, one user per role."""

import datetime as dt
import importlib
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from sosuckhoe.accounts.audit import Actor
from sosuckhoe.accounts.models import Role, StaffUser
from sosuckhoe.people.models import Person
from sosuckhoe.places.models import AdminUnit
from sosuckhoe.testing.factories import PersonFactory, UnitTree, build_unit_tree

PASSWORD = "correct-horse-battery-staple"


def browser_sign_in(page, live_server, username: str) -> None:  # type: ignore[no-untyped-def]
    """Sign a member of staff in through the console's form, in a Playwright page."""
    page.goto(live_server.url + reverse("console:login"))
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()


@dataclass
class Cast:
    units: UnitTree
    users: dict[str, StaffUser]
    # One person in each commune: "own" is in the commune of the commune officer.
    own_person: Person
    sibling_person: Person  # same province, the other commune
    foreign_person: Person  # another province
    district_person: Person  # a commune of a district, in the 3-level edition

    def client_for(self, key: str) -> Client:
        client = Client()
        client.force_login(self.users[key])
        return client

    def actor(self, key: str) -> Actor:
        return Actor(user=self.users[key], ip="127.0.0.1")


def _staff(username: str, role: Role, unit: AdminUnit) -> StaffUser:
    user = StaffUser(username=username, role=role, unit=unit)
    user.set_password(PASSWORD)
    user.save()
    return user


@pytest.fixture
def cast(db: None) -> Cast:
    units = build_unit_tree()
    users = {
        "site_staff": _staff("site", Role.SITE_STAFF, units.commune_a),
        "commune": _staff("commune", Role.COMMUNE, units.commune_a),
        "commune_other": _staff("commune_other", Role.COMMUNE, units.commune_b),
        "province": _staff("province", Role.PROVINCE, units.province),
        "province_other": _staff("province_other", Role.PROVINCE, units.other_province),
        "district": _staff("district", Role.DISTRICT, units.district),
        "national_admin": _staff("national", Role.NATIONAL_ADMIN, units.country),
        "analyst": _staff("analyst", Role.ANALYST, units.province),
    }
    return Cast(
        units=units,
        users=users,
        own_person=PersonFactory(home_unit=units.commune_a, full_name="Nguyễn Văn An"),
        sibling_person=PersonFactory(home_unit=units.commune_b, full_name="Trần Thị Bình"),
        foreign_person=PersonFactory(home_unit=units.other_commune, full_name="Lê Văn Cường"),
        district_person=PersonFactory(home_unit=units.district_commune, full_name="Vũ Thị Dung"),
    )


@pytest.fixture
def today() -> dt.date:
    """The project's day (Asia/Ho_Chi_Minh) when the test runs. Not the machine's, and not a
    module constant: one computed at collection is yesterday for tests run after midnight
    there (17:00 UTC)."""
    return timezone.localdate()


@pytest.fixture
def tomorrow(today: dt.date) -> dt.date:
    return today + dt.timedelta(days=1)


@pytest.fixture(autouse=True)
def _plain_static_files(settings) -> None:
    """Unhashed static URLs: tests run without `collectstatic`, so the manifest of hashed names
    does not exist, and the live server serves the apps' own files. WhiteNoise looks a file up
    when it is asked for: otherwise each test client's middleware would first list the files
    that a `make run` left in var/static (a quarter of a second, some thousand times a run)."""
    settings.WHITENOISE_AUTOREFRESH = True
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    """Each test starts with an empty cache: unit ids come back after a rollback (SQLite), and
    a subtree cached by an earlier test would belong to another tree."""
    cache.clear()


@pytest.fixture(autouse=True)
def _import_files_in_tmp(settings, tmp_path_factory) -> None:
    """Uploaded lists go to the test run's temporary folder, never to var/."""
    settings.IMPORT_DIR = tmp_path_factory.getbasetemp() / "imports"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings) -> None:
    """Argon2 is deliberately slow; tests that are not about hashing use a fast hasher."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


_audit_triggers = importlib.import_module("sosuckhoe.accounts.migrations.0002_audit_append_only")


@pytest.fixture
def audit_log_flushable(django_db_setup: None, django_db_blocker) -> Iterator[None]:  # type: ignore[no-untyped-def]
    """Lift the append-only triggers of the audit log around a transactional test: after it,
    Django empties every table (TRUNCATE or DELETE), which the triggers rightly refuse."""
    with django_db_blocker.unblock():
        with connection.schema_editor() as editor:
            _audit_triggers.backwards(None, editor)
        yield
        with connection.schema_editor() as editor:
            _audit_triggers.forwards(None, editor)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # Set up first, so that it is torn down last: after the flush of the transactional test.
    for item in items:
        names = getattr(item, "fixturenames", [])
        if "transactional_db" in names or "live_server" in names:
            names.insert(0, "audit_log_flushable")
