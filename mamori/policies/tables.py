from django.utils.translation import gettext_lazy as _

from mamori.core.tables import Column, DueColumn, Resource, Table
from mamori.org.models import Person
from mamori.policies.models import Acknowledgement, PolicyDocument, PolicyReview, PolicyVersion


class PolicyDocumentTable(Table):
    columns = [
        Column("code", link=True),
        Column("title", _("title"), order_by="title_ja", link=True),
        Column("kind"),
        Column("owner_department", order_by="owner_department__code"),
        DueColumn("next_review_date"),
        Column("is_active"),
    ]
    select_related = ("owner_department",)
    default_ordering = "code"


class PolicyDocumentResource(Resource):
    model = PolicyDocument
    fields = ["code", "kind", "title_ja", "title_en", "owner_department",
              "review_interval_months", "next_review_date", "acknowledgement_days", "is_active"]
    key = "code"
    natural_keys = {"owner_department": "code"}
    select_related = ("owner_department",)


class PolicyVersionTable(Table):
    columns = [
        Column("document", order_by="document__code", link=True),
        Column("number", link=True),
        Column("status"),
        Column("is_material"),
        Column("published_at"),
    ]
    select_related = ("document",)
    default_ordering = "-pk"


class PolicyVersionResource(Resource):
    model = PolicyVersion
    fields = ["document", "number", "status", "is_material", "change_summary", "content_hash",
              "published_at"]
    natural_keys = {"document": "code"}
    select_related = ("document",)


class AcknowledgementTable(Table):
    columns = [
        Column("person", order_by="person__employee_no", link=True),
        Column("version", order_by="version__document__code"),
        Column("acknowledged_at"),
        Column("content_hash", sortable=False),
    ]
    select_related = ("person", "version__document")
    default_ordering = "-acknowledged_at"


class AcknowledgementResource(Resource):
    model = Acknowledgement
    fields = ["person", "version", "content_hash", "acknowledged_at", "ip_address", "session"]
    natural_keys = {"person": "employee_no", "version": "pk"}
    select_related = ("person", "version__document")


class PolicyReviewTable(Table):
    columns = [
        Column("document", order_by="document__code", link=True),
        Column("reviewed_on", link=True),
        Column("reviewer", order_by="reviewer__employee_no"),
        Column("outcome"),
        Column("next_review_date"),
    ]
    select_related = ("document", "reviewer")
    default_ordering = "-reviewed_on"


class PolicyReviewResource(Resource):
    model = PolicyReview
    fields = ["document", "reviewer", "reviewed_on", "outcome", "reasons", "notes",
              "next_review_date"]
    natural_keys = {"document": "code", "reviewer": "employee_no"}
    select_related = ("document", "reviewer")


class PendingPeopleResource(Resource):
    """The export of people who have not acknowledged a document."""

    model = Person
    fields = ["employee_no", "name", "name_latin", "email", "category", "department", "status"]
    natural_keys = {"department": "code"}
    select_related = ("department",)
