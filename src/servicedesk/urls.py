from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from servicedesk.accounts.views import switch_language
from servicedesk.core.views import healthz
from servicedesk.desk.views.attachments import download_attachment

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/setlang/", switch_language, name="set_language"),
    path("attachments/<int:pk>/", download_attachment, name="attachment"),
    path("admin/", admin.site.urls),
    path("portal/", include("servicedesk.portal.urls")),
    path("ask/", include("servicedesk.ask.urls")),
    path("api/v1/", include("servicedesk.api.urls")),
    path("webhooks/", include("servicedesk.webhooks.urls")),
    path("", include("servicedesk.desk.urls")),
]
