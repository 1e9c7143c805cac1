"""What the API reads and writes, declared next to the views that use them."""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from api.selectors import referral_version
from referrals.models import Referral, ReferralAttachment, ReferralEvent


def _absolute(context, name: str, *args) -> str:
    url = reverse(name, args=args)
    request = context.get("request")
    return request.build_absolute_uri(url) if request is not None else url


class ServiceSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class ReferralSummarySerializer(serializers.ModelSerializer):
    """One row of the list: enough to know what changed and where to read more."""

    version = serializers.SerializerMethodField(help_text="Changes with every change; send it as If-Match: \"<version>\".")
    service = ServiceSerializer()
    person_name = serializers.CharField(source="case.person.full_name")
    is_overdue = serializers.BooleanField()
    url = serializers.SerializerMethodField()

    class Meta:
        model = Referral
        fields = ["id", "number", "status", "version", "service", "person_name", "sent_at", "due_on",
                  "is_overdue", "outcome", "closed_at", "created_at", "updated_at", "url"]

    def get_version(self, referral) -> str:
        return referral_version(referral)

    def get_url(self, referral) -> str:
        return _absolute(self.context, "api:referral", referral.pk)


class AddressSerializer(serializers.Serializer):
    street = serializers.CharField(source="address")
    rt = serializers.CharField()
    rw = serializers.CharField()
    village_code = serializers.CharField(source="village.code", allow_null=True, default=None)
    village = serializers.CharField(source="village.name", allow_null=True, default=None)
    kecamatan = serializers.CharField(source="village.parent.name", allow_null=True, default=None)


class PersonSerializer(serializers.Serializer):
    full_name = serializers.CharField()
    nik = serializers.CharField(allow_null=True, help_text="16 digits; null when the person has none.")
    no_nik_reason = serializers.CharField(help_text="Why there is no NIK (empty when there is one).")
    sex = serializers.ChoiceField(choices=["L", "P"])
    birth_place = serializers.CharField()
    birth_date = serializers.DateField(allow_null=True)
    kk_number = serializers.CharField(source="household.kk_number", allow_null=True)
    address = AddressSerializer(source="household")


class DocumentsSerializer(serializers.Serializer):
    required = serializers.ListField(child=serializers.CharField(), source="required_documents")
    checked = serializers.ListField(child=serializers.CharField(), source="documents_checked")
    missing = serializers.ListField(child=serializers.CharField(), source="missing_documents")


class EventSerializer(serializers.ModelSerializer):
    channel = serializers.ChoiceField(choices=ReferralEvent.Channel.choices)

    class Meta:
        model = ReferralEvent
        fields = ["at", "action", "from_status", "to_status", "channel", "note"]


class ReferralSerializer(ReferralSummarySerializer):
    """One referral with what the agency needs to serve the person."""

    pathway = serializers.CharField(source="case.pathway")
    person = PersonSerializer(source="case.person")
    documents = DocumentsSerializer(source="*")
    letter_number = serializers.CharField(source="number")
    letter_url = serializers.SerializerMethodField()
    attachments_url = serializers.SerializerMethodField()
    events = serializers.SerializerMethodField()

    class Meta(ReferralSummarySerializer.Meta):
        fields = [*ReferralSummarySerializer.Meta.fields, "pathway", "person", "documents", "outcome_detail",
                  "aid_value", "aid_kind", "letter_number", "letter_url", "attachments_url", "events"]

    def get_letter_url(self, referral) -> str:
        return _absolute(self.context, "api:referral-letter", referral.pk)

    def get_attachments_url(self, referral) -> str:
        return _absolute(self.context, "api:attachments", referral.pk)

    @extend_schema_field(EventSerializer(many=True))
    def get_events(self, referral) -> list:
        return EventSerializer(referral.events.order_by("at", "pk"), many=True).data


class ReferralFilterSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Referral.Status.choices, required=False)
    updated_since = serializers.DateTimeField(
        required=False, help_text="Only referrals changed at or after this moment (ISO 8601 with a time zone)."
    )


class NoteSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


class ReasonSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=2000, help_text="The reason: the front desk and the citizen read it.")


class CompleteSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=Referral.Outcome.choices)
    outcome_detail = serializers.CharField(max_length=255, help_text="What was granted, or why not.")
    aid_value = serializers.IntegerField(
        required=False, allow_null=True, min_value=0, max_value=10**15, default=None,
        help_text="What the granted aid is worth, in rupiah (granted only).",
    )
    aid_kind = serializers.ChoiceField(
        choices=Referral.AidKind.choices, required=False, allow_blank=True, default="",
        help_text="How the grant was given: `money` (send aid_value) or `in_kind` (goods or a service, "
                  "described in outcome_detail; no aid_value). Left out with an aid_value: money; left out "
                  "without one: the value is not stated.",
    )
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")

    def validate(self, data):
        if data.get("aid_value") is not None and data["outcome"] != Referral.Outcome.GRANTED:
            raise serializers.ValidationError({"aid_value": ["Only a granted outcome has a value."]})
        if data.get("aid_kind") and data["outcome"] != Referral.Outcome.GRANTED:
            raise serializers.ValidationError({"aid_kind": ["Only a granted outcome has aid."]})
        if data.get("aid_kind") == Referral.AidKind.IN_KIND and data.get("aid_value") is not None:
            raise serializers.ValidationError({"aid_value": ["Aid in kind has no value in rupiah."]})
        if data.get("aid_kind") == Referral.AidKind.MONEY and data.get("aid_value") is None:
            raise serializers.ValidationError({"aid_value": ["Aid in rupiah needs its value."]})
        return data


class AttachmentSerializer(serializers.ModelSerializer):
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = ReferralAttachment
        fields = ["id", "document", "kind", "original_name", "size", "uploaded_at", "removed_at",
                  "removed_note", "download_url"]

    @extend_schema_field(OpenApiTypes.URI)
    def get_download_url(self, attachment) -> str | None:
        if not attachment.file:
            return None
        return _absolute(self.context, "api:attachment-download", attachment.referral_id, attachment.pk)


class AttachmentUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="A PDF, or a photo (JPEG/PNG; re-encoded, its EXIF removed).")
    document = serializers.CharField(required=False, allow_blank=True, default="", max_length=120,
                                     help_text="Which required document this is (one of documents.required).")


class ErrorSerializer(serializers.Serializer):
    status = serializers.IntegerField()
    code = serializers.CharField()
    detail = serializers.CharField()
    errors = serializers.DictField(child=serializers.ListField(child=serializers.CharField()), required=False,
                                   help_text="400 only: each field's messages.")
    retry_after = serializers.IntegerField(required=False, help_text="429 only: seconds to wait.")


class ConflictSerializer(serializers.Serializer):
    status = serializers.IntegerField()
    code = serializers.ChoiceField(choices=["stale", "not_allowed"])
    detail = serializers.CharField()
    current = ReferralSerializer()


class ReferralPageSerializer(serializers.Serializer):
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = ReferralSummarySerializer(many=True)
