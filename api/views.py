"""The agencies' API, ``/api/v1/``: a provider's system reads its referrals and answers them.

One view per operation (HackSoft's API chapter): each checks the token's provider through
``selectors.get_referral_for_token`` (any other id: 404), validates its input serializer and
calls the same service as the office's pages (``referrals.services``), with
``channel=API``. Every call, answered or refused, is in the audit log.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import translation
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from api import schema as docs
from api import selectors
from api.authentication import ProviderTokenAuthentication
from api.errors import Conflict
from api.idempotency import idempotent
from api.models import ApiToken
from api.paging import TokenRateThrottle, UpdatedCursorPagination
from api.serializers import (
    AttachmentSerializer,
    AttachmentUploadSerializer,
    CompleteSerializer,
    NoteSerializer,
    ReasonSerializer,
    ReferralFilterSerializer,
    ReferralSerializer,
    ReferralSummarySerializer,
)
from pandu import replica
from pandu.audit import audit_record
from pandu.files import private_file_response
from pandu.models import AuditEvent
from referrals import letters, services
from referrals.models import ReferralEvent


class ProviderApiView(APIView):
    authentication_classes = [ProviderTokenAuthentication]
    permission_classes = [IsAuthenticated]
    throttle_classes = [TokenRateThrottle]
    parser_classes = [JSONParser]
    operation = ""  # named in the audit log
    audit_action = AuditEvent.Action.VIEW_PERSON
    audit_rows = 0
    audit_obj = None

    @property
    def token(self) -> ApiToken:
        return self.request.auth

    def dispatch(self, request, *args, **kwargs):
        # The API speaks one language to programs and their developers: English (the letter
        # stays Indonesian, as every letter).
        with translation.override("en"):
            return super().dispatch(request, *args, **kwargs)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        self._audit(request, response)
        return response

    def _audit(self, request, response) -> None:
        token = request.auth if isinstance(request.auth, ApiToken) else None
        prefix = token.prefix if token else getattr(request, "_api_token_prefix", "")
        provider = token.provider.code if token else ""
        ok = 200 <= response.status_code < 300
        action = self.audit_action if token else AuditEvent.Action.LOGIN_FAILED
        rows = self.audit_rows if ok else 0
        audit_record(
            user=request.user if token else None,
            action=action,
            obj=self.audit_obj if ok else None,
            summary=f"API {self.operation} {provider or '?'} token {prefix or '-'}: {rows} rows, {response.status_code}",
            detail={"channel": "api", "operation": self.operation, "provider": provider, "token": prefix,
                    "rows": rows, "status": response.status_code, "method": request.method,
                    "path": request.path[:200]},
            request=request,
        )

    def referral(self, pk, *, lock: bool = False):
        referral = selectors.get_referral_for_token(self.token, pk, lock=lock)
        self.audit_obj = referral
        return referral

    def referral_response(self, referral, *, status_code: int = 200) -> Response:
        self.audit_rows = 1
        data = ReferralSerializer(referral, context={"request": self.request}).data
        return Response(data, status=status_code, headers={"ETag": selectors.referral_etag(referral)})


class ReferralListView(ProviderApiView):
    operation = "referral_list"

    @docs.referral_list
    def get(self, request):
        with replica.report_reads(request._request) as source:  # a list: the replica may answer
            response = self._list(request)
        return replica.mark(response, source)

    def _list(self, request):
        filters = ReferralFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        queryset = selectors.referrals_for_token(self.token).select_related("service", "case__person")
        if filters.validated_data.get("status"):
            queryset = queryset.filter(status=filters.validated_data["status"])
        if filters.validated_data.get("updated_since"):
            queryset = queryset.filter(updated_at__gte=filters.validated_data["updated_since"])
        paginator = UpdatedCursorPagination()
        page = paginator.paginate_queryset(queryset, request, view=self)
        self.audit_rows = len(page)
        data = ReferralSummarySerializer(page, many=True, context={"request": request}).data
        return paginator.get_paginated_response(data)


class ReferralDetailView(ProviderApiView):
    operation = "referral_detail"

    @docs.referral_detail
    def get(self, request, pk):
        return self.referral_response(self.referral(pk))


class TransitionView(ProviderApiView):
    """POST one of the provider's moves (``action``), through ``referral_transition``."""

    action = ""
    input_serializer = NoteSerializer
    audit_action = AuditEvent.Action.CHANGE

    @property
    def operation(self):
        return f"referral_{self.action}"

    @idempotent
    def post(self, request, pk):
        with transaction.atomic():
            referral = self.referral(pk, lock=True)  # another provider's id: 404 before anything
            serializer = self.input_serializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            data = serializer.validated_data
            self._check_if_match(referral)
            move = services.TRANSITIONS[self.action]
            if referral.status not in move.sources:
                raise self._conflict(referral, "not_allowed",
                                     f"The referral is {referral.status}: {self.action} is not possible from there.")
            try:
                referral = services.referral_transition(
                    referral=referral, action=self.action, actor=request.user,
                    note=data.get("note") or "", outcome=data.get("outcome") or "",
                    outcome_detail=data.get("outcome_detail") or "", aid_value=data.get("aid_value"),
                    aid_kind=data.get("aid_kind") or "", channel=ReferralEvent.Channel.API,
                )
            except DjangoValidationError as error:
                raise exceptions.ValidationError({"non_field_errors": error.messages}) from None
        return self.referral_response(selectors.get_referral_for_token(self.token, referral.pk))

    def _check_if_match(self, referral) -> None:
        header = self.request.headers.get("If-Match")
        if header is None:
            return
        tags = [tag.strip() for tag in header.split(",")]
        if "*" not in tags and selectors.referral_etag(referral) not in tags:
            raise self._conflict(referral, "stale", "The referral changed since you read it: read it again, then decide.")

    def _conflict(self, referral, code: str, detail: str) -> Conflict:
        current = ReferralSerializer(referral, context={"request": self.request}).data
        return Conflict(detail, code=code, current=current)


