from mamori.compliance.models.evaluations import (
    AssessmentScope,
    ComplianceException,
    Evaluation,
    ImpactAssessment,
    Result,
)
from mamori.compliance.models.register import (
    Applicability,
    LegalSource,
    Obligation,
    SourceKind,
    SourceVersion,
)
from mamori.compliance.models.regulatory import RegulatoryAction

__all__ = [
    "Applicability",
    "AssessmentScope",
    "ComplianceException",
    "Evaluation",
    "ImpactAssessment",
    "LegalSource",
    "Obligation",
    "RegulatoryAction",
    "Result",
    "SourceKind",
    "SourceVersion",
]
