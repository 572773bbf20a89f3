# Requests to correct a vaccination record, entered by staff for a citizen and answered by an officer.

import django.db.models.deletion
import uuid
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0007_duplicate_finder"),
        ("vaccination", "0005_reactions_and_investigations"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="CorrectionRequest",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("uuid", models.UUIDField(default=uuid.uuid4, editable=False, unique=True)),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("missing_dose", "A dose is missing"),
                            ("wrong_date", "Wrong date of a dose"),
                            ("wrong_vaccine", "Wrong vaccine or lot"),
                            ("not_this_person", "A dose of someone else"),
                            ("wrong_details", "Wrong name, birth date or other personal details"),
                            ("other", "Other"),
                        ],
                        max_length=20,
                        verbose_name="what is wrong",
                    ),
                ),
                (
                    "should_read",
                    models.TextField(max_length=1000, verbose_name="what the record should say"),
                ),
                (
                    "evidence",
                    models.CharField(blank=True, max_length=300, verbose_name="evidence seen"),
                ),
                (
                    "channel",
                    models.CharField(
                        choices=[
                            ("at_station", "At the health station"),
                            ("phone", "By phone"),
                            ("portal", "Citizen portal"),
                        ],
                        max_length=12,
                        verbose_name="received via",
                    ),
                ),
                ("requester_name", models.CharField(max_length=120, verbose_name="asked by")),
                (
                    "requester_phone",
                    models.CharField(blank=True, max_length=16, verbose_name="phone of who asked"),
                ),
                (
                    "requester_relation",
                    models.CharField(
                        choices=[
                            ("self", "The person themselves"),
                            ("parent", "Parent or guardian"),
                            ("family", "Other family member"),
                            ("other", "Other"),
                        ],
                        max_length=10,
                        verbose_name="relation to the person",
                    ),
                ),
                ("entered_by_name", models.CharField(max_length=160)),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="received at")),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("open", "Waiting for an answer"),
                            ("accepted", "Accepted"),
                            ("rejected", "Rejected"),
                        ],
                        default="open",
                        max_length=10,
                        verbose_name="status",
                    ),
                ),
                (
                    "resolved_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="resolved at"),
                ),
                ("resolved_by_name", models.CharField(blank=True, max_length=160)),
                (
                    "resolution_note",
                    models.CharField(blank=True, max_length=500, verbose_name="answer"),
                ),
                (
                    "added_dose",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="vaccination.dose",
                        verbose_name="dose entered",
                    ),
                ),
                (
                    "dose",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="correction_requests",
                        to="vaccination.dose",
                        verbose_name="dose concerned",
                    ),
                ),
                (
                    "entered_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="entered by",
                    ),
                ),
                (
                    "person",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="correction_requests",
                        to="people.person",
                        verbose_name="person",
                    ),
                ),
                (
                    "resolved_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="resolved by",
                    ),
                ),
                (
                    "voided_dose",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="vaccination.dose",
                        verbose_name="dose voided",
                    ),
                ),
            ],
            options={
                "verbose_name": "correction request",
                "verbose_name_plural": "correction requests",
                "indexes": [
                    models.Index(fields=["status", "created_at"], name="correction_status_created")
                ],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(
                            (
                                "kind__in",
                                [
                                    "missing_dose",
                                    "wrong_date",
                                    "wrong_vaccine",
                                    "not_this_person",
                                    "wrong_details",
                                    "other",
                                ],
                            )
                        ),
                        name="correction_kind_valid",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("status__in", ["open", "accepted", "rejected"])),
                        name="correction_status_valid",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("channel__in", ["at_station", "phone", "portal"])),
                        name="correction_channel_valid",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("requester_relation__in", ["self", "parent", "family", "other"])
                        ),
                        name="correction_relation_valid",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("kind", "missing_dose"), _negated=True),
                            ("dose__isnull", True),
                            _connector="OR",
                        ),
                        name="correction_missing_dose_names_none",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(
                                ("kind__in", ("wrong_date", "wrong_vaccine", "not_this_person")),
                                _negated=True,
                            ),
                            ("dose__isnull", False),
                            _connector="OR",
                        ),
                        name="correction_dose_kind_names_dose",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("requester_name", ""), _negated=True),
                            models.Q(("should_read", ""), _negated=True),
                        ),
                        name="correction_has_requester_and_text",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(
                                ("added_dose__isnull", True),
                                ("resolution_note", ""),
                                ("resolved_at__isnull", True),
                                ("status", "open"),
                                ("voided_dose__isnull", True),
                            ),
                            models.Q(
                                models.Q(("status", "open"), _negated=True),
                                ("resolved_at__isnull", False),
                                models.Q(("resolution_note", ""), _negated=True),
                            ),
                            _connector="OR",
                        ),
                        name="correction_resolved_has_time_and_note",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("status", "accepted"),
                            models.Q(("added_dose__isnull", True), ("voided_dose__isnull", True)),
                            _connector="OR",
                        ),
                        name="correction_doses_only_when_accepted",
                    ),
                    models.UniqueConstraint(
                        condition=models.Q(("status", "open")),
                        fields=("dose", "kind"),
                        name="correction_one_open_per_dose_kind",
                        violation_error_message="A request about this dose is already open.",
                    ),
                ],
            },
        ),
    ]
