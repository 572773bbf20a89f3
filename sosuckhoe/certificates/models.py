"""Signer keys, the certificates issued with them, and the revocation list."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from sosuckhoe.core.ids import new_uuid
from sosuckhoe.people.models import Person
from sosuckhoe.vaccination.models import Dose


class SignerKey(models.Model):
    """A document-signer key and its X.509 certificate. Rotation makes a new key the active
    one; the others stay, so that the trust list still verifies what they signed."""

    uuid = models.UUIDField(default=new_uuid, unique=True, editable=False)
    # Base64 of the COSE key id: the first 8 bytes of the SHA-256 of `certificate`. Not
    # unique: 8 bytes of a hash may be shared, and the verifier tries every key of a kid.
    kid = models.CharField(_("key id"), max_length=12, db_index=True)
    certificate = models.BinaryField(_("certificate (DER)"))
    # PKCS#8 encrypted with CERTIFICATE_KEY_PASSPHRASE, never in clear.
    private_key = models.BinaryField(_("private key (encrypted)"))
    not_before = models.DateTimeField(_("valid from"))
    not_after = models.DateTimeField(_("valid until"))
    is_active = models.BooleanField(_("signs new certificates"), default=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("certificate signer key")
        verbose_name_plural = _("certificate signer keys")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_active"], condition=Q(is_active=True), name="signerkey_one_active"
            ),
            models.CheckConstraint(
                condition=Q(not_after__gt=models.F("not_before")), name="signerkey_validity_ordered"
            ),
        ]

    def __str__(self) -> str:
        return self.kid


class RevokeReason(models.TextChoices):
    SUPERSEDED = "superseded", _("Replaced by a certificate of the current doses")
    WITHDRAWN = "withdrawn", _("Withdrawn: the person has no valid dose left")
    ERROR = "error", _("Issued in error")
    OUTDATED = "outdated", _("The doses changed when no signer key could issue a new one")


class CertificateQuerySet(models.QuerySet["Certificate"]):
    def current(self) -> "CertificateQuerySet":
        return self.filter(revoked_at__isnull=True)


class Certificate(models.Model):
    """An EU DCC vaccination certificate as issued: its text, what it covers, and whether and
    why it was revoked. A person has at most one current (unrevoked) certificate."""

    uuid = models.UUIDField(default=new_uuid, unique=True, editable=False)
    person = models.ForeignKey(
        Person,
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        related_name="certificates",
        db_index=False,  # served by (person, issued_at)
    )
    uvci = models.CharField(_("certificate identifier"), max_length=80, unique=True)
    hc1 = models.TextField(_("certificate text (HC1)"))
    # The signed payload, kept to tell whether the doses changed and to show it.
    payload = models.JSONField(_("content"))
    signer = models.ForeignKey(
        SignerKey, verbose_name=_("signer key"), on_delete=models.PROTECT, related_name="+"
    )
    latest_dose = models.ForeignKey(
        Dose, verbose_name=_("latest dose"), on_delete=models.PROTECT, related_name="+"
    )
    issued_at = models.DateTimeField(_("issued at"))
    expires_at = models.DateTimeField(_("expires at"))
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoke_reason = models.CharField(
        _("reason for revocation"), max_length=12, choices=RevokeReason.choices, blank=True
    )
    replaced_by = models.OneToOneField(
        "self",
        verbose_name=_("replaced by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="replaces",
    )

    objects = CertificateQuerySet.as_manager()

    class Meta:
        verbose_name = _("vaccination certificate")
        verbose_name_plural = _("vaccination certificates")
        ordering = ["-issued_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(revoked_at__isnull=True),
                name="certificate_one_current_per_person",
            ),
            models.CheckConstraint(
                condition=Q(revoked_at__isnull=True, revoke_reason="")
                | Q(revoked_at__isnull=False, revoke_reason__in=RevokeReason.values),
                name="certificate_revoked_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(expires_at__gt=models.F("issued_at")),
                name="certificate_validity_ordered",
            ),
        ]
        indexes = [models.Index(fields=["person", "issued_at"], name="certificate_person")]

    def __str__(self) -> str:
        return self.uvci


class Revocation(models.Model):
    """An entry of the published revocation list: the "UCI" hash of a revoked certificate's
    identifier (first 128 bits of its SHA-256, Base64), as the EU revocation lists carry it."""

    uci_hash = models.CharField(_("UVCI hash"), max_length=24, unique=True)
    # The signer's key id: the EU lists group their entries by it.
    kid = models.CharField(_("key id"), max_length=12)
    certificate = models.OneToOneField(
        Certificate, on_delete=models.PROTECT, related_name="revocation"
    )
    created_at = models.DateTimeField(_("revoked at"), auto_now_add=True)

    class Meta:
        verbose_name = _("revocation")
        verbose_name_plural = _("revocations")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.uci_hash
