"""How a service's refusal reaches the member of staff: every reason it gave, as the service
worded and translated it."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest


def refusal_messages(request: HttpRequest, error: ValidationError) -> None:
    """Each reason as a message on the next page."""
    for message in error.messages:
        messages.error(request, message)


def refusal_on_form(form: forms.Form, error: ValidationError) -> None:
    """Each reason above the form that was sent, which is shown again."""
    for message in error.messages:
        form.add_error(None, message)
