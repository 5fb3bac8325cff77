"""Filter helpers shared by every app's filtersets.

A filter offers or matches related objects only as the requesting user may see them: its
choices are a read like any other, through `restrict(user, VIEW)`. Every app's filterset
derives from `ScopedFilterSet`, which scopes the choices of each model-choice filter, whether
generated from `Meta.fields` or declared, so that no filter can forget it; a filter by an id
(`VisibleIdFilter`) matches only objects the user may see.
"""

import django_filters
from django import forms
from django.core.validators import EMPTY_VALUES
from django.utils.translation import gettext_lazy as _

from mamori.core.models import ChangeLogEntry
from mamori.core.scope import VIEW

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


def visible_choices(queryset):
    """The choices of a model-choice filter, as django-filter takes them (a callable given the
    request): the rows of `queryset` that the request's user may see. Without a request there
    is no user, and so no choice."""

    def choices(request):
        return queryset.all().restrict(getattr(request, "user", None), VIEW)

    return choices


MODEL_CHOICE_FILTERS = (django_filters.ModelChoiceFilter, django_filters.ModelMultipleChoiceFilter)


class ScopedFilterSet(django_filters.FilterSet):
    """A filterset whose model-choice filters offer (and accept) only the related objects the
    requesting user may see: a staff member's "owner" filter lists themselves, not every
    person. A filter declared with a queryset keeps its narrowing and is scoped too; one
    declared with a callable is trusted to scope itself (core/tests/test_choices.py checks
    every filterset of the project either way)."""

    @classmethod
    def get_filters(cls):
        filters = super().get_filters()
        for filter_ in filters.values():
            if isinstance(filter_, MODEL_CHOICE_FILTERS) and not callable(filter_.queryset):
                if not hasattr(filter_.queryset, "restrict"):
                    raise TypeError(f"{cls.__name__}: the choices of {filter_.field_name!r} "
                                    "have no scope to restrict them to")
                filter_.queryset = visible_choices(filter_.queryset)
        return filters


class VisibleIdFilter(WholeNumberFilter):
    """A related object named by its id (where a <select> of every object would be thousands
    long), matched only when the requesting user may see it: an id outside their scope matches
    nothing, exactly as an id that does not exist, so the filter tells nothing about links to
    objects they cannot see."""

    def filter(self, qs, value):
        if value in EMPTY_VALUES:
            return qs
        related = self.model._meta.get_field(self.field_name).related_model
        user = getattr(getattr(self.parent, "request", None), "user", None)
        visible = related._default_manager.restrict(user, VIEW).filter(pk=value)
        return qs.filter(**{f"{self.field_name}__in": visible.values("pk")})


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
