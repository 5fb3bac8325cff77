from mamori.assets import filtersets
from mamori.assets.api import serializers
from mamori.assets.models import Asset, AssetSettings, ClassificationLevel
from mamori.core.api.viewsets import ScopedModelViewSet


class AssetViewSet(ScopedModelViewSet):
    model = Asset
    serializer_class = serializers.AssetSerializer
    filterset_class = filtersets.AssetFilterSet
    linked_fields = ("depends_on",)


class ClassificationLevelViewSet(ScopedModelViewSet):
    model = ClassificationLevel
    serializer_class = serializers.ClassificationLevelSerializer
    filterset_class = filtersets.ClassificationLevelFilterSet


class AssetSettingsViewSet(ScopedModelViewSet):
    model = AssetSettings
    serializer_class = serializers.AssetSettingsSerializer
    filterset_class = None
    http_method_names = ["get", "put", "patch", "head", "options"]
