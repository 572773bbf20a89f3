"""The REST API, version 1, mounted at /api/v1/."""

from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView

from sosuckhoe.api.errors import not_found
from sosuckhoe.api.views import (
    bookings,
    certificates,
    docs,
    doses,
    persons,
    reactions,
    registrations,
    screenings,
    supply,
)

app_name = "api"

urlpatterns = [
    path("persons/", persons.PersonList.as_view(), name="persons"),
    path("persons/<uuid:person_uuid>/", persons.PersonDetail.as_view(), name="person"),
    path(
        "persons/<uuid:person_uuid>/certificate/",
        certificates.PersonCertificate.as_view(),
        name="person_certificate",
    ),
    path(
        "certificates/verify/", certificates.CertificateVerify.as_view(), name="certificate_verify"
    ),
    path("registrations/", registrations.RegistrationList.as_view(), name="registrations"),
    path(
        "registrations/<uuid:registration_uuid>/",
        registrations.RegistrationDetail.as_view(),
        name="registration",
    ),
    path("bookings/", bookings.BookingCreate.as_view(), name="bookings"),
    path(
        "bookings/<uuid:booking_uuid>/cancel/",
        bookings.BookingCancel.as_view(),
        name="booking_cancel",
    ),
    path("sessions/", bookings.SessionList.as_view(), name="sessions"),
    path("screenings/", screenings.ScreeningCreate.as_view(), name="screenings"),
    path("doses/", doses.DoseCreate.as_view(), name="doses"),
    path("doses/batch/", doses.DoseBatch.as_view(), name="doses_batch"),
    path("doses/<uuid:dose_uuid>/", doses.DoseDetail.as_view(), name="dose"),
    path("doses/<uuid:dose_uuid>/void/", doses.DoseVoid.as_view(), name="dose_void"),
    path("reactions/", reactions.Reactions.as_view(), name="reactions"),
    path("stock/", supply.Stock.as_view(), name="stock"),
    path("lots/", supply.Lots.as_view(), name="lots"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", docs.Docs.as_view(), name="docs"),
    # Anything else under the API answers in JSON too.
    re_path(r"^(?P<path>.*)$", not_found, name="not_found"),
]
