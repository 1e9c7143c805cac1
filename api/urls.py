from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from api import views

app_name = "api"

urlpatterns = [
    path("v1/referrals/", views.ReferralListView.as_view(), name="referrals"),
    path("v1/referrals/<int:pk>/", views.ReferralDetailView.as_view(), name="referral"),
    path("v1/referrals/<int:pk>/receive/", views.ReceiveView.as_view(), name="referral-receive"),
    path("v1/referrals/<int:pk>/accept/", views.AcceptView.as_view(), name="referral-accept"),
    path("v1/referrals/<int:pk>/reject/", views.RejectView.as_view(), name="referral-reject"),
    path("v1/referrals/<int:pk>/return/", views.ReturnView.as_view(), name="referral-return"),
    path("v1/referrals/<int:pk>/complete/", views.CompleteView.as_view(), name="referral-complete"),
    path("v1/referrals/<int:pk>/letter.pdf", views.ReferralLetterView.as_view(), name="referral-letter"),
    path("v1/referrals/<int:pk>/attachments/", views.AttachmentListView.as_view(), name="attachments"),
    path("v1/referrals/<int:pk>/attachments/<int:attachment_id>/download/", views.AttachmentDownloadView.as_view(),
         name="attachment-download"),
    # The description of the API and its readable docs: public (they hold no data), served from
    # the app (drf-spectacular-sidecar), never from a CDN (Redoc is left out: it loads web fonts).
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves Swagger UI's set-up as a script of its own: the CSP allows no inline script.
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    # Anything else under /api/ (a typo, an id that is no number): the API's own 404, in JSON.
    re_path(r"^.*$", views.NotFoundView.as_view()),
]
