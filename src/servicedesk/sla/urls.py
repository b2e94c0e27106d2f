from servicedesk.sla import ticket_views, views

app_name = "sla"

urlpatterns = [*views.urlpatterns, *ticket_views.urlpatterns]
