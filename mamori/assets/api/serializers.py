from django.utils.translation import gettext as _
from rest_framework import serializers

from mamori.assets.models import Asset, AssetSettings, ClassificationLevel
from mamori.core.api.viewsets import ScopedModelSerializer


class AssetSerializer(ScopedModelSerializer):
    class Meta:
        model = Asset
        fields = ["id", "code", "name_ja", "name_en", "asset_type", "description", "department",
                  "custodian", "location", "status", "confidentiality", "integrity",
                  "availability", "classification", "has_personal_info", "data_subjects",
                  "has_sensitive_personal_info", "has_card_data", "depends_on"]
        read_only_fields = ["classification"]

    def validate_depends_on(self, value):
        if self.instance is not None and any(a.pk == self.instance.pk for a in value):
            raise serializers.ValidationError(_("An asset cannot depend on itself."))
        return value


class ClassificationLevelSerializer(ScopedModelSerializer):
    class Meta:
        model = ClassificationLevel
        fields = ["id", "code", "name_ja", "name_en", "min_rating", "handling_ja",
                  "handling_en"]


class AssetSettingsSerializer(ScopedModelSerializer):
    class Meta:
        model = AssetSettings
        fields = ["id", "rating_max", "classification_basis", "rating_levels"]
