from django.utils.translation import gettext_lazy as _

from mamori.controls.models import Control, Evidence, Framework, Requirement, RequirementMapping
from mamori.core.tables import Column, DueColumn, Resource, Table


class ControlTable(Table):
    columns = [
        Column("code", link=True),
        Column("title", _("title"), order_by="title_ja", link=True),
        Column("theme"),
        Column("department", order_by="department__code"),
        Column("owner", order_by="owner__employee_no"),
        Column("status"),
        Column("frequency"),
    ]
    select_related = ("department", "owner")
    default_ordering = "code"


class ControlResource(Resource):
    model = Control
    fields = ["code", "title_ja", "title_en", "description", "theme", "department", "owner",
              "status", "frequency"]
    key = "code"
    natural_keys = {"department": "code", "owner": "employee_no"}
    select_related = ("department", "owner")


class EvidenceTable(Table):
    columns = [
        Column("title", link=True),
        Column("control", order_by="control__code"),
        Column("kind"),
        Column("collected_on"),
        DueColumn("expires_on", passed=_("expired")),
    ]
    select_related = ("control",)
    default_ordering = "-collected_on"


class EvidenceResource(Resource):
    """Links and notes can be imported; files are uploaded one by one."""

    model = Evidence
    fields = ["control", "kind", "title", "url", "note", "collected_on", "expires_on",
              "file_name", "file_sha256"]
    key = None
    natural_keys = {"control": "code"}
    select_related = ("control",)


class FrameworkTable(Table):
    columns = [
        Column("code", link=True),
        Column("name", _("name"), order_by="name_ja", link=True),
        Column("version"),
        Column("publisher"),
        Column("source"),
        Column("in_soa"),
    ]
    default_ordering = "code"


class FrameworkResource(Resource):
    model = Framework
    fields = ["code", "name_ja", "name_en", "version", "publisher", "source", "licence_note",
              "in_soa"]
    key = "code"


class RequirementTable(Table):
    columns = [
        Column("framework", order_by="framework__code"),
        Column("ref", link=True, order_by="sort_key"),
        Column("title", _("title"), order_by="title_ja", link=True),
        Column("theme"),
        Column("applicable"),
    ]
    select_related = ("framework",)
    default_ordering = "sort_key"


class RequirementResource(Resource):
    """Keyed by `uid` (framework code and reference), so a customer can load the licensed
    text of a standard they own over Mamori's own descriptors."""

    model = Requirement
    fields = ["uid", "framework", "ref", "parent", "sort_key", "title_ja", "title_en",
              "description", "theme", "is_group", "applicable", "justification"]
    key = "uid"
    natural_keys = {"framework": "code", "parent": "uid"}
    select_related = ("framework", "parent")


class RequirementMappingTable(Table):
    columns = [
        Column("source", order_by="source__uid", link=True),
        Column("relationship"),
        Column("target", order_by="target__uid", link=True),
        Column("strength"),
        Column("rationale"),
        Column("mapping_set_title", _("mapping set name"), order_by="mapping_set_name"),
    ]
    select_related = ("source", "target")
    default_ordering = "source"


class RequirementMappingResource(Resource):
    """Keyed by nothing: a mapping is its two requirements (by `uid`), which a file row names;
    one already mapped is refused as a duplicate pair. The mapping set is the import's own."""

    model = RequirementMapping
    fields = ["source", "target", "relationship", "strength", "rationale", "annotation"]
    key = None
    natural_keys = {"source": "uid", "target": "uid"}
    select_related = ("source", "target")
