from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CertificatesConfig(AppConfig):
    name = "sosuckhoe.certificates"
    label = "certificates"
    verbose_name = _("Vaccination certificates")

    def ready(self) -> None:
        from sosuckhoe.people.signals import person_merging, persons_changed
        from sosuckhoe.vaccination.signals import doses_changed

        def refresh(sender: object, *, actor: object, person_ids: list[int], **kw: object) -> None:
            """A certificate says the holder's name, birth date and doses: when any of them
            changed (a dose recorded or voided, a correction, a merge), a new one replaces it."""
            # Imported here: the services import the vaccination models, not the reverse.
            from sosuckhoe.certificates.services import certificates_refresh

            certificates_refresh(actor=actor, person_ids=person_ids)  # type: ignore[arg-type]

        def withdraw(sender: object, *, actor: object, duplicate: object, **kw: object) -> None:
            """The duplicate's doses are about to move to the kept person, who may hold one
            current certificate only: the duplicate's is withdrawn, the kept one's re-issued
            once the doses moved (persons_changed)."""
            from sosuckhoe.certificates.services import certificates_withdraw

            certificates_withdraw(actor=actor, person=duplicate)  # type: ignore[arg-type]

        doses_changed.connect(refresh, weak=False, dispatch_uid="certificates.doses")
        person_merging.connect(withdraw, weak=False, dispatch_uid="certificates.merging")
        persons_changed.connect(refresh, weak=False, dispatch_uid="certificates.persons")
