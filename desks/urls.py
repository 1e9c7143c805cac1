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
    path("tickets/<int:pk>/stops/<int:stop_pk>/move/", views.itinerary_move, name="itinerary_move"),
    path("tickets/<int:pk>/stops/<int:stop_pk>/skip/", views.itinerary_skip, name="itinerary_skip"),
    path("<int:pk>/return/", views.ticket_return, name="ticket_return"),
    path("display/", views.display, name="display"),
    path("persons/<int:person_pk>/link-ticket/", views.person_link_ticket, name="person_link_ticket"),
]
