from django.urls import path

from clients import change_views, views

app_name = "clients"

urlpatterns = [
    path("search/", views.search, name="search"),
    path("villages/", views.village_options, name="village_options"),
    path("households/new/", views.household_create, name="household_create"),
    path("households/<int:pk>/", views.household_detail, name="household_detail"),
    path("households/<int:pk>/edit/", views.household_edit, name="household_edit"),
    path("households/<int:pk>/photo/", views.household_photo_upload, name="household_photo_upload"),
    path("households/<int:pk>/photo/full/", views.household_photo, name="household_photo"),
    path("households/<int:pk>/photo/thumb/", views.household_photo, {"size": "thumb"}, name="household_photo_thumb"),
    path("households/<int:household_pk>/persons/new/", views.person_create, name="person_create"),
    path("households/<int:pk>/split/", change_views.household_split, name="household_split"),
    path("households/<int:pk>/birth/", change_views.household_birth, name="household_birth"),
    path("persons/<int:pk>/", views.person_detail, name="person_detail"),
    path("persons/<int:pk>/move/", change_views.person_move, name="person_move"),
    path("persons/<int:pk>/death/", change_views.person_death, name="person_death"),
    path("persons/<int:pk>/edit/", views.person_edit, name="person_edit"),
    path("persons/<int:pk>/photo/", views.person_photo_upload, name="person_photo_upload"),
    path("persons/<int:pk>/photo/full/", views.person_photo, name="person_photo"),
    path("persons/<int:pk>/photo/thumb/", views.person_photo, {"size": "thumb"}, name="person_photo_thumb"),
    path("disabilities/review/", views.disability_review, name="disability_review"),
    path("complaints/", views.complaint_list, name="complaint_list"),
    path("complaints/new/", views.complaint_create, name="complaint_create"),
    path("complaints/<int:pk>/", views.complaint_detail, name="complaint_detail"),
    path("complaints/<int:pk>/status/", views.complaint_update, name="complaint_update"),
]
