from django.urls import path

from sosuckhoe.certificates import views

app_name = "certificates"

urlpatterns = [
    path("trust-list.json", views.trust_list, name="trust_list"),
    path("revocations.json", views.revocations, name="revocations"),
]
