"""Choosers: every choice of a related record (a person, an asset, a control…) searches as
the user types, instead of a select of every record (issue 16 #17).

The select stays in the page, so a form still works without script and is posted as it
always was; mamori.js turns it into a search box (a list of chips for several choices). A
short list is written into the page whole; a long one only with its chosen records, and the
rest is asked of `ChoicesView` page by page. That view answers from the form's own field,
built for the user as the form itself builds it: it offers exactly what the form would
accept, never a record outside the user's view (core.forms.ScopedModelForm)."""

from django import forms
from django.db.models import Q
from django.http import Http404, JsonResponse
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.decorators.http import require_GET

from mamori.core.scope import VIEW

# Up to this many choices are written into the page: enough for departments, threats and a
# small company's people; the register of 200,000 assets is searched instead.
INLINE_LIMIT = 200
# Choices per answer of the search.
PAGE_SIZE = 20
# What a search matches, in each model that has the field: codes, numbers and names.
SEARCH_FIELDS = ("code", "employee_no", "uid", "name", "name_kana", "name_latin", "name_ja",
                 "name_en", "title", "title_ja", "title_en")
# The order of choices where a model's own order is not by name or code: people by the
# reading of their name, as a Japanese list of people is sorted.
ORDER = {"org.person": ("name_kana", "name", "pk")}

# Every form whose choices may be searched, by its key (ScopedModelForm registers each).
FORMS: dict[str, type] = {}


def register(form_class) -> None:
    FORMS[form_key(form_class)] = form_class


def form_key(form_class) -> str:
    return f"{form_class.__module__.removeprefix('mamori.')}.{form_class.__qualname__}"


def ordered(queryset):
    order = ORDER.get(queryset.model._meta.label_lower)
    return queryset.order_by(*order) if order else queryset


def matching(queryset, text: str):
    """The records whose code, number or name contains every word of `text`."""
    names = {field.name for field in queryset.model._meta.get_fields()}
    fields = [name for name in SEARCH_FIELDS if name in names]
    for word in text.split():
        condition = Q()
        for name in fields:
            condition |= Q(**{f"{name}__icontains": word})
        queryset = queryset.filter(condition)
    return queryset


class ChooserMixin:
    """The select of a chooser: a short list whole, a long one only with what is chosen."""

    chooser = None  # (form key, field name, pk of the record edited or None); set per form

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        if self.chooser is not None:
            key, field, pk = self.chooser
            query = {"form": key, "field": field, **({"instance": pk} if pk else {})}
            context["widget"]["attrs"].update({
                "data-chooser": f"{reverse('core:choices')}?{urlencode(query)}",
                "data-chooser-search": _("Type to search"),
                "data-chooser-none": _("No matches"),
                "data-chooser-remove": _("Remove"),
                "data-chooser-more": _("Keep typing to narrow the list"),
            })
            if self.partial:
                context["widget"]["attrs"]["data-chooser-partial"] = "1"
        return context

    def optgroups(self, name, value, attrs=None):
        choices = self.choices
        field = getattr(choices, "field", None)
        self.partial = False
        if field is None or self.chooser is None:
            return super().optgroups(name, value, attrs)
        records = list(ordered(field.queryset)[:INLINE_LIMIT + 1])
        if len(records) > INLINE_LIMIT:
            self.partial = True
            chosen = [v for v in value if v not in (None, "")]
            records = list(ordered(field.queryset.filter(pk__in=chosen))) if chosen else []
        self.choices = ([("", field.empty_label)] if field.empty_label is not None
                        and not self.allow_multiple_selected else [])
        self.choices += [choices.choice(record) for record in records]
        try:
            return super().optgroups(name, value, attrs)
        finally:
            self.choices = choices


class Chooser(ChooserMixin, forms.Select):
    pass


class MultipleChooser(ChooserMixin, forms.SelectMultiple):
    pass


def chooser_fields(form_class) -> list[str]:
    """The related-record fields of `form_class` that have the plain select Django gives
    them (a field with a widget of its own keeps it), given a chooser instead: once per
    class, on its declared fields, so that building a form (thousands per import) adds no
    more than naming the form on each."""
    ready = form_class.__dict__.get("_chooser_fields")
    if ready is not None:
        return ready
    names = []
    for name, field in form_class.base_fields.items():
        if not isinstance(field, forms.ModelChoiceField):
            continue
        kind = {forms.Select: Chooser, forms.SelectMultiple: MultipleChooser}.get(
            type(field.widget))
        if kind is None and not isinstance(field.widget, ChooserMixin):
            continue
        if kind is not None:
            widget = kind(attrs=field.widget.attrs)
            widget.is_required = field.widget.is_required
            widget.choices = field.widget.choices
            field.widget = widget
        names.append(name)
    form_class._chooser_fields = names
    return names


def use_choosers(form) -> None:
    key, pk = form_key(type(form)), form.instance.pk
    for name in chooser_fields(type(form)):
        widget = form.fields[name].widget
        if isinstance(widget, ChooserMixin):
            widget.chooser = (key, name, pk)


class ChoicesView(View):
    """GET ?form=…&field=…&q=…[&instance=…][&page=…]: one page of the choices of a form's
    field that match the words typed, as JSON {"results": [{"id", "text"}], "more"}."""

    @classmethod
    def as_view(cls, **initkwargs):
        return require_GET(super().as_view(**initkwargs))

    def get(self, request):
        user = request.user
        if not user.is_authenticated:
            return JsonResponse({"error": "sign in"}, status=401)
        form_class = FORMS.get(request.GET.get("form", ""))
        if form_class is None:
            raise Http404("no such form")
        form = form_class(user=user, instance=self.instance(form_class, request))
        field = form.fields.get(request.GET.get("field", ""))
        if not isinstance(field, forms.ModelChoiceField):
            raise Http404("no such field")
        try:
            page = max(int(request.GET.get("page", "1")), 1)
        except ValueError:
            page = 1
        found = matching(ordered(field.queryset), request.GET.get("q", "")[:100])
        start = (page - 1) * PAGE_SIZE
        records = list(found[start:start + PAGE_SIZE + 1])
        return JsonResponse({
            "results": [{"id": str(field.prepare_value(record)),
                         "text": str(field.label_from_instance(record))}
                        for record in records[:PAGE_SIZE]],
            "more": len(records) > PAGE_SIZE,
        })

    @staticmethod
    def instance(form_class, request):
        """The record being edited, for a field whose choices depend on it (an asset does
        not depend on itself); only one the user may see."""
        pk = request.GET.get("instance")
        if not pk:
            return None
        model = form_class._meta.model
        try:
            return model._default_manager.restrict(request.user, VIEW).get(pk=pk)
        except (model.DoesNotExist, ValueError):
            raise Http404("no such record") from None
