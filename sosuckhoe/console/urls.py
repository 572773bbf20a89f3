from django.urls import path

from sosuckhoe.console import views

app_name = "console"

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("account/", views.account, name="account"),
    path("account/authenticator/", views.totp_enrol, name="totp_enrol"),
    path("persons/", views.person_search, name="person_search"),
    path("persons/new/", views.person_new, name="person_new"),
    path("persons/<uuid:person_uuid>/", views.person_detail, name="person"),
    path("persons/<uuid:person_uuid>/edit/", views.person_edit, name="person_edit"),
    path("persons/<uuid:person_uuid>/wards/new/", views.person_new_ward, name="person_new_ward"),
    path(
        "persons/<uuid:person_uuid>/merge/<uuid:other_uuid>/",
        views.person_merge_view,
        name="person_merge",
    ),
    path("audit/", views.audit_log, name="audit_log"),
]
