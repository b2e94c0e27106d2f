"""The agent desk. Each view module owns its URL patterns."""

from servicedesk.desk.views import directory, hotline, queues, ticket

app_name = "desk"

urlpatterns = [*queues.urlpatterns, *ticket.urlpatterns, *hotline.urlpatterns, *directory.urlpatterns]
