from servicedesk.sla import views

app_name = "sla"

urlpatterns = [*views.urlpatterns]
