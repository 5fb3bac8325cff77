"""The contractors app's models: the register, tiers, requirement catalogue, screenings and
portal links (`register`), the contracts, certificates and settings (`agreements`), and the
subcontracting chains (`subcontracting`)."""

from mamori.contractors.models.agreements import (
    CLAUSES,
    FOREIGN_CLAUSE,
    Certificate,
    Contract,
    ContractorSettings,
    certificates_expiring,
    complete_contract_q,
    contracts_ending,
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
from mamori.contractors.models.subcontracting import LIVE, Subcontracting, downstream_of

__all__ = [
    "CLAUSES", "FOREIGN_CLAUSE", "HOME_COUNTRY", "LEVEL_CHOICES", "LIVE", "Certificate",
    "Contract", "Contractor", "ContractorSettings", "CorporateNumberField", "CountryCodeField",
    "PortalLink", "Screening", "ScreeningAnswer", "ScreeningRequirement", "Subcontracting",
    "Tier", "TierRule", "certificates_expiring", "complete_contract_q", "contracts_ending",
    "downstream_of", "in_force_q", "retier_contractors", "tier_rules",
]
