"""The customer portal (/portal/)."""

from django.urls import URLPattern, URLResolver

from servicedesk.portal.views import new, ticket, tickets

app_name = "portal"

# "tickets/new/" before "tickets/<number>/".
urlpatterns: list[URLPattern | URLResolver] = [*tickets.urlpatterns, *new.urlpatterns, *ticket.urlpatterns]
