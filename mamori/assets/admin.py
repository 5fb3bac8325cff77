from django.contrib import admin

from mamori.assets.models import Asset, AssetSettings, ClassificationLevel
from mamori.core.admin import ScopedAdmin


@admin.register(Asset)
class AssetAdmin(ScopedAdmin):
    list_display = ("code", "name_ja", "asset_type", "department", "classification", "status")
    list_filter = ("asset_type", "status", "has_personal_info")
    search_fields = ("code", "name_ja", "name_en")
    raw_id_fields = ("department", "custodian", "depends_on")


@admin.register(ClassificationLevel)
class ClassificationLevelAdmin(ScopedAdmin):
    list_display = ("min_rating", "code", "name_ja", "name_en")


@admin.register(AssetSettings)
class AssetSettingsAdmin(ScopedAdmin):
    list_display = ("rating_max", "classification_basis")
