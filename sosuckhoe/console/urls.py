from django.urls import path

from sosuckhoe.console.views import account, audit, jobs, persons, signin, staff, units

app_name = "console"

urlpatterns = [
    path("", signin.home, name="home"),
    path("login/", signin.LoginView.as_view(), name="login"),
    path("logout/", signin.logout_view, name="logout"),
    path("account/", account.account, name="account"),
    path("account/authenticator/", account.totp_enrol, name="totp_enrol"),
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
]
