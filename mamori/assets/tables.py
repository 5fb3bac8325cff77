from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from mamori.assets.models import Asset, ClassificationLevel
from mamori.core.tables import Column, Resource, Table


class AssetTable(Table):
    columns = [
        Column("code", link=True),
        Column("name", _("name"), order_by="name_ja", link=True),
        Column("asset_type"),
        Column("department", order_by="department__code"),
        Column("classification", order_by="classification_rank"),
        # One letter each, so the table fits (the detail page and the filter say it in full).
        Column("confidentiality", pgettext_lazy("confidentiality, short", "C")),
        Column("integrity", pgettext_lazy("integrity, short", "I")),
        Column("availability", pgettext_lazy("availability, short", "A")),
        Column("has_personal_info"),
        Column("status"),
    ]
    select_related = ("department", "classification")
    default_ordering = "code"


class AssetResource(Resource):
    model = Asset
    fields = ["code", "name_ja", "name_en", "asset_type", "description", "department",
              "custodian", "location", "status", "confidentiality", "integrity", "availability",
              "has_personal_info", "data_subjects", "has_sensitive_personal_info",
              "has_card_data"]
    key = "code"
    natural_keys = {"department": "code", "custodian": "employee_no"}
    select_related = ("department", "custodian")


class ClassificationLevelTable(Table):
    columns = [
        Column("min_rating"),
        Column("name", _("name"), order_by="name_ja", link=True),
        Column("code"),
    ]
    default_ordering = "-min_rating"


class ClassificationLevelResource(Resource):
    model = ClassificationLevel
    fields = ["code", "name_ja", "name_en", "min_rating", "handling_ja", "handling_en"]
    key = "code"
