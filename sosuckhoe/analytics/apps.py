from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnalyticsConfig(AppConfig):
    name = "sosuckhoe.analytics"
    label = "analytics"
    verbose_name = _("Analytics")

    def ready(self) -> None:
        from sosuckhoe.people.signals import person_recounted

        def recount(sender: object, *, before: object, after: object, **kwargs: object) -> None:
            # Imported here: the services import the vaccination services, which import them.
            from sosuckhoe.analytics.services import rollups_person_changed

            rollups_person_changed(before=before, after=after)  # type: ignore[arg-type]

        person_recounted.connect(recount, weak=False, dispatch_uid="analytics.recount")
