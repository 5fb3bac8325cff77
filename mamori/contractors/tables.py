from django.utils.translation import gettext_lazy as _

from mamori.contractors.forms import CONTRACTOR_FIELDS
from mamori.contractors.models import (
    Certificate,
    Contract,
    Contractor,
    Screening,
    ScreeningAnswer,
    ScreeningRequirement,
    Subcontracting,
    TierRule,
)
from mamori.core.tables import Column, Resource, Table


class ContractorTable(Table):
    columns = [
        Column("code", link=True),
        Column("name", _("name"), order_by="name_ja", link=True),
        Column("department", order_by="department__code"),
        Column("tier"),
        Column("personal_data"),
        Column("card_data"),
        Column("country"),
        Column("status"),
    ]
    select_related = ("department",)
    default_ordering = "code"


class ContractorResource(Resource):
    model = Contractor
    fields = CONTRACTOR_FIELDS
    key = "code"
    natural_keys = {"department": "code"}
    select_related = ("department",)


class TierRuleTable(Table):
    columns = [
        Column("tier"),
        Column("name", _("name"), order_by="name_ja", link=True),
        Column("code"),
    ]
    default_ordering = "-tier"


class TierRuleResource(Resource):
    model = TierRule
    fields = ["code", "name_ja", "name_en", "tier", "needs_personal_data", "min_persons",
              "needs_sensitive", "needs_card_data", "needs_system_access", "needs_foreign"]
    key = "code"


class ScreeningRequirementTable(Table):
    columns = [
        Column("sort_key"),
        Column("code", link=True),
        Column("title", _("title"), order_by="title_ja", link=True),
        Column("min_tier"),
        Column("appi_refs"),
    ]
    default_ordering = "sort_key"


class ScreeningRequirementResource(Resource):
    model = ScreeningRequirement
    fields = ["code", "title_ja", "title_en", "question_ja", "question_en", "min_tier",
              "sort_key", "appi_refs"]
    key = "code"


class ScreeningTable(Table):
    columns = [
        Column("contractor", order_by="contractor__code", link=True),
        Column("kind"),
        Column("tier"),
        Column("requested_on", link=True),
        Column("due_on"),
        Column("status"),
        Column("verdict"),
        Column("verdict_until"),
    ]
    select_related = ("contractor",)
    default_ordering = "-requested_on"


class ScreeningResource(Resource):
    model = Screening
    fields = ["contractor", "kind", "tier", "requested_on", "due_on", "status", "answered_on",
              "assessed_on", "verdict", "verdict_until", "note"]
    natural_keys = {"contractor": "code"}
    select_related = ("contractor",)


class ScreeningAnswerTable(Table):
    # Hundreds of thousands of rows at 5,000 contractors: every order is one an index gives
    # with the id as tiebreak (by the screening and the requirement as recorded, not by the
    # related rows' own order, which sorted all of them on every page: 140 ms on PostgreSQL).
    # Newest first by default; an answer is read in order on its screening's page.
    columns = [
        Column("screening", order_by="screening_id", link=True),
        Column("requirement", order_by="requirement_id", link=True),
        Column("their_level"),
        Column("our_level"),
        Column("acceptance_expires_on"),
    ]
    select_related = ("screening__contractor", "requirement")
    default_ordering = "-id"


class ScreeningAnswerResource(Resource):
    model = ScreeningAnswer
    fields = ["screening", "requirement", "their_level", "their_comment", "our_level",
              "accepted_on", "acceptance_condition", "acceptance_expires_on"]
    natural_keys = {"requirement": "code"}
    select_related = ("requirement",)


class PortalLinkTable(Table):
    columns = [
        Column("screening", order_by="screening__requested_on", link=True),
        Column("issued_at", link=True),
        Column("expires_at"),
        Column("revoked_at"),
        Column("last_used_at"),
    ]
    select_related = ("screening__contractor",)
    default_ordering = "-issued_at"


CONTRACT_FIELDS = ["contractor", "title", "signed_on", "starts_on", "ends_on", "renewal",
                   "clause_confidentiality", "clause_purpose_limitation",
                   "clause_security_measures", "clause_subcontracting_consent",
                   "clause_audit_right", "clause_incident_notification",
                   "notification_hours", "clause_return_or_deletion",
                   "clause_foreign_transfer", "note"]


class ContractTable(Table):
    columns = [
        Column("contractor", order_by="contractor__code", link=True),
        Column("title", link=True),
        Column("starts_on"),
        Column("ends_on"),
        Column("renewal"),
    ]
    select_related = ("contractor",)
    default_ordering = "-starts_on"


class ContractResource(Resource):
    model = Contract
    fields = CONTRACT_FIELDS
    natural_keys = {"contractor": "code"}
    select_related = ("contractor",)


class CertificateTable(Table):
    columns = [
        Column("contractor", order_by="contractor__code", link=True),
        Column("kind", link=True),
        Column("number"),
        Column("expires_on"),
        Column("relied_on"),
    ]
    select_related = ("contractor",)
    default_ordering = "expires_on"


class CertificateResource(Resource):
    model = Certificate
    fields = ["contractor", "kind", "number", "issuer", "issued_on", "expires_on",
              "relied_on", "note"]
    natural_keys = {"contractor": "code"}
    select_related = ("contractor",)


class SubcontractingTable(Table):
    columns = [
        Column("contractor", order_by="contractor__code", link=True),
        Column("subcontractor", order_by="subcontractor__code", link=True),
        Column("status"),
        Column("requested_on"),
        Column("decided_on"),
    ]
    select_related = ("contractor", "subcontractor")
    default_ordering = "contractor"


class SubcontractingResource(Resource):
    model = Subcontracting
    fields = ["contractor", "subcontractor", "work", "information", "requested_on"]
    natural_keys = {"contractor": "code", "subcontractor": "code"}
    select_related = ("contractor", "subcontractor")
