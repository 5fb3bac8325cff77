from django.utils.translation import gettext_lazy as _

from mamori.core.tables import Column, DueColumn, Resource, Table
from mamori.improvement.models import (
    CorrectiveAction,
    EffectivenessCheck,
    ImprovementAction,
    Nonconformity,
)


class NonconformityTable(Table):
    columns = [
        Column("code", link=True),
        Column("title", link=True),
        Column("severity"),
        Column("status"),
        Column("source"),
        Column("department", order_by="department__code"),
        Column("raised_on"),
        DueColumn("plan_due_on", done="plan_approved_on", passed=_("plan overdue")),
    ]
    select_related = ("department",)
    default_ordering = "-raised_on"


class NonconformityResource(Resource):
    model = Nonconformity
    fields = ["code", "title", "description", "severity", "source", "source_reference",
              "policy_article", "requirement", "department", "raised_on", "correction",
              "correction_done_on", "root_cause"]
    key = "code"
    natural_keys = {"department": "code"}
    select_related = ("department",)


class CorrectiveActionTable(Table):
    columns = [
        Column("title", link=True),
        Column("nonconformity", order_by="nonconformity__code"),
        Column("owner", order_by="owner__employee_no"),
        DueColumn("due_on", done="done_on"),
        Column("done_on"),
    ]
    select_related = ("nonconformity", "owner")
    default_ordering = "due_on"


class CorrectiveActionResource(Resource):
    model = CorrectiveAction
    fields = ["nonconformity", "title", "owner", "due_on", "done_on", "notes"]
    key = None
    natural_keys = {"nonconformity": "code", "owner": "employee_no"}
    select_related = ("nonconformity", "owner")


class EffectivenessCheckTable(Table):
    columns = [
        Column("nonconformity", order_by="nonconformity__code", link=True),
        Column("checked_on"),
        Column("effective"),
        Column("verifier", order_by="verifier__employee_no"),
    ]
    select_related = ("nonconformity", "verifier")
    default_ordering = "-checked_on"


class EffectivenessCheckResource(Resource):
    model = EffectivenessCheck
    fields = ["nonconformity", "checked_on", "verifier", "effective", "notes"]
    natural_keys = {"nonconformity": "code", "verifier": "employee_no"}
    select_related = ("nonconformity", "verifier")


class ImprovementActionTable(Table):
    columns = [
        Column("code", link=True),
        Column("title", link=True),
        Column("status"),
        Column("source"),
        Column("department", order_by="department__code"),
        Column("owner", order_by="owner__employee_no"),
        DueColumn("due_on", done="completed_on"),
    ]
    select_related = ("department", "owner")
    default_ordering = "due_on"


class ImprovementActionResource(Resource):
    model = ImprovementAction
    fields = ["code", "title", "description", "source", "source_reference", "department",
              "owner", "raised_on", "due_on", "status", "completed_on", "outcome"]
    key = "code"
    natural_keys = {"department": "code", "owner": "employee_no"}
    select_related = ("department", "owner")

