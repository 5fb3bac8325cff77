from django.contrib import admin

from mamori.core.admin import ScopedAdmin
from mamori.risks.models import Risk, RiskAcceptance, RiskBand, RiskMethodology, Threat


@admin.register(Threat)
class ThreatAdmin(ScopedAdmin):
    list_display = ("code", "name_ja", "harms")


@admin.register(RiskMethodology)
class RiskMethodologyAdmin(ScopedAdmin):
    list_display = ("size", "appetite", "acceptance_months")


@admin.register(RiskBand)
class RiskBandAdmin(ScopedAdmin):
    list_display = ("min_score", "name_ja", "colour")


@admin.register(Risk)
class RiskAdmin(ScopedAdmin):
    list_display = ("code", "title_ja", "threat", "department", "inherent_score",
                    "residual_score", "treatment")
    list_filter = ("treatment", "status")
    search_fields = ("code", "title_ja", "title_en")
    raw_id_fields = ("assets", "controls", "owner")


@admin.register(RiskAcceptance)
class RiskAcceptanceAdmin(ScopedAdmin):
    list_display = ("risk", "accepted_by", "accepted_on", "expires_on", "revoked_on")
