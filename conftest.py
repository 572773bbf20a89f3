"""The fixed cast every test plays with: two provinces, their communes, one user per role."""

import datetime as dt
from dataclasses import dataclass

import pytest
from django.test import Client

from sosuckhoe.accounts.audit import Actor
from sosuckhoe.accounts.models import Role, StaffUser
from sosuckhoe.people.models import Person
from sosuckhoe.places.models import AdminUnit
from sosuckhoe.testing.factories import PersonFactory, UnitTree, build_unit_tree

PASSWORD = "correct-horse-battery-staple"


@dataclass
class Cast:
    units: UnitTree
    users: dict[str, StaffUser]
    # One person in each commune: "own" is in the commune of the commune officer.
    own_person: Person
    sibling_person: Person  # same province, the other commune
    foreign_person: Person  # another province

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
        "national_admin": _staff("national", Role.NATIONAL_ADMIN, units.country),
        "analyst": _staff("analyst", Role.ANALYST, units.province),
    }
    return Cast(
        units=units,
        users=users,
        own_person=PersonFactory(home_unit=units.commune_a, full_name="Nguyễn Văn An"),
        sibling_person=PersonFactory(home_unit=units.commune_b, full_name="Trần Thị Bình"),
        foreign_person=PersonFactory(home_unit=units.other_commune, full_name="Lê Văn Cường"),
    )


@pytest.fixture
def today() -> dt.date:
    return dt.date.today()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings) -> None:
    """Argon2 is deliberately slow; tests that are not about hashing use a fast hasher."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
