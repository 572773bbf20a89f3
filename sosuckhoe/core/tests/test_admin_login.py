"""The admin site has no sign-in of its own: it would take a password without the second factor."""

from django.urls import reverse


def test_the_admin_sends_visitors_to_the_console_sign_in(client, db):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response.url.startswith(reverse("console:login"))
    response = client.post("/admin/login/", {"username": "x", "password": "y"})
    assert response.url.startswith(reverse("console:login"))


def test_signed_in_staff_without_admin_rights_are_refused_not_looped(cast):
    response = cast.client_for("province").get("/admin/", follow=True)
    assert response.status_code == 403
    assert len(response.redirect_chain) == 1  # to the admin's sign-in, which refuses
