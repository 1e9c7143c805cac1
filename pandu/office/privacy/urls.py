from django.urls import path

from pandu.office.privacy import views

app_name = "privacy"

urlpatterns = [
    path("persons/<int:pk>/data-request/export/", views.person_export, name="person_export"),
    path("persons/<int:pk>/data-request/correct/", views.person_correct, name="person_correct"),
    path("persons/<int:pk>/data-request/anonymise/", views.person_anonymise_confirm, name="person_anonymise"),
]
