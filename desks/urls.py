from django.urls import path

from desks import views

app_name = "desks"

urlpatterns = [
    path("", views.desk_index, name="index"),
    path("<int:pk>/", views.desk_detail, name="desk"),
    path("<int:pk>/issue/", views.issue_ticket, name="issue_ticket"),
    path("<int:pk>/call-next/", views.call_next, name="call_next"),
    path("tickets/<int:pk>/start/", views.ticket_start, name="ticket_start"),
    path("tickets/<int:pk>/transfer/", views.ticket_transfer, name="ticket_transfer"),
    path("tickets/<int:pk>/finish/", views.ticket_finish, name="ticket_finish"),
    path("tickets/<int:pk>/no-show/", views.ticket_no_show, name="ticket_no_show"),
    path("tickets/<int:pk>/receipt/", views.receipt, name="receipt"),
    path("display/", views.display, name="display"),
    path("persons/<int:person_pk>/link-ticket/", views.person_link_ticket, name="person_link_ticket"),
]
