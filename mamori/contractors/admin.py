from django.contrib import admin

from mamori.contractors.models import Contractor, ScreeningRequirement, TierRule
from mamori.core.admin import ScopedAdmin


@admin.register(Contractor)
class ContractorAdmin(ScopedAdmin):
    list_display = ("code", "name_ja", "department", "tier", "status")
    list_filter = ("status", "tier", "personal_data", "card_data")
    search_fields = ("code", "name_ja", "name_en", "corporate_number")
    raw_id_fields = ("department",)


@admin.register(TierRule)
class TierRuleAdmin(ScopedAdmin):
    list_display = ("code", "name_ja", "tier")


@admin.register(ScreeningRequirement)
class ScreeningRequirementAdmin(ScopedAdmin):
    list_display = ("code", "title_ja", "min_tier", "sort_key")
    filter_horizontal = ("controls",)
