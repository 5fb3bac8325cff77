from django.contrib import admin

from mamori.contractors.models import (
    Certificate,
    Contract,
    Contractor,
    ContractorSettings,
    Screening,
    ScreeningAnswer,
    ScreeningRequirement,
    Subcontracting,
    TierRule,
)
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


@admin.register(Screening)
class ScreeningAdmin(ScopedAdmin):
    list_display = ("contractor", "kind", "requested_on", "status", "verdict")
    list_filter = ("status", "verdict", "kind")
    raw_id_fields = ("contractor",)


@admin.register(ScreeningAnswer)
class ScreeningAnswerAdmin(ScopedAdmin):
    list_display = ("screening", "requirement", "their_level", "our_level")
    raw_id_fields = ("screening", "requirement")


@admin.register(Contract)
class ContractAdmin(ScopedAdmin):
    list_display = ("contractor", "title", "starts_on", "ends_on")
    raw_id_fields = ("contractor",)


@admin.register(Certificate)
class CertificateAdmin(ScopedAdmin):
    list_display = ("contractor", "kind", "number", "expires_on", "relied_on")
    raw_id_fields = ("contractor",)


@admin.register(ContractorSettings)
class ContractorSettingsAdmin(ScopedAdmin):
    list_display = ("high_review_months", "medium_review_months", "low_review_months")


@admin.register(Subcontracting)
class SubcontractingAdmin(ScopedAdmin):
    list_display = ("contractor", "subcontractor", "status", "requested_on")
    list_filter = ("status",)
    raw_id_fields = ("contractor", "subcontractor")
