import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from mamori.core.models import ChangeLogEntry

# The largest integer the databases store (a 64-bit signed integer).
LARGEST_INTEGER = 2**63 - 1


class WholeNumberFilter(django_filters.NumberFilter):
    """A whole number (an id, a rating) within what the database stores: a larger one is a
    validation error (400), not an overflow in the database driver (500)."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", -LARGEST_INTEGER)
        kwargs.setdefault("max_value", LARGEST_INTEGER)
        super().__init__(*args, **kwargs)


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
