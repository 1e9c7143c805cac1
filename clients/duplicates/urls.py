from django.urls import path

from clients.duplicates import views

app_name = "duplicates"

urlpatterns = [
    path("", views.candidate_list, name="list"),
    path("check/", views.check_now, name="check"),
    path("<int:pk>/", views.candidate_detail, name="detail"),
    path("<int:pk>/decide/", views.candidate_decide, name="decide"),
    path("merges/", views.merge_list, name="merges"),
    path("merges/<int:pk>/undo/", views.merge_undo, name="undo"),
]
