"""Managing staff accounts: who may give which role in which unit, and what each change
leaves in the audit log. A refusal writes nothing."""

from collections.abc import Callable

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django_otp.plugins.otp_totp.models import TOTPDevice

from sosuckhoe.accounts.audit import Actor
from sosuckhoe.accounts.models import AuditAction, AuditEvent, Role, StaffUser
from sosuckhoe.accounts.services import (
    staff_create,
    staff_deactivate,
    staff_password_reset,
    staff_reactivate,
    staff_totp_reset,
    staff_update,
)
from sosuckhoe.messaging.models import OutboundMessage

STRONG = "mat-khau-rat-manh-2025"


def _written() -> tuple[object, ...]:
    """What a refused call must leave as it was."""
    return (
        list(StaffUser.objects.order_by("pk").values_list()),
        AuditEvent.objects.count(),
        TOTPDevice.objects.count(),
        OutboundMessage.objects.count(),
    )


def _create(cast, actor: str | Actor, **overrides: object) -> StaffUser:
    fields = {
        "username": "moi",
        "password": STRONG,
        "role": Role.COMMUNE,
        "unit": cast.units.commune_a,
    } | overrides
    return staff_create(actor=cast.actor(actor) if isinstance(actor, str) else actor, **fields)  # type: ignore[arg-type]


def test_a_province_officer_creates_an_account_in_their_province_and_it_is_audited(cast):
    user = _create(cast, "province", full_name="  Lê  Thị Hoa ", phone="0912 345 678")
    assert (user.first_name, user.phone, user.unit) == (
        "Lê Thị Hoa",
        "+84912345678",
        cast.units.commune_a,
    )
    assert user.check_password(STRONG)
    event = AuditEvent.objects.get(object_uuid=user.uuid)
    assert (event.actor_username, event.action, event.scope_path) == (
        "province",
        AuditAction.CREATE,
        cast.units.commune_a.path,
    )
    assert event.changes["role"] == [None, "commune"]
    assert event.changes["unit"] == [None, cast.units.commune_a.path]
    assert STRONG not in str(event.changes) + event.summary


def test_a_national_administrator_creates_accounts_anywhere_and_a_command_anything(cast):
    _create(cast, "national_admin", unit=cast.units.district, role=Role.DISTRICT)
    _create(
        cast, Actor.system("create_staff"), username="quantri2", role=Role.NATIONAL_ADMIN,
        unit=cast.units.country,
    )  # fmt: skip
    assert StaffUser.objects.filter(username__in=["moi", "quantri2"]).count() == 2


@pytest.mark.parametrize(
    ("actor", "overrides", "field"),
    [
        ("province", {"role": Role.NATIONAL_ADMIN}, "role"),  # above their own
        ("province", {"unit": "other_commune"}, "unit"),  # outside their province
        ("province", {"phone": "12"}, "phone"),
        ("province", {"username": "commune"}, "username"),  # taken
        ("province", {"password": "123"}, None),  # weak
        ("province_other", {}, "unit"),
    ],
)
def test_an_account_outside_the_rules_is_refused_and_nothing_is_written(
    cast, actor, overrides, field
):
    if overrides.get("unit") == "other_commune":
        overrides = {"unit": cast.units.other_commune}
    before = _written()
    with pytest.raises(ValidationError) as refused:
        _create(cast, actor, **overrides)
    if field:
        assert field in refused.value.message_dict
    assert _written() == before


@pytest.mark.parametrize("actor", ["commune", "district", "site_staff", "analyst"])
def test_staff_who_are_not_managers_create_no_account(cast, actor):
    before = _written()
    with pytest.raises(PermissionDenied):
        _create(cast, actor)
    assert _written() == before


def test_the_refusal_of_a_role_above_ones_own_reads_in_vietnamese(cast):
    with pytest.raises(ValidationError) as refused:
        _create(cast, "province", role=Role.NATIONAL_ADMIN)
    assert refused.value.message_dict["role"] == [
        "Bạn không thể cấp vai trò cao hơn vai trò của mình."
    ]


def test_a_change_is_audited_with_old_and_new_values(cast):
    member = cast.users["commune"]
    staff_update(
        actor=cast.actor("province"), user=member, full_name="Ngô Văn Bảo",
        unit=cast.units.commune_b, phone="0903123456", email="bao@example.vn",
    )  # fmt: skip
    member.refresh_from_db()
    assert (member.first_name, member.unit, member.phone) == (
        "Ngô Văn Bảo",
        cast.units.commune_b,
        "+84903123456",
    )
    event = AuditEvent.objects.get(object_uuid=member.uuid)
    assert event.action == AuditAction.UPDATE
    assert event.scope_path == cast.units.commune_b.path
    assert event.changes == {
        "full_name": ["", "Ngô Văn Bảo"],
        "unit": [cast.units.commune_a.path, cast.units.commune_b.path],
        "phone": ["", "+84903123456"],
        "email": ["", "bao@example.vn"],
    }


def test_a_change_that_changes_nothing_writes_nothing(cast):
    member = cast.users["commune"]
    before = _written()
    staff_update(actor=cast.actor("province"), user=member, role=Role.COMMUNE, full_name="")
    assert _written() == before


