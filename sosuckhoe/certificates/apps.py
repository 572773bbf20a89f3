from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CertificatesConfig(AppConfig):
    name = "sosuckhoe.certificates"
    label = "certificates"
    verbose_name = _("Vaccination certificates")

    def ready(self) -> None:
        from sosuckhoe.vaccination.signals import doses_changed

        def refresh(sender: object, *, actor: object, person_ids: list[int], **kw: object) -> None:
            # Imported here: the services import the vaccination models, not the reverse.
            from sosuckhoe.certificates.services import certificates_refresh

            certificates_refresh(actor=actor, person_ids=person_ids)  # type: ignore[arg-type]

        doses_changed.connect(refresh, weak=False, dispatch_uid="certificates.refresh")
