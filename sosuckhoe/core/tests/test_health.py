from unittest import mock

from django.urls import reverse


def test_health_reports_the_database_and_the_broker(client, db):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": True, "broker": True}


def test_health_fails_when_the_broker_does_not_answer(client, db):
    # The broker is the true edge here: a connection refused by a server that is down.
    with mock.patch("sosuckhoe.core.health.celery_app.connection_for_write", side_effect=OSError):
        response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json()["broker"] is False


def test_every_page_carries_the_security_headers(client, db):
    response = client.get(reverse("console:login"))
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_forms_are_protected_against_cross_site_requests(db):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    response = strict.post(reverse("console:login"), {"username": "a", "password": "b"})
    assert response.status_code == 403
