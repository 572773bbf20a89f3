from django.urls import path

from sosuckhoe.console.views import account, audit, persons, signin

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
]
