from django.contrib import admin

from mamori.controls.models import Control, Evidence, Framework, Requirement, RequirementMapping
from mamori.core.admin import ScopedAdmin


@admin.register(Control)
class ControlAdmin(ScopedAdmin):
    list_display = ("code", "title_ja", "theme", "department", "status")
    list_filter = ("theme", "status")
    search_fields = ("code", "title_ja", "title_en")


@admin.register(Evidence)
class EvidenceAdmin(ScopedAdmin):
    list_display = ("title", "control", "kind", "collected_on", "expires_on")
    list_filter = ("kind",)


@admin.register(Framework)
class FrameworkAdmin(ScopedAdmin):
    list_display = ("code", "name_ja", "version", "source", "in_soa")


@admin.register(Requirement)
class RequirementAdmin(ScopedAdmin):
    list_display = ("uid", "title_ja", "theme", "applicable")
    list_filter = ("framework",)
    search_fields = ("uid", "title_ja", "title_en")
    raw_id_fields = ("parent", "controls")


@admin.register(RequirementMapping)
class RequirementMappingAdmin(ScopedAdmin):
    list_display = ("source", "relationship", "target", "mapping_set")
    list_filter = ("relationship",)
    search_fields = ("source__uid", "target__uid", "mapping_set")
    raw_id_fields = ("source", "target")
    list_select_related = ("source", "target")
