from django.utils.translation import gettext_lazy as _

from mamori.contractors.forms import CONTRACTOR_FIELDS
from mamori.contractors.models import Contractor, ScreeningRequirement, TierRule
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
