"""One filterset per model, shared by the list page and the API."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from mamori.core.filtersets import ScopedFilterSet, related_by_id
from mamori.core.search_indexes import contains_any
from mamori.org.models import Appointment, Department, Person


class DepartmentFilterSet(ScopedFilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))

    class Meta:
        model = Department
        fields = ["parent", "is_active"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(code__icontains=value) | Q(name_ja__icontains=value)
                               | Q(name_en__icontains=value))


class PersonFilterSet(ScopedFilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))

    class Meta:
        model = Person
        fields = ["category", "department", "status"]

    def search(self, queryset, name, value):
        return contains_any(queryset, Person.SEARCHED, value)


class AppointmentFilterSet(ScopedFilterSet):
    current = django_filters.BooleanFilter(method="filter_current", label=_("Current"))
    person = related_by_id(Appointment, "person")

    class Meta:
        model = Appointment
        fields = ["role", "department", "person"]

    def filter_current(self, queryset, name, value):
        current = Appointment.objects.current().values("pk")
        return queryset.filter(pk__in=current) if value else queryset.exclude(pk__in=current)
