import django_filters
from django.utils.translation import gettext_lazy as _

from mamori.core.models import ChangeLogEntry


class ChangeLogFilterSet(django_filters.FilterSet):
    actor = django_filters.CharFilter(field_name="actor_name", lookup_expr="icontains",
                                      label=_("Actor"))
    model = django_filters.CharFilter(field_name="model", lookup_expr="iexact", label=_("Model"))
    object_id = django_filters.CharFilter(field_name="object_id", label=_("Object id"))
    since = django_filters.DateFilter(field_name="at", lookup_expr="date__gte", label=_("From"))
    until = django_filters.DateFilter(field_name="at", lookup_expr="date__lte", label=_("Until"))

    class Meta:
        model = ChangeLogEntry
        fields = ["action", "source"]
