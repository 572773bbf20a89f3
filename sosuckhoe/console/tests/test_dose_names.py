"""How a dose is named on the console's pages."""

from types import SimpleNamespace

from django.utils import translation

from sosuckhoe.console.templatetags.vaccination_display import dose_name


def test_a_primary_dose_counts_within_its_series_and_a_booster_by_its_own_number() -> None:
    with translation.override("en"):
        assert dose_name(SimpleNamespace(kind="primary", number=2, series_doses=2)) == (
            "Primary dose 2/2"
        )
        # A second booster after two primary doses is the certificate's dose 4 of 4.
        assert dose_name(SimpleNamespace(kind="booster", number=2, series_doses=4)) == (
            "Booster dose 2"
        )
        assert dose_name(SimpleNamespace(kind="additional", number=1, series_doses=3)) == (
            "Additional dose"
        )
        # The next dose due knows no series yet.
        assert dose_name(SimpleNamespace(kind="booster", number=1)) == "Booster dose 1"
