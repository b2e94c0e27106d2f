"""/api/v1/: the REST API, its schema and documentation, and the user's token page."""

from django.urls import URLPattern, URLResolver, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.permissions import AllowAny
from rest_framework.routers import SimpleRouter

from servicedesk.api.views import directory, profile, sla
from servicedesk.api.views.attachments import download, unknown
from servicedesk.api.views.tickets import TicketViewSet

app_name = "api"

router = SimpleRouter()
router.register("tickets", TicketViewSet, basename="ticket")
router.register("organizations", directory.OrganizationViewSet, basename="organization")
router.register("contacts", directory.ContactViewSet, basename="contact")
router.register("teams", directory.TeamViewSet, basename="team")
router.register("agents", directory.AgentViewSet, basename="agent")
router.register("categories", directory.CategoryViewSet, basename="category")
router.register("items", directory.ItemViewSet, basename="item")
router.register("calendars", sla.CalendarViewSet, basename="calendar")
router.register("sla-plans", sla.SlaPlanViewSet, basename="sla-plan")
router.register("contracts", sla.ContractViewSet, basename="contract")

urlpatterns: list[URLPattern | URLResolver] = [
    path(
        "schema/", SpectacularAPIView.as_view(permission_classes=[AllowAny], authentication_classes=[]), name="schema"
    ),
    path(
        "docs/",
        SpectacularSwaggerView.as_view(url_name="api:schema", permission_classes=[AllowAny], authentication_classes=[]),
        name="docs",
    ),
    path("tokens/", profile.token_list, name="tokens"),
    path("tokens/<int:pk>/revoke/", profile.token_revoke, name="token_revoke"),
    path("attachments/<int:pk>/", download, name="attachment-download"),
    path("sla/preview/", sla.sla_preview, name="sla-preview"),
    *router.urls,
    re_path(r"^(?P<path>.*)$", unknown),  # last: every other address answers a problem-details 404
]
