from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from mamori.core.api.viewsets import ScopedModelSerializer, request_user
from mamori.websec.models import (
    ScanRequest,
    TlsFinding,
    TlsProfile,
    TlsScan,
    WebEndpoint,
    WebSecuritySettings,
    web_port_error,
)


class WebEndpointSerializer(ScopedModelSerializer):
    class Meta:
        model = WebEndpoint
        fields = ["id", "name", "url", "host", "port", "http_path", "server_name", "purpose",
                  "handles_personal_info", "handles_card_data", "department", "profile",
                  "client_cert_required", "scan_every_hours", "certificate_check_every_hours",
                  "active", "last_full_scan_at", "last_certificate_check_at",
                  "authentication_ok", "encryption_ok", "integrity_ok", "profile_ok",
                  "certificate_expires_at"]
        read_only_fields = ["host", "port", "http_path", "last_full_scan_at",
                            "last_certificate_check_at", "authentication_ok", "encryption_ok",
                            "integrity_ok", "profile_ok", "certificate_expires_at"]

    def validate(self, attrs):
        attrs = super().validate(attrs)
        # The same rule as the form: a web port, unless the CISO or an administrator registers.
        if "url" in attrs:
            registered = (self.instance.host, self.instance.port) if self.instance else None
            refusal = web_port_error(attrs["url"], request_user(self), registered)
            if refusal:
                raise serializers.ValidationError({"url": [refusal]})
        return attrs


class TlsScanSerializer(ScopedModelSerializer):
    incomplete_reason = serializers.SerializerMethodField(
        help_text=_("When the scan did not complete: why, in words, and that its verdicts "
                    "(null) are unknown, not failed. Empty for a completed scan."))

    class Meta:
        model = TlsScan
        fields = ["id", "endpoint", "kind", "status", "started_at", "finished_at",
                  "requested_by", "profile_code", "profile_version", "authentication_ok",
                  "encryption_ok", "integrity_ok", "profile_ok", "certificate_expires_at",
                  "problems", "result_sha256", "evidence", "incomplete_reason"]
        read_only_fields = fields

    def get_incomplete_reason(self, scan) -> str:
        from mamori.websec.service import incomplete_text

        return incomplete_text(scan.result) if scan.status == TlsScan.Status.FAILED else ""


class ScanRequestSerializer(serializers.ModelSerializer):
    """A queued "Scan now" (the endpoint's scan action): a worker runs it; poll `status_url`
    until `status` is done or failed, then read the scan it produced (`scan`)."""

    status_url = serializers.SerializerMethodField(
        help_text=_("Where to read this request's state until it is done or failed."))

    class Meta:
        model = ScanRequest
        fields = ["id", "endpoint", "kind", "status", "requested_by", "created_at",
                  "finished_at", "scan", "status_url"]
        read_only_fields = fields

    def get_status_url(self, row) -> str:
        from django.urls import reverse

        path = reverse("api:webendpoint-scan-request", args=[row.endpoint_id, row.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path


class TlsScanWithResultSerializer(TlsScanSerializer):
    class Meta(TlsScanSerializer.Meta):
        fields = [*TlsScanSerializer.Meta.fields, "result"]
        read_only_fields = fields


class TlsFindingSerializer(ScopedModelSerializer):
    class Meta:
        model = TlsFinding
        fields = ["id", "endpoint", "key", "code", "promise", "level", "params", "text",
                  "opened_at", "last_seen_at", "closed_at", "opened_by_scan",
                  "closed_by_scan"]
        read_only_fields = fields


@extend_schema_field({"type": "object", "additionalProperties": True})
class ProfileDefinitionField(serializers.JSONField):
    """A profile's definition is a JSON object (websec.profiles checks its keys); saying so in
    the schema lets clients and schemathesis tell a valid request from an invalid one."""

    def to_internal_value(self, data):
        if not isinstance(data, dict):
            raise serializers.ValidationError(_("Give the definition as a JSON object."))
        return super().to_internal_value(data)


class TlsProfileSerializer(ScopedModelSerializer):
    definition = ProfileDefinitionField(
        required=False, label=TlsProfile._meta.get_field("definition").verbose_name,
        help_text=TlsProfile._meta.get_field("definition").help_text)

    class Meta:
        model = TlsProfile
        fields = ["id", "code", "name_ja", "name_en", "source", "version", "definition"]


class WebSecuritySettingsSerializer(ScopedModelSerializer):
    class Meta:
        model = WebSecuritySettings
        fields = ["id", "company_ca_pem", "expiry_warning_days", "control"]
