"""Signing in and out, and the home page."""

from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_POST, require_safe

from sosuckhoe.accounts.audit import Actor
from sosuckhoe.accounts.services import staff_login_record, staff_logout_record
from sosuckhoe.console.access import staff_view
from sosuckhoe.console.forms import LoginForm, SearchForm


class LoginView(auth_views.LoginView):
    template_name = "console/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def form_valid(self, form: LoginForm) -> HttpResponse:
        response = super().form_valid(form)
        staff_login_record(
            actor=Actor.of_request(self.request), succeeded=True, username=form.get_user().username
        )
        return response

    def form_invalid(self, form: LoginForm) -> HttpResponse:
        staff_login_record(
            actor=Actor.of_request(self.request),
            succeeded=False,
            username=form.data.get("username", ""),
        )
        return super().form_invalid(form)


@require_POST
@staff_view
def logout_view(request: HttpRequest) -> HttpResponse:
    staff_logout_record(actor=Actor.of_request(request))
    return auth_views.LogoutView.as_view(next_page="console:login")(request)


@require_safe
@staff_view
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "console/home.html", {"search_form": SearchForm()})
