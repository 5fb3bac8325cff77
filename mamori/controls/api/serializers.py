from rest_framework import serializers

from mamori.controls.models import Control, Evidence, Framework, Requirement, RequirementMapping
from mamori.core.api.viewsets import ScopedModelSerializer


class ControlSerializer(ScopedModelSerializer):
    class Meta:
        model = Control
        fields = ["id", "code", "title_ja", "title_en", "description", "theme", "department",
                  "owner", "status", "frequency"]


class EvidenceSerializer(ScopedModelSerializer):
    """Links and notes through the API; files are uploaded on the page (the API is JSON)."""

    is_current = serializers.BooleanField(read_only=True)

    class Meta:
        model = Evidence
        fields = ["id", "control", "kind", "title", "url", "note", "collected_on",
                  "expires_on", "collected_by", "file_name", "file_size", "file_sha256",
                  "is_current"]
        read_only_fields = ["file_name", "file_size", "file_sha256"]


class FrameworkSerializer(ScopedModelSerializer):
    class Meta:
        model = Framework
        fields = ["id", "code", "urn", "name_ja", "name_en", "version", "publisher", "source",
                  "licence_note", "in_soa"]
        read_only_fields = ["urn"]


class RequirementSerializer(ScopedModelSerializer):
    class Meta:
        model = Requirement
        fields = ["id", "framework", "uid", "urn", "ref", "parent", "sort_key", "title_ja",
                  "title_en", "description", "theme", "is_group", "controls", "applicable",
                  "justification"]
        read_only_fields = ["uid", "urn"]


class RequirementMappingSerializer(ScopedModelSerializer):
    class Meta:
        model = RequirementMapping
        fields = ["id", "source", "target", "relationship", "strength", "rationale",
                  "annotation", "mapping_set", "mapping_set_name", "mapping_set_name_en"]
        read_only_fields = ["mapping_set", "mapping_set_name", "mapping_set_name_en"]
