from allauth.account import views as allauth_views
from django.contrib import admin
from django.urls import include, path

from servicedesk.accounts.views import SignInView, start, switch_language
from servicedesk.core.views import healthz
from servicedesk.desk.views.attachments import download_attachment

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    # allauth's sign-in and sign-out under the short addresses every redirect to sign-in uses (LOGIN_URL).
    path("login/", SignInView.as_view(), name="login"),
    path("logout/", allauth_views.LogoutView.as_view(), name="logout"),
    path("start/", start, name="start"),
    path("accounts/", include("servicedesk.accounts.urls")),
    path("accounts/", include("allauth.urls")),  # password reset, e-mail verification, 2fa/ (TOTP)
    path("i18n/setlang/", switch_language, name="set_language"),
    path("attachments/<int:pk>/", download_attachment, name="attachment"),
    path("admin/", admin.site.urls),
    path("portal/", include("servicedesk.portal.urls")),
    path("ask/", include("servicedesk.ask.urls")),
    path("captcha/", include("captcha.urls")),  # the images of the "Ask us" form's captcha
    path("api/v1/", include("servicedesk.api.urls")),
    path("webhooks/", include("servicedesk.webhooks.urls")),
    path("desk/sla/", include("servicedesk.sla.urls")),
    path("desk/mail/", include("servicedesk.mail.urls")),
    path("notifications/", include("servicedesk.notifications.urls")),
    path("", include("servicedesk.desk.urls")),
]
