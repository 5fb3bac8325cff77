from django.utils.translation import gettext_lazy as _

from mamori.core.tables import Column, DueColumn, Resource, Table
from mamori.risks.display import band_badge
from mamori.risks.models import Risk, RiskAcceptance, RiskBand, Threat


class ThreatTable(Table):
    columns = [
        Column("code", link=True),
        Column("name", _("name"), order_by="name_ja", link=True),
        Column("harms"),
        Column("policy_article"),
    ]
    default_ordering = "code"


class ThreatResource(Resource):
    model = Threat
    fields = ["code", "name_ja", "name_en", "harms", "description", "policy_article"]
    key = "code"


class RiskBandTable(Table):
    columns = [
        Column("min_score", link=True),
        Column("name", _("name"), order_by="name_ja", link=True),
        Column("colour"),
    ]
    default_ordering = "min_score"


class RiskBandResource(Resource):
    model = RiskBand
    fields = ["min_score", "name_ja", "name_en", "colour"]
    key = "min_score"



class ScoreColumn(Column):
    """A score shown with its band's name and colour (the bands are read once per page)."""

    def value(self, obj):
        return band_badge(getattr(obj, self.field), obj.score_bands)


class RiskTable(Table):
    columns = [
        Column("code", link=True),
        Column("title", _("title"), order_by="title_ja", link=True),
        Column("threat", order_by="threat__code"),
        Column("department", order_by="department__code"),
        ScoreColumn("inherent_score"),
        ScoreColumn("residual_score"),
        Column("treatment"),
        Column("status"),
    ]
    select_related = ("threat", "department")
    default_ordering = "code"

    def rows(self, objects):
        bands = list(RiskBand.objects.order_by("min_score"))
        objects = list(objects)
        for risk in objects:
            risk.score_bands = bands
        return super().rows(objects)


class RiskResource(Resource):
    model = Risk
    fields = ["code", "title_ja", "title_en", "threat", "department", "owner", "vulnerability",
              "status", "likelihood", "impact", "treatment", "treatment_plan",
              "residual_likelihood", "residual_impact", "assessed_on", "next_review_on"]
    key = "code"
    natural_keys = {"threat": "code", "department": "code", "owner": "employee_no"}
    select_related = ("threat", "department", "owner")


class RiskAcceptanceTable(Table):
    columns = [
        Column("risk", order_by="risk__code", link=True),
        Column("accepted_by", order_by="accepted_by__employee_no"),
        Column("accepted_on"),
        DueColumn("expires_on", done="revoked_on", passed=_("expired")),
        Column("score_accepted"),
        Column("revoked_on"),
    ]
    select_related = ("risk", "accepted_by")
    default_ordering = "-accepted_on"


class RiskAcceptanceResource(Resource):
    model = RiskAcceptance
    fields = ["risk", "accepted_by", "accepted_on", "expires_on", "justification",
              "revoked_on"]
    key = None
    natural_keys = {"risk": "code", "accepted_by": "employee_no"}
    select_related = ("risk", "accepted_by")
