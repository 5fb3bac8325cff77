from django.utils.translation import gettext_lazy as _

from mamori.compliance.models import (
    ComplianceException,
    Evaluation,
    ImpactAssessment,
    LegalSource,
    Obligation,
    RegulatoryAction,
    SourceVersion,
)
from mamori.core.tables import Column, Resource, Table


class LegalSourceTable(Table):
    columns = [
        Column("code", link=True),
        Column("title", _("title"), order_by="title_ja", link=True),
        Column("kind"),
        Column("issuer"),
        Column("jurisdiction"),
    ]
    default_ordering = "code"


class LegalSourceResource(Resource):
    model = LegalSource
    fields = ["code", "kind", "title_ja", "title_en", "short_name", "issuer", "jurisdiction",
              "url", "note"]
    key = "code"


class SourceVersionTable(Table):
    columns = [
        Column("source", order_by="source__code", link=True),
        Column("version", link=True),
        Column("promulgated_on"),
        Column("effective_on"),
    ]
    select_related = ("source",)
    default_ordering = "-effective_on"


class SourceVersionResource(Resource):
    model = SourceVersion
    fields = ["source", "version", "promulgated_on", "effective_on", "summary_ja",
              "summary_en", "affects_all"]
    natural_keys = {"source": "code"}
    select_related = ("source",)


class ObligationTable(Table):
    columns = [
        Column("code", link=True),
        Column("title", _("title"), order_by="title_ja", link=True),
        Column("source", order_by="source__code"),
        Column("article"),
        Column("applicability"),
        Column("department", order_by="department__code"),
        Column("interval_months"),
    ]
    select_related = ("source", "department")
    default_ordering = "code"


class ObligationResource(Resource):
    model = Obligation
    fields = ["code", "source", "article", "title_ja", "title_en", "summary_ja", "summary_en",
              "applicability", "applicability_reason", "department", "interval_months"]
    key = "code"
    natural_keys = {"source": "code", "department": "code"}
    select_related = ("source", "department")


class EvaluationTable(Table):
    columns = [
        Column("obligation", order_by="obligation__code", link=True),
        Column("evaluated_on", link=True),
        Column("result"),
        Column("evaluator", order_by="evaluator__name"),
    ]
    select_related = ("obligation", "evaluator")
    default_ordering = "-evaluated_on"


class EvaluationResource(Resource):
    model = Evaluation
    fields = ["obligation", "result", "evaluated_on", "evaluator", "evidence", "note"]
    natural_keys = {"obligation": "code", "evaluator": "employee_no"}
    select_related = ("obligation", "evaluator")


class ComplianceExceptionTable(Table):
    columns = [
        Column("obligation", order_by="obligation__code", link=True),
        Column("accepted_on", link=True),
        Column("expires_on"),
        Column("accepted_by", order_by="accepted_by__name"),
    ]
    select_related = ("obligation", "accepted_by")
    default_ordering = "-accepted_on"


class ComplianceExceptionResource(Resource):
    model = ComplianceException
    fields = ["obligation", "reason", "compensating_measures", "accepted_on", "expires_on"]
    natural_keys = {"obligation": "code"}
    select_related = ("obligation",)


class ImpactAssessmentTable(Table):
    columns = [
        Column("amendment", order_by="amendment__effective_on", link=True),
        Column("obligation", order_by="obligation__code", link=True),
        Column("obligation.department", label=_("owning department"),
               order_by="obligation__department__code"),
        Column("due_on"),
        Column("status"),
    ]
    select_related = ("amendment__source", "obligation__department")
    default_ordering = "due_on"


class ImpactAssessmentResource(Resource):
    model = ImpactAssessment
    fields = ["amendment", "obligation", "due_on", "status", "assessment", "assessed_on"]
    # A version has no code of its own: its id, with its name in the column beside it.
    natural_keys = {"amendment": "pk", "obligation": "code"}
    select_related = ("amendment__source", "obligation")


class RegulatoryActionTable(Table):
    columns = [
        Column("code", link=True),
        Column("title", link=True),
        Column("kind"),
        Column("regulator"),
        Column("received_on"),
        Column("response_due_on"),
        Column("status"),
    ]
    default_ordering = "-received_on"


class RegulatoryActionResource(Resource):
    model = RegulatoryAction
    fields = ["code", "kind", "title", "regulator", "reference", "received_on", "description",
              "department", "response_due_on", "responded_on", "response", "status"]
    key = "code"
    natural_keys = {"department": "code"}
    select_related = ("department",)
