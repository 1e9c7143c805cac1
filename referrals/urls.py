from django.urls import path

from referrals import views

app_name = "referrals"

urlpatterns = [
    path("", views.referral_list, name="list"),
    path("<int:pk>/", views.referral_detail, name="detail"),
    path("<int:pk>/letter.pdf", views.referral_letter, name="letter"),
    path("<int:pk>/documents/", views.referral_documents, name="documents"),
    path("<int:pk>/attachments/", views.attachment_upload, name="attachment_upload"),
    path("<int:pk>/attachments/<int:attachment_pk>/", views.attachment_file, name="attachment"),
    path("<int:pk>/release-place/", views.release_place, name="release_place"),
    path("<int:pk>/<slug:action>/", views.referral_action, name="action"),
    path("verify/<str:token>/", views.referral_verify, name="verify"),
    path("status/", views.status_check, name="status_check"),
    path("reply-slips/", views.reply_slips, name="reply_slips"),
    path("outcomes/", views.outcomes, name="outcomes"),
    path("outcomes/read/", views.outcomes_mark_read, name="outcomes_mark_read"),
    path("outcomes/badge/", views.outcomes_badge, name="outcomes_badge"),
    path("waiting-lists/", views.waiting_lists, name="waiting_lists"),
    path("workspace/", views.workspace, name="workspace"),
    path("cases/new/", views.case_start, name="case_start"),
    path("cases/new/<int:person_pk>/", views.case_open, name="case_open"),
    path("cases/<int:pk>/", views.case_detail, name="case_detail"),
    path("cases/<int:pk>/needs/", views.case_add_need, name="case_add_need"),
    path("cases/", views.case_list, name="case_list"),
    path("cases/<int:pk>/take/", views.case_take, name="case_take"),
    path("cases/<int:pk>/assign/", views.case_assign, name="case_assign"),
    path("cases/<int:pk>/assessment/", views.case_need_record, name="case_need_record"),
    path("cases/<int:pk>/needs/<int:need_pk>/handled/", views.need_handle, name="need_handle"),
    path("cases/<int:pk>/needs/<int:need_pk>/override/", views.need_override, name="need_override"),
    path("cases/<int:pk>/follow-ups/", views.follow_up_plan, name="follow_up_plan"),
    path("cases/<int:pk>/follow-ups/<int:follow_up_pk>/done/", views.follow_up_done, name="follow_up_done"),
    path("cases/<int:pk>/close/", views.case_close, name="case_close"),
    path("cases/<int:pk>/reopen/", views.case_reopen, name="case_reopen"),
    path("recommendations/", views.recommendation_list, name="recommendation_list"),
    path(
        "recommendations/new/<int:person_pk>/",
        views.recommendation_request,
        name="recommendation_request",
    ),
    path("recommendations/<int:pk>/", views.recommendation_detail, name="recommendation_detail"),
    path(
        "recommendations/<int:pk>/decide/",
        views.recommendation_decide,
        name="recommendation_decide",
    ),
    path(
        "recommendations/<int:pk>/letter.pdf",
        views.recommendation_letter,
        name="recommendation_letter",
    ),
]
