from collections.abc import Callable

from django.http import HttpRequest, HttpResponse


class UserLanguageMiddleware:
    """A signed-in user's chosen language wins over the browser's; LocaleMiddleware runs after this."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from django.conf import settings

        user = getattr(request, "user", None)
        language = getattr(user, "language", "") if user is not None and user.is_authenticated else ""
        if language:
            request.COOKIES[settings.LANGUAGE_COOKIE_NAME] = language
        return self.get_response(request)


# Where an agent without a second factor may still go when REQUIRE_AGENT_MFA is on: setting it up, signing out,
# switching language, and what the page itself loads.
MFA_EXEMPT_PREFIXES = ("/accounts/", "/logout/", "/login/", "/i18n/", "/static/", "/healthz")


class AgentMfaMiddleware:
    """With REQUIRE_AGENT_MFA, an agent who has no TOTP authenticator yet is sent to set one up first."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from django.conf import settings

        if settings.REQUIRE_AGENT_MFA and self._must_set_up(request):
            from django.shortcuts import redirect
            from django.urls import reverse

            if request.headers.get("HX-Request"):
                # htmx would swap the set-up page into a fragment; have it load the whole page instead.
                return HttpResponse(status=204, headers={"HX-Redirect": reverse("mfa_activate_totp")})
            return redirect("mfa_activate_totp")
        return self.get_response(request)

    @staticmethod
    def _must_set_up(request: HttpRequest) -> bool:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not user.is_staff:
            return False
        if request.path_info.startswith(MFA_EXEMPT_PREFIXES):
            return False
        from allauth.mfa.models import Authenticator

        return not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
