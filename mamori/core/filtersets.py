"""Filter helpers shared by every app's filtersets.

Every filter has a label that follows the reader's language (`LabelledFilterSet`), and each
filterset instance builds its own form fields: a field cached on the class (drf-spectacular's
schema reads `base_filters[...].field`) must not decide what every later list page shows.

A filter offers or matches related objects only as the requesting user may see them: its
choices are a read like any other, through `restrict(user, VIEW)`. Every app's filterset
derives from `ScopedFilterSet`, which scopes the choices of each model-choice filter, whether
generated from `Meta.fields` or declared, so that no filter can forget it; a filter by an id
(`VisibleIdFilter`) matches only objects the user may see.
"""

import datetime

import django_filters
from django import forms
from django.core.validators import EMPTY_VALUES
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django_filters.utils import label_for_filter

from mamori.core.changelog import first_entry_from
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

# Registers that grow with the company (tens of thousands of rows at a large one): a filter by
# one of their records names it by id (related_by_id), never as a <select> of all of them,
# which would be rendered, and its options read, on every list page.
LARGE_REGISTERS = frozenset({
    "org.person", "assets.asset", "risks.risk", "incidents.incident", "controls.control",
    "policies.acknowledgement", "core.changelogentry",
})


# django-filter's label for a filter of a model field ("Status", "Min score is less than"),
# computed in the language active when it is read.
lazy_label_for_filter = lazy(label_for_filter, str)


class LabelledFilterSet(django_filters.FilterSet):
    """A filterset whose every filter has a label in the reader's language, whoever touched
    the class's filters first.

    django-filter names a filter after its model field only once the filter is bound to an
    instance (it needs the model), and caches the form field a filter builds. A filter read
    on the class (drf-spectacular reads `base_filters[...].field` for the schema) so built a
    field without a label, which every later instance copied: Django then showed the field's
    name, in English ("Status"), until a restart. Here every filter gets, on the class, a lazy
    label (the declared one, capitalised, or the model field's name as django-filter words
    it), and each instance drops any field copied from the class and builds its own."""

    @classmethod
    def get_filters(cls):
        filters = super().get_filters()
        model = cls._meta.model
        for filter_ in filters.values():
            if filter_._label is None and model is not None:
                filter_.label = lazy_label_for_filter(model, filter_.field_name,
                                                      filter_.lookup_expr, filter_.exclude)
            elif filter_._label is not None:
                # A label reusing a field's verbose name ("residual likelihood") starts a
                # line like any other (capfirst keeps a lazy label lazy).
                filter_.label = capfirst(filter_._label)
        return filters

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for filter_ in self.filters.values():
            filter_.__dict__.pop("_field", None)


class ScopedFilterSet(LabelledFilterSet):
    """A filterset whose model-choice filters offer (and accept) only the related objects the
    requesting user may see: a staff member's "owner" filter lists themselves, not every
    person. A filter declared with a queryset keeps its narrowing and is scoped too; one
    declared with a callable is trusted to scope itself (core/tests/test_choices.py checks
    every filterset of the project either way)."""

    @classmethod
    def get_filters(cls):
        filters = super().get_filters()
        for name, filter_ in filters.items():
            if not isinstance(filter_, MODEL_CHOICE_FILTERS):
                continue
            if filter_.queryset is not None and not callable(filter_.queryset) and (
                    filter_.queryset.model._meta.label_lower in LARGE_REGISTERS):
                raise TypeError(f"{cls.__name__}: {name!r} would list every "
                                f"{filter_.queryset.model._meta.label_lower} as a choice; "
                                "use related_by_id()")
            if not callable(filter_.queryset):
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


def related_by_id(model, field_name: str, label=None) -> VisibleIdFilter:
    """A filter by the related record of `model.field_name` named by its id (as the API
    names it, and as the links of other pages set it): for a register that grows with the
    company, where a choice of every record would be a <select> of thousands."""
    if label is None:
        label = capfirst(model._meta.get_field(field_name).verbose_name)
    return VisibleIdFilter(field_name=field_name, label=label)


def logged_models() -> list[tuple[str, str]]:
    """The models whose changes the log records, as (label, name), by name."""
    from django.apps import apps

    from mamori.core.audit import AuditedModel

    found = [(m._meta.label_lower, f"{capfirst(m._meta.verbose_name)} ({m._meta.label_lower})")
             for m in apps.get_models() if issubclass(m, AuditedModel)]
    return sorted(found, key=lambda choice: str(choice[1]))


def day_starts(day) -> datetime.datetime:
    """The first moment of `day` in the site's time zone (the `at` index is used)."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


class ChangeLogFilterSet(LabelledFilterSet):
    """Every filter matches in a way the database answers from an index, with the entries
    newest first (core.models.ChangeLogEntry's indexes): an exact user name, a model chosen
    from a list, a range of days as a range of sequence numbers (core.changelog.
    first_entry_from; as a range of moments in a part of the log written before its times
    were kept in order)."""

    actor = django_filters.CharFilter(field_name="actor_name", label=_("Actor (user name)"))
    model = django_filters.ChoiceFilter(field_name="model", choices=logged_models,
                                        label=_("Model"))
    object_id = django_filters.CharFilter(field_name="object_id", label=_("Object id"))
    since = django_filters.DateFilter(method="from_day", label=_("From"))
    until = django_filters.DateFilter(method="until_day", label=_("Until"))

    class Meta:
        model = ChangeLogEntry
        fields = ["action", "source"]

    def from_day(self, queryset, name, value):
        moment = day_starts(value)
        first = first_entry_from(moment, queryset.db)
        return queryset.filter(at__gte=moment) if first is None else queryset.filter(
            seq__gte=first)

    def until_day(self, queryset, name, value):
        # A range of numbers where the times are in order: newest first, a page of entries
        # before a day is then one range on the `seq` index (or the model's, actor's… index)
        # instead of every entry before that day sorted (seconds at 5 million entries).
        moment = day_starts(value + datetime.timedelta(days=1))
        first = first_entry_from(moment, queryset.db)
        return queryset.filter(at__lt=moment) if first is None else queryset.filter(
            seq__lt=first)


class ChangeLogApiFilterSet(ChangeLogFilterSet):
    """The API's filters add positions, for a client that reads the log in pages of its own:
    `before_seq` (older than) and `after_seq` (newer than; e.g. the last entry it has)."""

    before_seq = WholeNumberFilter(field_name="seq", lookup_expr="lt",
                                   label=_("Entries before this sequence number"))
    after_seq = WholeNumberFilter(field_name="seq", lookup_expr="gt",
                                  label=_("Entries after this sequence number"))
