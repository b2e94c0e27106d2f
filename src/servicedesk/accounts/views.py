from typing import Any

from allauth.account.views import LoginView
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.forms import SetPasswordForm
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django.views.i18n import set_language

from servicedesk.accounts import invitations
from servicedesk.accounts.models import Language, User

PORTAL_URL = "/portal/"


@require_POST
def switch_language(request: HttpRequest) -> HttpResponse:
    """Django's set_language, and for a signed-in user the choice is kept on the account (every device)."""
    language = request.POST.get("language", "")
    if request.user.is_authenticated and language in Language.values:
        User.objects.filter(pk=request.user.pk).update(language=language)
    return set_language(request)


class SignInView(LoginView):
    """allauth's sign-in (username or e-mail, rate-limited failures, the TOTP step) at /login/."""

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["signup_open"] = settings.ALLOW_SIGNUP
        return context


def start(request: HttpRequest) -> HttpResponse:
    """Where a sign-in lands: agents at the desk, everybody else (contacts) in the portal."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if request.user.is_staff:
        return redirect("desk:home")
    return redirect(PORTAL_URL)


@never_cache
def invitation(request: HttpRequest, token: str) -> HttpResponse:
    """The link of an invitation e-mail: choose a password, then be signed in. Opening the link (as mail scanners
    do) uses nothing up; only setting the password does."""
    found = invitations.find(token)
    if found is None:
        return render(request, "accounts/invitation_invalid.html", status=404)
    form = SetPasswordForm(found.user, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            user = invitations.accept(found, form.cleaned_data["new_password1"])
        except invitations.InvitationError:
            return render(request, "accounts/invitation_invalid.html", status=404)
        from allauth.mfa.models import Authenticator

        if Authenticator.objects.filter(user=user).exists():
            # A password alone must not get past a second factor: sign in through the normal page.
            messages.success(request, _("Your password is set. Sign in with it and your second factor."))
            return redirect("login")
        login(request, user, backend="allauth.account.auth_backends.AuthenticationBackend")
        messages.success(request, _("Welcome! Your password is set and you are signed in."))
        return redirect("start")
    context = {"form": form, "invitation": found, "login_name": found.user.username}
    return render(request, "accounts/invitation.html", context)
