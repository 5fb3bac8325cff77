"""The API's filter backend: django-filter's, refusing query values the schema forbids.

django-filter reads a filter's query value leniently, for the HTML list pages: an empty value
or one a boolean filter does not know (`?active=null`) means "no filter", and of a repeated
parameter the last value wins; a number filter over an integer column takes 0.5. The API's
schema promises one boolean, date, integer or choice per parameter, so there such a query is
refused (400, naming the parameter) instead of answered with a list that ignores it.
"""

import re

import django_filters
from django.db import models
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from django_filters.utils import get_model_field
from rest_framework import exceptions

BOOLEANS = ("true", "false")
WHOLE_NUMBER = re.compile(r"-?[0-9]+")


def counts_whole_numbers(filterset, filter_) -> bool:
    """A number filter over an integer column (django-filter would take 0.5 for it; the
    schema says integer)."""
    if not isinstance(filter_, django_filters.NumberFilter) or filter_.method:
        return False
    field = get_model_field(filterset._meta.model, filter_.field_name)
    return isinstance(field, models.IntegerField)


def query_errors(filterset, query) -> dict[str, list[str]]:
    errors = {}
    for name, filter_ in filterset.filters.items():
        values = query.getlist(name)
        if not values:
            continue
        if len(values) > 1 and "Multiple" not in filter_.field_class.__name__:
            errors[name] = [_("Give this parameter once.")]
        elif isinstance(filter_, django_filters.BooleanFilter) and any(
                value not in BOOLEANS for value in values):
            errors[name] = [_("Give true or false.")]
        elif counts_whole_numbers(filterset, filter_) and any(
                not WHOLE_NUMBER.fullmatch(value) for value in values if value):
            errors[name] = [_("Give a whole number.")]
        elif "" in values and not isinstance(filter_, django_filters.CharFilter):
            errors[name] = [_("Give a value, or leave the parameter out.")]
    return errors


class SchemaStrictFilterBackend(DjangoFilterBackend):
    def filter_queryset(self, request, queryset, view):
        filterset = self.get_filterset(request, queryset, view)
        if filterset is not None and (errors := query_errors(filterset, request.query_params)):
            raise exceptions.ValidationError(errors)
        return super().filter_queryset(request, queryset, view)
