from django.urls import path

from servicedesk.desk.views import directory, hotline, queues, ticket

app_name = "desk"

urlpatterns = [
    path("", queues.queue, name="home"),
    path("tickets/new/", ticket.new_ticket, name="new_ticket"),
    path("tickets/<str:number>/", ticket.ticket_detail, name="ticket"),
    path("hotline/", hotline.hotline, name="hotline"),
    path("customers/", directory.organizations, name="organizations"),
]
