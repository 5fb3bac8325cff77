"""The contractors app's models: the register, tiers, requirement catalogue, screenings and
portal links (`register`), and the contracts, certificates and settings (`agreements`)."""

from mamori.contractors.models.agreements import (
    CLAUSES,
    FOREIGN_CLAUSE,
    Certificate,
    Contract,
    ContractorSettings,
    complete_contract_q,
    in_force_q,
)
from mamori.contractors.models.register import (
    HOME_COUNTRY,
    LEVEL_CHOICES,
    Contractor,
    CorporateNumberField,
    CountryCodeField,
    PortalLink,
    Screening,
    ScreeningAnswer,
    ScreeningRequirement,
    Tier,
    TierRule,
    retier_contractors,
    tier_rules,
)

__all__ = [
    "CLAUSES", "FOREIGN_CLAUSE", "HOME_COUNTRY", "LEVEL_CHOICES", "Certificate", "Contract",
    "Contractor", "ContractorSettings", "CorporateNumberField", "CountryCodeField",
    "PortalLink", "Screening", "ScreeningAnswer", "ScreeningRequirement", "Tier", "TierRule",
    "complete_contract_q", "in_force_q", "retier_contractors", "tier_rules",
]
