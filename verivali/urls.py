from django.urls import path

from verivali import offline_views, views

app_name = "verivali"

urlpatterns = [
    path("batches/", views.batch_list, name="batch_list"),
    path("batches/new/", views.batch_create, name="batch_create"),
    path("batches/<int:pk>/", views.batch_detail, name="batch_detail"),
    path("batches/<int:pk>/add/", views.batch_add, name="batch_add"),
    path("batches/<int:pk>/assign/", views.batch_assign, name="batch_assign"),
    path("batches/<int:pk>/approve/", views.batch_approve, name="batch_approve"),
    path("mine/", views.my_assignments, name="mine"),
    path("batches/<int:pk>/new-household/", views.field_household, name="field_household"),
    path("assignments/<int:pk>/survey/", views.survey, name="survey"),
    path("assessments/<int:pk>/", views.assessment_detail, name="assessment_detail"),
    path("assessments/<int:pk>/validate/", views.assessment_validate, name="assessment_validate"),
    path("assessments/<int:pk>/return/", views.assessment_return, name="assessment_return"),
    path("photos/<int:pk>/", views.photo, name="photo"),
    path("photos/<int:pk>/thumb/", views.photo, {"size": "thumb"}, name="photo_thumb"),
    path("what-if/", views.whatif, name="whatif"),
    # the surveyors' offline app (verivali/offline.py)
    path("offline/", offline_views.offline_list, name="offline"),
    path("offline/survey/", offline_views.offline_survey, name="offline_survey"),
    path("offline/download/", offline_views.offline_download, name="offline_download"),
    path("offline/<int:pk>/send/", offline_views.offline_send, name="offline_send"),
    path("offline/<int:pk>/photo/", offline_views.offline_photo, name="offline_photo"),
    path("offline/batches/<int:pk>/new-household/", offline_views.offline_field_household,
         name="offline_field_household"),
    path("sw.js", offline_views.service_worker, name="service_worker"),
    path("manifest.webmanifest", offline_views.manifest, name="manifest"),
]
