"""The OpenAPI description of each operation: its answers, errors and real-looking examples,
and the links between operations (list → one referral → its moves) that clients and
schemathesis's stateful tests follow."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema

from api.serializers import (
    AttachmentSerializer,
    AttachmentUploadSerializer,
    ConflictSerializer,
    ErrorSerializer,
    ReferralFilterSerializer,
    ReferralPageSerializer,
    ReferralSerializer,
)

TAG_REFERRALS = "referrals"
TAG_ATTACHMENTS = "attachments"

PERSON = {
    "full_name": "Siti Aminah", "nik": "6403054107850002", "no_nik_reason": "", "sex": "P",
    "birth_place": "Tanjung Redeb", "birth_date": "1985-07-01", "kk_number": "6403050101090001",
    "address": {"street": "Jl. Pulau Panjang No. 12", "rt": "004", "rw": "002", "village_code": "64.03.05.1004",
                "village": "GAYAM", "kecamatan": "TANJUNG REDEB"},
}
REFERRAL = {
    "id": 42, "number": "0042/RJK/UPTD-PTKS/XI/2026", "status": "received", "version": "1793510400123456",
    "service": {"code": "DINKES-BEROBAT", "name": "Pengobatan gratis (Jamkesda)"}, "person_name": "Siti Aminah",
    "sent_at": "2026-11-02T09:14:03+08:00", "due_on": "2026-11-16", "is_overdue": False, "outcome": "",
    "closed_at": None, "created_at": "2026-11-02T09:14:03+08:00", "updated_at": "2026-11-03T08:40:00.123456+08:00",
    "url": "https://pandu.example.go.id/api/v1/referrals/42/",
    "pathway": "listed", "person": PERSON,
    "documents": {"required": ["KTP", "KK"], "checked": ["KTP"], "missing": ["KK"]},
    "outcome_detail": "", "aid_value": None, "aid_kind": "", "letter_number": "0042/RJK/UPTD-PTKS/XI/2026",
    "letter_url": "https://pandu.example.go.id/api/v1/referrals/42/letter.pdf",
    "attachments_url": "https://pandu.example.go.id/api/v1/referrals/42/attachments/",
    "events": [
        {"at": "2026-11-02T09:14:03+08:00", "action": "create", "from_status": "", "to_status": "sent",
         "channel": "app", "note": ""},
        {"at": "2026-11-03T08:40:00.123456+08:00", "action": "receive", "from_status": "sent",
         "to_status": "received", "channel": "api", "note": ""},
    ],
}
SUMMARY_KEYS = ("id", "number", "status", "version", "service", "person_name", "sent_at", "due_on", "is_overdue",
                "outcome", "closed_at", "created_at", "updated_at", "url")


def _error(status: int, code: str, detail: str, **extra) -> OpenApiResponse:
    body = {"status": status, "code": code, "detail": detail, **extra}
    return OpenApiResponse(ErrorSerializer, description=detail,
                           examples=[OpenApiExample(code, value=body, status_codes=[str(status)], response_only=True)])


E400 = _error(400, "invalid", "Some fields are not valid.", errors={"note": ["This field may not be blank."]})
E401 = _error(401, "authentication_failed", "Invalid, expired or revoked token.")
E404 = _error(404, "not_found", "Not found.")
E415 = _error(415, "unsupported_media_type", 'Unsupported media type "text/plain" in request.')
E422 = _error(422, "idempotency_key_reused", "This Idempotency-Key was used with another request body or path.")
E429 = _error(429, "throttled", "Request was throttled. Expected available in 12 seconds.", retry_after=12)
E409 = OpenApiResponse(
    ConflictSerializer,
    description="stale: the If-Match version is not the referral's any more; not_allowed: its state does not "
    "allow this move. `current` is the referral now.",
    examples=[OpenApiExample("stale", status_codes=["409"], response_only=True, value={
        "status": 409, "code": "stale", "detail": "The referral changed since you read it: read it again, then decide.",
        "current": REFERRAL})],
)
READ_ERRORS = {401: E401, 404: E404, 429: E429}

ETAG = OpenApiParameter("ETag", OpenApiTypes.STR, OpenApiParameter.HEADER, response=[200],
                        description='The referral\'s version in quotes ("1793510400123456"): send it back as If-Match.')
IF_MATCH = OpenApiParameter(
    "If-Match", OpenApiTypes.STR, OpenApiParameter.HEADER, required=False,
    description="The ETag of the referral as you read it: if it changed since, nothing is done and the answer is "
    "409 `stale` with the referral now.",
)
IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key", OpenApiTypes.STR, OpenApiParameter.HEADER, required=False,
    description="Any unique text (a UUID) of up to 255 characters. Sent again with the same body within 24 hours, "
    "the request does nothing twice and gets the first answer (with `Idempotent-Replayed: true`).",
)

referral_list = extend_schema(
    operation_id="referrals_list", tags=[TAG_REFERRALS], summary="Your referrals, oldest change first",
    description="The referrals to your agency, ordered by their last change (oldest first), page by page: follow "
    "`next` until it is null. Keep the `updated_at` of the last row and ask `?updated_since=` next time.",
    parameters=[ReferralFilterSerializer,
                OpenApiParameter("cursor", OpenApiTypes.STR, description="From `next` or `previous`."),
                OpenApiParameter("page_size", OpenApiTypes.INT, description="1–200, 50 by default.")],
    responses={200: OpenApiResponse(ReferralPageSerializer, examples=[OpenApiExample(
        "a page", response_only=True, value={
            "next": "https://pandu.example.go.id/api/v1/referrals/?cursor=cD0yMDI2LTExLTAz", "previous": None,
            "results": [{key: REFERRAL[key] for key in SUMMARY_KEYS}]})]),
        400: E400, 401: E401, 429: E429},
)

referral_detail = extend_schema(
    operation_id="referrals_retrieve", tags=[TAG_REFERRALS], summary="One referral",
    description="What you need to serve the person: name, NIK, birth date, address, service, documents, the "
    "letter, and the timeline.",
    parameters=[ETAG],
    responses={200: OpenApiResponse(ReferralSerializer, examples=[
        OpenApiExample("received", value=REFERRAL, response_only=True)]), **READ_ERRORS},
)

_REQUEST_EXAMPLES = {
    "receive": {},
    "accept": {"note": "Jadwal periksa Senin, 9 November"},
    "reject": {"note": "Bukan layanan kami: rujuk ke Dinas Sosial"},
    "return": {"note": "KK belum dilampirkan"},
    "complete": {"outcome": "granted", "outcome_detail": "Operasi katarak, biaya ditanggung Jamkesda",
                 "aid_value": 4500000, "aid_kind": "money"},
}
_RESULT = {"receive": "received", "accept": "accepted", "reject": "rejected", "return": "returned",
           "complete": "completed"}


def transition(action: str, request, description: str):
    return extend_schema(
        operation_id=f"referrals_{action}", tags=[TAG_REFERRALS], summary=f"{action.capitalize()} a referral",
        description=description + " Recorded on the referral's timeline as from your agency's system (API).",
        request=request, parameters=[IF_MATCH, IDEMPOTENCY_KEY, ETAG],
        examples=[OpenApiExample(action, value=_REQUEST_EXAMPLES[action], request_only=True)],
        responses={200: OpenApiResponse(ReferralSerializer, examples=[OpenApiExample(
            _RESULT[action], response_only=True, value={**REFERRAL, "status": _RESULT[action]})]),
            400: E400, 409: E409, 422: E422, **READ_ERRORS},
    )


referral_letter = extend_schema(
    operation_id="referrals_letter", tags=[TAG_REFERRALS], summary="The referral letter (PDF)",
    description="The letter as the office prints it, with the QR code that verifies it.",
    responses={(200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, description="The PDF."),
               **READ_ERRORS},
)

attachment_list = extend_schema(
    operation_id="attachments_list", tags=[TAG_ATTACHMENTS], summary="The referral's attached documents",
    responses={200: OpenApiResponse(AttachmentSerializer(many=True), examples=[OpenApiExample(
        "two", response_only=True, value=[
            {"id": 7, "document": "KTP", "kind": "image", "original_name": "ktp.jpg", "size": 183220,
             "uploaded_at": "2026-11-02T09:20:00+08:00", "removed_at": None, "removed_note": "",
             "download_url": "https://pandu.example.go.id/api/v1/referrals/42/attachments/7/download/"},
            {"id": 9, "document": "", "kind": "pdf", "original_name": "hasil-lab.pdf", "size": 90211,
             "uploaded_at": "2026-11-04T10:02:00+08:00", "removed_at": None, "removed_note": "",
             "download_url": "https://pandu.example.go.id/api/v1/referrals/42/attachments/9/download/"}])]),
        **READ_ERRORS},
)

attachment_upload = extend_schema(
    operation_id="attachments_create", tags=[TAG_ATTACHMENTS], summary="Attach a document",
    description="multipart/form-data with `file` (a PDF, checked by its content, or a photo, re-encoded with its "
    "EXIF removed; at most 8 MB) and optionally `document`, the required document it is.",
    request={"multipart/form-data": AttachmentUploadSerializer}, parameters=[IDEMPOTENCY_KEY],
    responses={201: OpenApiResponse(AttachmentSerializer, examples=[OpenApiExample(
        "attached", response_only=True, status_codes=["201"], value={
            "id": 10, "document": "KK", "kind": "pdf", "original_name": "kk.pdf", "size": 50112,
            "uploaded_at": "2026-11-04T10:05:00+08:00", "removed_at": None, "removed_note": "",
            "download_url": "https://pandu.example.go.id/api/v1/referrals/42/attachments/10/download/"})]),
        400: E400, 409: E409, 415: E415, 422: E422, **READ_ERRORS},
)

attachment_download = extend_schema(
    operation_id="attachments_download", tags=[TAG_ATTACHMENTS], summary="Download a document",
    responses={(200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, description="A PDF"),
               (200, "image/jpeg"): OpenApiResponse(OpenApiTypes.BINARY, description="or a photo."),
               **READ_ERRORS},
)


def add_links(result, generator, request, public):
    """drf-spectacular post-processing hook: OpenAPI links from the list to one referral and from one
    referral to its moves and attachments (the id, and its ETag as If-Match)."""
    paths = result.get("paths", {})
    detail = {"operationId": "referrals_retrieve", "parameters": {"id": "$response.body#/results/0/id"}}
    list_ok = paths.get("/api/v1/referrals/", {}).get("get", {}).get("responses", {}).get("200")
    if list_ok is not None:
        list_ok["links"] = {"GetFirstReferral": detail}
    detail_ok = paths.get("/api/v1/referrals/{id}/", {}).get("get", {}).get("responses", {}).get("200")
    if detail_ok is not None:
        links = {f"{action.capitalize()}Referral": {
            "operationId": f"referrals_{action}",
            "parameters": {"id": "$response.body#/id", "header.If-Match": "$response.header.ETag"}}
            for action in _RESULT}
        links["ListAttachments"] = {"operationId": "attachments_list", "parameters": {"id": "$response.body#/id"}}
        links["GetLetter"] = {"operationId": "referrals_letter", "parameters": {"id": "$response.body#/id"}}
        detail_ok["links"] = links
    return result
