from django.urls import path

from sosuckhoe.console.views import (
    account,
    audit,
    doses,
    jobs,
    persons,
    registrations,
    signin,
    sites,
    staff,
    stock,
    units,
    visits,
)

app_name = "console"

urlpatterns = [
    path("", signin.home, name="home"),
    path("login/", signin.LoginView.as_view(), name="login"),
    path("logout/", signin.logout_view, name="logout"),
    path("account/", account.account, name="account"),
    path("account/authenticator/", account.totp_enrol, name="totp_enrol"),
    path("account/api-keys/", account.api_keys, name="api_keys"),
    path("persons/", persons.person_search, name="person_search"),
    path("persons/new/", persons.person_new, name="person_new"),
    path("persons/<uuid:person_uuid>/", persons.person_detail, name="person"),
    path("persons/<uuid:person_uuid>/edit/", persons.person_edit, name="person_edit"),
    path("persons/<uuid:person_uuid>/wards/new/", persons.person_new_ward, name="person_new_ward"),
    path(
        "persons/<uuid:person_uuid>/merge/<uuid:other_uuid>/",
        persons.person_merge_view,
        name="person_merge",
    ),
    path("audit/", audit.audit_log, name="audit_log"),
    path("staff/", staff.staff_list, name="staff_list"),
    path("staff/new/", staff.staff_new, name="staff_new"),
    path("staff/<uuid:staff_uuid>/", staff.staff_edit, name="staff_edit"),
    path(
        "staff/<uuid:staff_uuid>/deactivate/",
        staff.staff_deactivate_view,
        name="staff_deactivate",
    ),
    path(
        "staff/<uuid:staff_uuid>/reactivate/",
        staff.staff_reactivate_view,
        name="staff_reactivate",
    ),
    path(
        "staff/<uuid:staff_uuid>/password/",
        staff.staff_password_reset_view,
        name="staff_password_reset",
    ),
    path(
        "staff/<uuid:staff_uuid>/authenticator/reset/",
        staff.staff_totp_reset_view,
        name="staff_totp_reset",
    ),
    path("jobs/", jobs.jobs, name="jobs"),
    path("jobs/status/", jobs.jobs_status, name="jobs_status"),
    path("jobs/<slug:kind>/<uuid:job_uuid>/cancel/", jobs.job_cancel, name="job_cancel"),
    path("units/", units.unit_lookup, name="units"),
    path("units/<slug:edition>/<slug:code>/", units.unit_detail, name="unit"),
    path("sites/", sites.site_choose, name="site_choose"),
    path("sites/<uuid:site_uuid>/", sites.site_day, name="site_day"),
    path("sites/<uuid:site_uuid>/find/", sites.site_find, name="site_find"),
    path("sites/<uuid:site_uuid>/register/", sites.site_register, name="site_register"),
    path("sites/<uuid:site_uuid>/tally/", sites.site_tally, name="site_tally"),
    path(
        "sites/<uuid:site_uuid>/doses/<uuid:dose_uuid>/common-reaction/",
        sites.site_common_reaction,
        name="site_common_reaction",
    ),
    path(
        "sites/<uuid:site_uuid>/persons/<uuid:person_uuid>/", visits.site_visit, name="site_visit"
    ),
    path(
        "sites/<uuid:site_uuid>/persons/<uuid:person_uuid>/check-in/",
        visits.site_check_in,
        name="site_check_in",
    ),
    path(
        "sites/<uuid:site_uuid>/persons/<uuid:person_uuid>/screening/",
        visits.site_screening,
        name="site_screening",
    ),
    path(
        "sites/<uuid:site_uuid>/persons/<uuid:person_uuid>/dose/",
        visits.site_dose,
        name="site_dose",
    ),
    path("registrations/", registrations.registrations, name="registrations"),
    path("registrations/not-reached/", registrations.not_reached, name="not_reached"),
    path("registrations/assign/", registrations.assign, name="assign"),
    path(
        "registrations/<uuid:registration_uuid>/approve/",
        registrations.registration_approve_view,
        name="registration_approve",
    ),
    path(
        "registrations/<uuid:registration_uuid>/reject/",
        registrations.registration_reject_view,
        name="registration_reject",
    ),
    path(
        "registrations/<uuid:registration_uuid>/duplicate/",
        registrations.registration_duplicate_view,
        name="registration_duplicate",
    ),
    path("sessions/new/", registrations.session_new, name="session_new"),
    path("stock/", stock.stock_overview, name="stock_overview"),
    path("stock/<uuid:facility_uuid>/", stock.stock_facility, name="stock_facility"),
    path("stock/<uuid:facility_uuid>/receive/", stock.stock_receipt, name="stock_receipt"),
    path("stock/<uuid:facility_uuid>/send/", stock.stock_transfer_view, name="stock_transfer"),
    path("doses/<uuid:dose_uuid>/", doses.dose_detail, name="dose"),
    path("doses/<uuid:dose_uuid>/void/", doses.dose_void_view, name="dose_void"),
]
