"""One filterset per model, shared by the list page and the API."""

import django_filters
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from mamori.controls.models import (
    Control,
    Evidence,
    Framework,
    Requirement,
    RequirementMapping,
    current_evidence_filter,
    current_evidence_of_outer_control,
)
from mamori.core.filtersets import ScopedFilterSet, WholeNumberFilter, related_by_id


class ControlFilterSet(ScopedFilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    has_current_evidence = django_filters.BooleanFilter(
        method="filter_current_evidence", label=_("Has current evidence"))
    owner = related_by_id(Control, "owner")

    class Meta:
        model = Control
        fields = ["theme", "status", "frequency", "department", "owner"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(code__icontains=value) | Q(title_ja__icontains=value)
                               | Q(title_en__icontains=value))

    def filter_current_evidence(self, queryset, name, value):
        current = Exists(current_evidence_of_outer_control())
        return queryset.filter(current if value else ~current)


class EvidenceFilterSet(ScopedFilterSet):
    current = django_filters.BooleanFilter(method="filter_current", label=_("Current"))
    control = related_by_id(Evidence, "control")

    class Meta:
        model = Evidence
        fields = ["control", "kind"]

    def filter_current(self, queryset, name, value):
        q = current_evidence_filter()
        return queryset.filter(q) if value else queryset.exclude(q)


class FrameworkFilterSet(ScopedFilterSet):
    class Meta:
        model = Framework
        fields = ["source", "in_soa"]


class RequirementFilterSet(ScopedFilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    mapped = django_filters.BooleanFilter(method="filter_mapped", label=_("Mapped to controls"))

    class Meta:
        model = Requirement
        fields = ["framework", "theme", "applicable", "is_group", "parent"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(ref__icontains=value) | Q(title_ja__icontains=value)
                               | Q(title_en__icontains=value))

    def filter_mapped(self, queryset, name, value):
        mapped = Requirement.controls.through.objects.filter(requirement=OuterRef("pk"))
        return queryset.filter(Exists(mapped) if value else ~Exists(mapped))


class RequirementMappingFilterSet(ScopedFilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    source = related_by_id(RequirementMapping, "source")
    target = related_by_id(RequirementMapping, "target")
    requirement = WholeNumberFilter(method="filter_requirement",
                                    label=_("Either requirement (id)"))
    source_framework = django_filters.ModelChoiceFilter(
        field_name="source__framework", queryset=Framework.objects.all(),
        label=_("Source framework"))
    target_framework = django_filters.ModelChoiceFilter(
        field_name="target__framework", queryset=Framework.objects.all(),
        label=_("Target framework"))
    framework = django_filters.ModelChoiceFilter(
        field_name="source__framework", method="filter_framework",
        queryset=Framework.objects.all(), label=_("Either framework"))

    class Meta:
        model = RequirementMapping
        fields = ["relationship", "rationale", "mapping_set"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(source__uid__icontains=value) | Q(target__uid__icontains=value)
                               | Q(mapping_set_name__icontains=value)
                               | Q(mapping_set_name_en__icontains=value))

    def filter_requirement(self, queryset, name, value):
        visible = Requirement.objects.restrict(getattr(self.request, "user", None)).filter(
            pk=value).values("pk")
        return queryset.filter(Q(source__in=visible) | Q(target__in=visible))

    def filter_framework(self, queryset, name, value):
        return queryset.filter(Q(source__framework=value) | Q(target__framework=value))
