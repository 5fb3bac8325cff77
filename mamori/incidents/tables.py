from django.utils.translation import gettext_lazy as _

from mamori.core.tables import Column, DueColumn, Resource, Table
from mamori.incidents.models import (
    BreachAssessment,
    BreachRule,
    Incident,
    RecoveryAction,
    RegulatoryReport,
    ResponseTarget,
)


class IncidentTable(Table):
    columns = [
        Column("code", link=True),
        Column("title", link=True),
        Column("severity"),
        Column("status"),
        Column("department", order_by="department__code"),
        Column("noticed_at"),
        DueColumn("recover_due_at", done="recovered_at"),
        Column("assignee", order_by="assignee__employee_no"),
    ]
    select_related = ("department", "assignee")
    default_ordering = "-noticed_at"


class IncidentResource(Resource):
    model = Incident
    fields = ["code", "title", "description", "occurred_at", "noticed_at", "aware_at",
              "late_awareness_reason", "reported_by", "department", "data_affected",
              "personal_data_suspected",
              "severity", "status", "assignee", "triaged_at", "contained_at", "recovered_at",
              "closed_at", "escalated_at", "root_cause", "lessons_learned"]
    key = "code"
    natural_keys = {"department": "code", "reported_by": "employee_no",
                    "assignee": "employee_no"}
    select_related = ("department", "reported_by", "assignee")


class RecoveryActionTable(Table):
    columns = [
        Column("title", link=True),
        Column("incident", order_by="incident__code"),
        Column("owner", order_by="owner__employee_no"),
        DueColumn("due_on", done="done_on"),
        Column("done_on"),
    ]
    select_related = ("incident", "owner")
    default_ordering = "due_on"


class RecoveryActionResource(Resource):
    model = RecoveryAction
    fields = ["incident", "title", "owner", "due_on", "done_on", "notes"]
    key = None
    natural_keys = {"incident": "code", "owner": "employee_no"}
    select_related = ("incident", "owner")


class BreachAssessmentTable(Table):
    columns = [
        Column("incident", order_by="incident__code", link=True),
        Column("reportable"),
        Column("grounds"),
        Column("preliminary_due"),
        Column("final_due"),
        Column("person_notice"),
    ]
    select_related = ("incident",)
    default_ordering = "-assessed_at"


class BreachAssessmentResource(Resource):
    model = BreachAssessment
    fields = ["incident", "personal_data", "sensitive", "financial_damage", "wrongful_purpose",
              "being_acquired", "held_data_also_affected", "persons_affected", "encrypted",
              "data_items", "person_notice", "person_notice_on", "reportable", "grounds",
              "preliminary_target", "preliminary_due", "final_due"]
    key = None
    natural_keys = {"incident": "code"}
    select_related = ("incident",)


class RegulatoryReportTable(Table):
    columns = [
        Column("incident", order_by="incident__code", link=True),
        Column("kind", link=True),
        Column("recipient"),
        DueColumn("due_on", done="submitted_on"),
        Column("submitted_on"),
    ]
    select_related = ("incident",)
    default_ordering = "due_on"


class RegulatoryReportResource(Resource):
    model = RegulatoryReport
    fields = ["incident", "recipient", "recipient_name", "legal_basis", "kind", "due_on",
              "submitted_on", *RegulatoryReport.ITEMS]
    key = None
    natural_keys = {"incident": "code"}
    select_related = ("incident",)


class BreachRuleTable(Table):
    columns = [
        Column("code", link=True),
        Column("name", _("name"), order_by="name_ja", link=True),
        Column("effective_from"),
        Column("preliminary_target_days"),
        Column("final_days"),
        Column("final_days_wrongful"),
    ]
    default_ordering = "-effective_from"


class BreachRuleResource(Resource):
    model = BreachRule
    fields = ["code", "name_ja", "name_en", "effective_from", "preliminary_target_days",
              "preliminary_due_days", "final_days", "final_days_wrongful",
              "person_threshold", "awareness_day_is_day_one", "acquisition_counts_as_wrongful",
              "legal_basis"]
    key = "code"


class ResponseTargetTable(Table):
    columns = [
        Column("severity", link=True),
        Column("contain_within_hours"),
        Column("recover_within_hours"),
    ]
    default_ordering = "contain_within_hours"


class ResponseTargetResource(Resource):
    model = ResponseTarget
    fields = ["severity", "contain_within_hours", "recover_within_hours"]
    key = "severity"
