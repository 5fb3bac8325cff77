from django.utils.translation import gettext_lazy as _

from mamori.audits.models import (
    Audit,
    AuditCertificate,
    AuditProgramme,
    ChecklistItem,
    EvidenceRequest,
    WorkingPaper,
)
from mamori.core.tables import Column, DueColumn, Resource, Table


class AuditProgrammeTable(Table):
    columns = [
        Column("fiscal_year", link=True),
        Column("approved_by", order_by="approved_by__employee_no"),
        Column("approved_on"),
    ]
    select_related = ("approved_by",)
    default_ordering = "-fiscal_year"


class AuditProgrammeResource(Resource):
    model = AuditProgramme
    fields = ["fiscal_year", "objectives", "approved_by", "approved_on"]
    key = "fiscal_year"
    natural_keys = {"approved_by": "employee_no"}
    select_related = ("approved_by",)


class AuditTable(Table):
    columns = [
        Column("code", link=True),
        Column("title", link=True),
        Column("kind"),
        Column("status"),
        Column("lead_auditor", order_by="lead_auditor__employee_no"),
        Column("planned_start"),
        Column("closed_on"),
    ]
    select_related = ("lead_auditor",)
    default_ordering = "-planned_start"


class AuditResource(Resource):
    model = Audit
    fields = ["code", "title", "kind", "programme", "auditing_body", "criteria",
              "lead_auditor", "planned_start", "planned_end", "summary", "conclusion"]
    key = "code"
    natural_keys = {"programme": "fiscal_year", "lead_auditor": "employee_no"}
    select_related = ("programme", "lead_auditor")


class ChecklistItemTable(Table):
    columns = [
        Column("audit", order_by="audit__code"),
        Column("reference", link=True),
        # In the reader's language where Mamori knows it (ChecklistItem.label).
        Column("label", _("what is audited"), order_by="title", link=True),
        Column("kind"),
        Column("result"),
    ]
    select_related = ("audit", "requirement", "control")
    default_ordering = "audit__code"


class ChecklistItemResource(Resource):
    """Also the findings file of an external auditor: one row per finding."""

    model = ChecklistItem
    fields = ["audit", "kind", "reference", "title", "result", "notes", "sampled_records"]
    natural_keys = {"audit": "code"}
    select_related = ("audit",)


class EvidenceRequestTable(Table):
    columns = [
        Column("request", link=True, sortable=False),
        Column("audit", order_by="audit__code"),
        Column("asked_of", order_by="asked_of__employee_no"),
        DueColumn("due_on", done="answered_on"),
        Column("status"),
    ]
    select_related = ("audit", "asked_of")
    default_ordering = "due_on"


class EvidenceRequestResource(Resource):
    model = EvidenceRequest
    fields = ["audit", "asked_of", "request", "due_on", "status", "response"]
    natural_keys = {"audit": "code", "asked_of": "employee_no"}
    select_related = ("audit", "asked_of")


class AuditCertificateTable(Table):
    columns = [
        Column("kind", link=True),
        Column("number", link=True),
        Column("audit", order_by="audit__code"),
        Column("issued_on"),
        DueColumn("expires_on", done="superseded", passed=_("expired")),
    ]
    select_related = ("audit",)
    default_ordering = "-issued_on"


class AuditCertificateResource(Resource):
    model = AuditCertificate
    fields = ["audit", "kind", "number", "scope_statement", "issued_on", "expires_on",
              "superseded"]
    natural_keys = {"audit": "code"}
    select_related = ("audit",)


class WorkingPaperTable(Table):
    columns = [
        Column("title", link=True),
        Column("item.audit", _("audit"), order_by="item__audit__code"),
        Column("item", order_by="item__reference"),
        Column("file_name"),
    ]
    select_related = ("item__audit",)
    default_ordering = "-id"


class WorkingPaperResource(Resource):
    """Listed and exported (what, where, its hash); files are uploaded one by one."""

    model = WorkingPaper
    fields = ["item", "title", "file_name", "file_size", "file_sha256"]
    select_related = ("item",)