class ReceiveView(TransitionView):
    action = "receive"

    @docs.transition("receive", NoteSerializer, "The agency has the referral (and the person's papers).")
    def post(self, request, pk):
        return super().post(request, pk)


class AcceptView(TransitionView):
    action = "accept"

    @docs.transition("accept", NoteSerializer, "The agency takes the case on.")
    def post(self, request, pk):
        return super().post(request, pk)


class RejectView(TransitionView):
    action = "reject"
    input_serializer = ReasonSerializer

    @docs.transition("reject", ReasonSerializer, "The agency will not serve it; the reason is required.")
    def post(self, request, pk):
        return super().post(request, pk)


class ReturnView(TransitionView):
    action = "return"
    input_serializer = ReasonSerializer

    @docs.transition("return", ReasonSerializer, "Back to the office for missing documents; say which in the note.")
    def post(self, request, pk):
        return super().post(request, pk)


class CompleteView(TransitionView):
    action = "complete"
    input_serializer = CompleteSerializer

    @docs.transition("complete", CompleteSerializer,
                     "The outcome: granted (what, and its value in rupiah) or not granted (why).")
    def post(self, request, pk):
        return super().post(request, pk)


class ReferralLetterView(ProviderApiView):
    operation = "referral_letter"
    audit_action = AuditEvent.Action.EXPORT

    @docs.referral_letter
    def get(self, request, pk):
        referral = self.referral(pk)
        verify_url = request.build_absolute_uri(reverse("referrals:verify", args=[referral.token]))
        self.audit_rows = 1
        return letters.pdf_response(letters.referral_letter_pdf(referral, verify_url=verify_url),
                                    filename=letters.referral_letter_filename(referral))


class AttachmentListView(ProviderApiView):
    operation = "attachment_list"
    parser_classes = [MultiPartParser, FormParser]

    @docs.attachment_list
    def get(self, request, pk):
        referral = self.referral(pk)
        attachments = list(referral.attachments.all())
        self.audit_rows = len(attachments)
        return Response(AttachmentSerializer(attachments, many=True, context={"request": request}).data)

    @docs.attachment_upload
    @idempotent
    def post(self, request, pk):
        self.audit_action = AuditEvent.Action.CHANGE
        self.operation = "attachment_upload"
        referral = self.referral(pk)
        serializer = AttachmentUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        if referral.status in referral.CLOSED_STATUSES:
            current = ReferralSerializer(referral, context={"request": request}).data
            raise Conflict("The referral is closed: its documents can no longer change.", code="not_allowed",
                           current=current)
        try:
            attachment = services.referral_attach(
                referral=referral, upload=serializer.validated_data["file"], actor=request.user,
                document=serializer.validated_data["document"],
            )
        except DjangoValidationError as error:
            raise exceptions.ValidationError({"file": error.messages}) from None
        self.audit_rows = 1
        data = AttachmentSerializer(attachment, context={"request": request}).data
        return Response(data, status=status.HTTP_201_CREATED, headers={"Location": data["download_url"]})


class AttachmentDownloadView(ProviderApiView):
    operation = "attachment_download"
    audit_action = AuditEvent.Action.VIEW_PHOTO

    @docs.attachment_download
    def get(self, request, pk, attachment_id):
        referral = self.referral(pk)
        attachment = get_object_or_404(referral.attachments, pk=attachment_id)
        if not attachment.file:
            raise Http404
        self.audit_rows = 1
        return private_file_response(attachment.file, filename=attachment.original_name, inline=False)


@extend_schema(exclude=True)
class NotFoundView(ProviderApiView):
    """No operation at this address: 404 in the API's format (after the token is checked)."""

    operation = "not_found"

    def _refuse(self, request, *args, **kwargs):
        raise exceptions.NotFound()

    get = post = put = patch = delete = _refuse
