from servicedesk.mail.views import mailboxes, quarantine, templates

app_name = "mail"

urlpatterns = [*mailboxes.urlpatterns, *quarantine.urlpatterns, *templates.urlpatterns]