@pytest.mark.parametrize(
    ("actor", "target", "fields", "error"),
    [
        ("province", "commune", {"role": Role.NATIONAL_ADMIN}, ValidationError),
        ("province", "commune", {"unit": "other_commune"}, ValidationError),
        ("province", "province_other", {"full_name": "X"}, PermissionDenied),  # not theirs
        ("province", "district", {"full_name": "X"}, PermissionDenied),  # another edition
        ("commune", "site_staff", {"full_name": "X"}, PermissionDenied),  # not a manager
        ("province", "province", {"role": Role.COMMUNE}, ValidationError),  # demotes self
        ("province", "province", {"unit": "commune_a"}, ValidationError),  # moves self
        ("national_admin", "national_admin", {"role": Role.PROVINCE}, ValidationError),
    ],
)
def test_a_change_outside_the_rules_is_refused_and_nothing_is_written(
    cast, actor, target, fields, error
):
    fields = {
        name: getattr(cast.units, value) if name == "unit" else value
        for name, value in fields.items()
    }
    before = _written()
    with pytest.raises(error):
        staff_update(actor=cast.actor(actor), user=cast.users[target], **fields)
    assert _written() == before


def test_a_manager_changes_their_own_name_and_phone(cast):
    me = staff_update(actor=cast.actor("province"), user=cast.users["province"], full_name="Tôi")
    assert me.first_name == "Tôi"


def test_a_manager_cannot_touch_an_account_ranked_above_their_own_even_in_their_province(cast):
    boss = _create(
        cast, Actor.system("create_staff"), username="boss", role=Role.NATIONAL_ADMIN,
        unit=cast.units.province,
    )  # fmt: skip
    before = _written()
    for service in (staff_deactivate, staff_password_reset, staff_totp_reset):
        with pytest.raises(PermissionDenied):
            service(actor=cast.actor("province"), user=boss)
    with pytest.raises(PermissionDenied):
        staff_update(actor=cast.actor("province"), user=boss, full_name="X")
    assert _written() == before


def test_a_deactivated_account_is_audited_and_reactivated_the_same_way(cast):
    member = cast.users["commune"]
    staff_deactivate(actor=cast.actor("province"), user=member)
    member.refresh_from_db()
    assert not member.is_active
    staff_reactivate(actor=cast.actor("national_admin"), user=member)
    member.refresh_from_db()
    assert member.is_active
    events = AuditEvent.objects.filter(object_uuid=member.uuid).order_by("id")
    assert [(e.actor_username, e.changes) for e in events] == [
        ("province", {"is_active": [True, False]}),
        ("national", {"is_active": [False, True]}),
    ]


def test_nobody_deactivates_their_own_account(cast):
    before = _written()
    with pytest.raises(ValidationError):
        staff_deactivate(actor=cast.actor("national_admin"), user=cast.users["national_admin"])
    assert _written() == before


Service = Callable[..., object]
BUTTONS: list[Service] = [
    staff_deactivate,
    staff_reactivate,
    staff_password_reset,
    staff_totp_reset,
]


@pytest.mark.parametrize("service", BUTTONS, ids=lambda s: s.__name__)
@pytest.mark.parametrize("actor", ["province_other", "commune", "analyst"])
def test_an_account_outside_the_actors_scope_is_not_touched(cast, service, actor):
    TOTPDevice.objects.create(user=cast.users["commune"], name="authenticator", confirmed=True)
    before = _written()
    with pytest.raises(PermissionDenied):
        service(actor=cast.actor(actor), user=cast.users["commune"])
    assert _written() == before


def test_a_reset_password_is_returned_once_works_and_is_kept_nowhere_in_clear(cast):
    member = cast.users["commune"]
    old_hash = member.password
    password = staff_password_reset(actor=cast.actor("province"), user=member)
    member.refresh_from_db()
    assert len(password) >= 16
    assert member.password != old_hash
    assert member.check_password(password)
    event = AuditEvent.objects.get(object_uuid=member.uuid)
    assert password not in str(event.changes) + event.summary
    assert not OutboundMessage.objects.exists()  # no address to tell


def test_a_reset_password_is_announced_to_the_accounts_address_without_the_password(cast):
    member = staff_update(
        actor=cast.actor("province"), user=cast.users["commune"], email="xa@example.vn"
    )
    password = staff_password_reset(actor=cast.actor("province"), user=member)
    message = OutboundMessage.objects.get()
    assert message.to == "xa@example.vn"
    assert "province" in message.body
    assert "đặt lại" in message.body  # in Vietnamese, whatever the manager's language
    assert password not in message.body
    assert AuditEvent.objects.filter(object_uuid=message.uuid, actor_username="province").exists()


def test_two_resets_give_two_different_passwords(cast):
    first = staff_password_reset(actor=cast.actor("province"), user=cast.users["commune"])
    second = staff_password_reset(actor=cast.actor("province"), user=cast.users["commune"])
    assert first != second


def test_resetting_the_authenticator_removes_every_device_and_is_audited(cast):
    member = cast.users["commune"]
    TOTPDevice.objects.create(user=member, name="authenticator", confirmed=True)
    TOTPDevice.objects.create(user=member, name="authenticator", confirmed=False)
    staff_totp_reset(actor=cast.actor("national_admin"), user=member)
    assert not TOTPDevice.objects.filter(user=member).exists()
    event = AuditEvent.objects.get(object_uuid=member.uuid)
    assert event.changes == {"authenticators_removed": 2}
