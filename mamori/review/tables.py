from django.utils.translation import gettext_lazy as _

from mamori.core.tables import Column, DueColumn, Resource, Table
from mamori.review.models import ManagementReview, Measure, Measurement, Objective, ReviewDecision


class MeasureTable(Table):
    columns = [
        Column("code", link=True),
        Column("title", _("title"), order_by="title_ja", link=True),
        Column("unit"),
        Column("target"),
        Column("frequency"),
        Column("by_department"),
        Column("owner", order_by="owner__employee_no"),
        Column("computed", _("computed by Mamori"), order_by="builtin"),
        Column("active"),
    ]
    select_related = ("owner",)
    default_ordering = "code"


class MeasureResource(Resource):
    """The manual measures' definitions (built-in ones are Mamori's own)."""

    model = Measure
    fields = ["code", "title_ja", "title_en", "description", "unit", "direction", "target",
              "frequency", "by_department", "owner", "active"]
    key = "code"
    natural_keys = {"owner": "employee_no"}
    select_related = ("owner",)


class MeasurementTable(Table):
    columns = [
        Column("measure", order_by="measure__code", link=True),
        Column("period"),
        Column("department", order_by="department__code"),
        Column("category"),
        Column("value"),
        Column("computed"),
    ]
    select_related = ("measure", "department")
    default_ordering = "-period"


class MeasurementResource(Resource):
    model = Measurement
    fields = ["measure", "period", "department", "category", "value", "note"]
    natural_keys = {"measure": "code", "department": "code"}
    select_related = ("measure", "department")


class ObjectiveTable(Table):
    columns = [
        Column("code", link=True),
        Column("title", link=True),
        Column("status"),
        Column("department", order_by="department__code"),
        Column("owner", order_by="owner__employee_no"),
        DueColumn("target_on", done="achieved_on", passed=_("late")),
        Column("replanned_count"),
    ]
    select_related = ("department", "owner")
    default_ordering = "target_on"


class ObjectiveResource(Resource):
    model = Objective
    fields = ["code", "title", "description", "owner", "department", "target_on", "status",
              "achieved_on", "replan_reason"]
    key = "code"
    natural_keys = {"owner": "employee_no", "department": "code"}
    select_related = ("owner", "department")


class ManagementReviewTable(Table):
    columns = [
        Column("code", link=True),
        Column("title", link=True),
        Column("held_on"),
        Column("chair", order_by="chair__employee_no"),
        Column("status"),
        Column("frozen_at"),
        Column("closed_on"),
    ]
    select_related = ("chair",)
    default_ordering = "-held_on"


class ManagementReviewResource(Resource):
    """The meetings as planned (attendees are chosen on the page; the minutes are recorded
    by the review's step)."""

    model = ManagementReview
    fields = ["code", "title", "held_on", "chair", "period_start", "feedback",
              "opportunities"]
    key = "code"
    natural_keys = {"chair": "employee_no"}
    select_related = ("chair",)


class ReviewDecisionTable(Table):
    columns = [
        Column("review", order_by="review__code", link=True),
        Column("number"),
        Column("title", _("decision"), sortable=False, link=True),
        Column("kind"),
        Column("department", order_by="department__code"),
        Column("owner", order_by="owner__employee_no"),
        Column("due_on"),
    ]
    select_related = ("review", "department", "owner")
    default_ordering = "-review__held_on"


class ReviewDecisionResource(Resource):
    model = ReviewDecision
    fields = ["review", "number", "kind", "decision", "department", "owner", "due_on"]
    natural_keys = {"review": "code", "department": "code", "owner": "employee_no"}
    select_related = ("review", "department", "owner")
