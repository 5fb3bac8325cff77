from django.contrib import admin

from mamori.compliance.models import (
    ComplianceException,
    Evaluation,
    ImpactAssessment,
    LegalSource,
    Obligation,
    RegulatoryAction,
    SourceVersion,
)
from mamori.core.admin import ScopedAdmin

for model in (LegalSource, SourceVersion, Obligation, Evaluation, ComplianceException,
              ImpactAssessment, RegulatoryAction):
    admin.site.register(model, ScopedAdmin)
