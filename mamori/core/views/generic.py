"""Generic scoped views. A model's list, detail, create, edit, delete, import, bulk delete
and history pages are declared in a few lines over these.

Reads go through `Model.objects.restrict(user, action)`; writes run in a transaction and are
re-checked against the user's scope before it commits.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Model, ProtectedError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import NoReverseMatch, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView
from django.views.generic.base import TemplateResponseMixin

from mamori.core import badges, imports, io
from mamori.core.audit import one_user_action
from mamori.core.changelog import model_label
from mamori.core.forms import ImportForm
from mamori.core.models import ChangeLogEntry
from mamori.core.paging import IdPaginator
from mamori.core.scope import ADD, CHANGE, DELETE, VIEW, can, ensure_in_scope

OBJECT_ACTIONS = ("detail", "update", "delete", "history")


def protected_blockers(exc: ProtectedError, shown: int = 5) -> str:
    """The first records that keep a deletion from happening, for the message to the user."""
    return ", ".join(str(o) for o in list(exc.protected_objects)[:shown])


class ModelViewMixin(LoginRequiredMixin):
    model = None
    template_name = ""

    @property
    def opts(self):
        return self.model._meta

    def url_name(self, action: str) -> str:
        return f"{self.opts.app_label}:{self.opts.model_name}_{action}"

    def scoped(self, action: str = VIEW):
        return self.model.objects.restrict(self.request.user, action)

    def get_object(self, action: str = VIEW):
        return get_object_or_404(self.scoped(action), pk=self.kwargs["pk"])

    def filtered(self, filterset_class):
        """The filterset of the request's query and the rows the user sees that it lets
        through (all of them when the query is empty or invalid)."""
        queryset = self.scoped(VIEW)
        filterset = filterset_class(self.request.GET or None, queryset=queryset,
                                    request=self.request)
        rows = filterset.qs if filterset.is_bound and filterset.is_valid() else queryset
        return filterset, rows

    def has_url(self, action: str) -> bool:
        try:
            reverse(self.url_name(action), args=[0] if action in OBJECT_ACTIONS else [])
        except NoReverseMatch:
            return False
        return True

    def base_context(self, **extra):
        user = self.request.user
        context = {
            "opts": self.opts,
            "model_name": self.opts.verbose_name,
            "model_name_plural": self.opts.verbose_name_plural,
            "list_url": reverse(self.url_name("list")),
            # Some models are created only through their own steps (an acknowledgement is
            # made from its version's page), so a create page may not exist.
            "can_add": can(user, self.model, ADD) and self.has_url("create"),
            "can_import": can(user, self.model, ADD) and self.has_url("import"),
            "url_names": {a: self.url_name(a) for a in (
                "list", "detail", "create", "update", "delete", "history", "import",
                "bulk_delete")},
        }
        context.update(extra)
        return context


class ModelActionView(ModelViewMixin, TemplateResponseMixin, View):
    """The target of a button on a page (approve, remind, scan, ...): it acts on POST only.
    Any other method answers 405 with the allowed methods, instead of reaching a page that
    does not exist (TemplateView's get rendered a template without its object: a 500)."""

    http_method_names = ["post", "options"]

    def redirect_back(self, default: str) -> HttpResponseRedirect:
        """Back to the page the button was on (`next`), if that is a page of this site;
        otherwise to `default`. An unchecked `next` would let a crafted form send a user
        from Mamori to any site (an open redirect)."""
        target = self.request.POST.get("next", "")
        if not url_has_allowed_host_and_scheme(target, allowed_hosts={self.request.get_host()},
                                               require_https=self.request.is_secure()):
            target = default
        return HttpResponseRedirect(target)


class StepView(ModelActionView):
    """POST: one workflow step on the record (`step`), back to its page with what happened:
    the step's own refusal (a ValidationError) as an error, or `done` as a success."""

    done = ""

    def step(self, request, obj) -> None:
        raise NotImplementedError

    def post(self, request, *args, **kwargs):
        obj = self.get_object(VIEW)
        try:
            self.step(request, obj)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, self.done)
        return HttpResponseRedirect(obj.get_absolute_url())


class ScopedListView(ModelViewMixin, TemplateView):
    """A sortable, filterable, paginated table with CSV/XLSX export of the filtered rows."""

    template_name = "core/list.html"
    filterset_class = None
    table_class = None
    resource_class = None
    # What the register is for, said on its empty page with the first action (issue 16 #15).
    purpose = None

    def known_count(self, filterset) -> int | None:
        """How many rows the filtered list has, when the model keeps it somewhere cheaper
        to read than counting them (a tally); None: count them."""
        return None

    def get(self, request, *args, **kwargs):
        filterset, rows = self.filtered(self.filterset_class)
        table = self.table_class(self.model)
        sort = request.GET.get("sort", "")
        rows = rows.order_by(*table.ordering_with_tiebreak(sort))
        export = request.GET.get("export")
        if export in ("csv", "xlsx") and self.resource_class is not None:
            return io.export_response(self.resource_class(), rows, export,
                                      self.opts.model_name)
        paginator = IdPaginator(rows.select_related(*table.select_related), table.per_page)
        known = self.known_count(filterset)
        if known is not None:
            paginator.count = known  # instead of counting every row (Paginator.count)
        page = paginator.get_page(request.GET.get("page"))
        query = request.GET.copy()
        query.pop("page", None)
        query_without_sort = query.copy()
        query_without_sort.pop("sort", None)
        context = self.base_context(
            filterset=filterset,
            table=table,
            headers=table.headers(),
            rows=table.rows(page.object_list),
            page=page,
            sort=sort,
            query=query.urlencode(),
            query_without_sort=query_without_sort.urlencode(),
            can_export=self.resource_class is not None,
            purpose=self.purpose,
            # Filters (not the order) narrowed the list: an empty page says so, not "none yet".
            filtered=any(value for name, value in query_without_sort.items()),
            can_bulk_delete=can(request.user, self.model, DELETE) and self.has_url("bulk_delete"),
        )
        return self.render_to_response(context)


# Panels other apps add to a model's page (the continuity plans invoked for an incident, the
# processes that depend on an asset), so the app that owns the page need not know the apps
# built on it: model label -> [(template, function(view, obj) -> its context, or None for no
# panel)]. The template reads its context as `panel`.
DETAIL_PANELS: dict[str, list] = {}


def register_detail_panel(model_label: str, template_name: str, context_function) -> None:
    panels = DETAIL_PANELS.setdefault(model_label, [])
    if (template_name, context_function) not in panels:
        panels.append((template_name, context_function))


class RegisterReportView(ModelViewMixin, TemplateView):
    """A report over the rows of `model` the reader may see, on the page or as a file
    (?format=pdf|xlsx): for whoever may view the model (information managers their
    departments' rows, the CISO and auditors all); anyone else is refused. `reports` is the
    app's report module: build(user), pdf_response(report), xlsx_response(report) and
    page_context(report), what the page shows beside the report (a chart, a count)."""

    reports = None

    def get(self, request, *args, **kwargs):
        if not can(request.user, self.model, VIEW):
            raise PermissionDenied
        report = self.reports.build(request.user)
        fmt = request.GET.get("format")
        if fmt == "pdf":
            return self.reports.pdf_response(report)
        if fmt == "xlsx":
            return self.reports.xlsx_response(report)
        return self.render_to_response(self.base_context(
            report=report, **self.reports.page_context(report)))


class ScopedDetailView(ModelViewMixin, TemplateView):
    template_name = "core/detail.html"
    fields: list[str] = []

    def field_rows(self, obj):
        rows = []
        for name in self.fields:
            field = self.opts.get_field(name)
            display = getattr(obj, f"get_{name}_display", None)
            value = display() if callable(display) and getattr(obj, name) != "" else getattr(
                obj, name)
            rows.append((field.verbose_name,
                         badges.shown(self.model, name, getattr(obj, name), value)))
        return rows

    def extra_context(self, obj) -> dict:
        return {}

    def get(self, request, *args, **kwargs):
        obj = self.get_object(VIEW)
        # Kept on the view, so extra_context() can use it rather than ask the database again.
        # A record written only by its workflow (a training assignment) has no edit or delete
        # page: no button to one, whatever the scope allows.
        self.can_change = self.has_url("update") and self.scoped(CHANGE).filter(
            pk=obj.pk).exists()
        return self.render_to_response(self.base_context(
            object=obj,
            field_rows=linked_only_if_visible(self.field_rows(obj), request.user),
            can_change=self.can_change,
            can_delete=self.has_url("delete") and self.scoped(DELETE).filter(
                pk=obj.pk).exists(),
            tab="details",
            **self.extra_context(obj),
            detail_panels=self.detail_panels(obj),
        ))

    def detail_panels(self, obj) -> list[tuple[str, dict]]:
        panels = []
        for template_name, context_function in DETAIL_PANELS.get(self.opts.label_lower, ()):
            context = context_function(self, obj)
            if context is not None:
                panels.append((template_name, context))
        return panels


def linked_only_if_visible(rows, user):
    """The detail rows with each related record the user may not open given as its name
    alone: a link to it would answer 404 (a control's owner in another department, the
    incident of a recovery action someone owns). One query per related record shown."""
    shown = []
    for label, value in rows:
        if isinstance(value, Model) and hasattr(value, "get_absolute_url"):
            manager = type(value)._default_manager
            if hasattr(manager, "restrict") and not manager.restrict(user, VIEW).filter(
                    pk=value.pk).exists():
                value = str(value)
        shown.append((label, value))
    return shown


class SettingsRowView(ModelViewMixin, View):
    """The "list" of a single settings row (core.audit.SingleRow) is that row."""

    def get(self, request, *args, **kwargs):
        row = self.model.objects.order_by("pk").first()
        if row is None:  # created after migrate, by the app's defaults
            raise Http404
        return HttpResponseRedirect(row.get_absolute_url())


class ObjectHistoryView(ModelViewMixin, TemplateView):
    """The change-log entries of one object, for anyone who may see the object."""

    template_name = "core/history.html"

    def get(self, request, *args, **kwargs):
        obj = self.get_object(VIEW)
        entries = ChangeLogEntry.objects.filter(
            model=model_label(self.model), object_id=str(obj.pk)
        ).order_by("-seq")[:500]
        return self.render_to_response(self.base_context(object=obj, entries=entries,
                                                         tab="history"))


class ScopedFormView(ModelViewMixin, TemplateView):
    template_name = "core/form.html"
    form_class = None

    def get_instance(self):
        return None

    def action(self) -> str:
        return CHANGE

    def get_form(self, data=None, files=None):
        return self.form_class(data=data, files=files, instance=self.get_instance(),
                               user=self.request.user)

    def get(self, request, *args, **kwargs):
        self.check_allowed()
        return self.render_to_response(self.base_context(form=self.get_form(),
                                                         object=self.get_instance()))

    def post(self, request, *args, **kwargs):
        self.check_allowed()
        form = self.get_form(request.POST, request.FILES)
        if form.is_valid():
            try:
                # One save by the user, one change-log entry per object it changed.
                with transaction.atomic(), one_user_action():
                    obj = self.save(form)
            except PermissionDenied as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("Saved %(object)s.") % {"object": obj})
                return HttpResponseRedirect(obj.get_absolute_url())
        return self.render_to_response(self.base_context(form=form, object=self.get_instance()),
                                       status=400)

    def save(self, form):
        """Save the form's object in a transaction that rolls back when it lands outside the
        user's scope (override to save more with it, in the same way)."""
        with transaction.atomic():
            obj = form.save()
            ensure_in_scope(obj, self.request.user, self.action())
        return obj

    def check_allowed(self):
        pass


class ScopedCreateView(ScopedFormView):
    # Query parameters the create page may be opened with, and the form field each fills in,
    # e.g. {"control": "control"} for `?control=12` from a control's page.
    prefill: dict[str, str] = {}

    def action(self):
        return ADD

    def get_form(self, data=None, files=None):
        form = super().get_form(data, files)
        if data is None:
            for parameter, name in self.prefill.items():
                value = self.request.GET.get(parameter, "")
                if value.isdigit():
                    many = isinstance(form.fields[name], forms.ModelMultipleChoiceField)
                    form.initial[name] = [int(value)] if many else int(value)
        return form

    def check_allowed(self):
        if not can(self.request.user, self.model, ADD):
            raise PermissionDenied


class ScopedUpdateView(ScopedFormView):
    def get_instance(self):
        if not hasattr(self, "_instance"):
            self._instance = self.get_object(CHANGE)
        return self._instance


class ScopedDeleteView(ModelViewMixin, TemplateView):
    template_name = "core/confirm_delete.html"

    def get(self, request, *args, **kwargs):
        return self.render_to_response(self.base_context(object=self.get_object(DELETE)))

    def post(self, request, *args, **kwargs):
        obj = self.get_object(DELETE)
        try:
            with transaction.atomic():
                obj.delete()
        except ProtectedError as exc:
            blockers = protected_blockers(exc)
            messages.error(request, _("%(object)s cannot be deleted while other records refer "
                                      "to it: %(blockers)s") % {"object": obj,
                                                                "blockers": blockers})
            return HttpResponseRedirect(obj.get_absolute_url())
        messages.success(request, _("Deleted %(object)s.") % {"object": obj})
        return HttpResponseRedirect(reverse(self.url_name("list")))


class ScopedBulkDeleteView(ModelActionView):
    """Deletes the selected rows (all of them, or none when one is protected)."""

    def post(self, request, *args, **kwargs):
        ids = [i for i in request.POST.getlist("pk") if i.isdigit()]
        objects = self.scoped(DELETE).filter(pk__in=ids)
        count = objects.count()
        if count != len(set(ids)):
            raise PermissionDenied
        try:
            with transaction.atomic():
                for obj in objects:
                    obj.delete()
        except ProtectedError as exc:
            blockers = protected_blockers(exc)
            messages.error(request, _("Nothing was deleted: other records refer to the "
                                      "selection: %(blockers)s") % {"blockers": blockers})
        else:
            messages.success(request, _("Deleted %(count)s records.") % {"count": count})
        return HttpResponseRedirect(reverse(self.url_name("list")))


class ScopedImportView(ModelViewMixin, TemplateView):
    template_name = "core/import.html"
    resource_class = None
    form_class = None

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not can(request.user, self.model, ADD):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        template = request.GET.get("template")
        if template in ("csv", "xlsx"):
            return io.template_response(self.resource_class(), template, self.opts.model_name)
        return self.render_to_response(self.columns_context(form=ImportForm()))

    def columns_context(self, **kwargs):
        """What the page says of the file: its columns as an export heads them (in the user's
        language; the field names are read too) and the column that finds an existing row."""
        resource = self.resource_class()
        return self.base_context(
            columns=resource.headers(),
            key=resource.header(resource.key) if resource.key else None, **kwargs)

    def post(self, request, *args, **kwargs):
        form = ImportForm(request.POST, request.FILES)
        result = None
        if form.is_valid():
            try:
                data = io.read_dataset(form.cleaned_data["file"])
            except io.ImportFileError as exc:
                form.add_error("file", str(exc))
            else:
                if len(data) > imports.background_rows():
                    upload = form.cleaned_data["file"]
                    upload.seek(0)
                    job = imports.start(type(self), request.user, upload.name, upload.read(),
                                        len(data))
                    return HttpResponseRedirect(reverse("core:import_job", args=[job.pk]))
                result = io.import_dataset(self.resource_class(), self.form_class, data,
                                           request.user)
                if result.ok:
                    messages.success(request, _(
                        "Imported: %(created)s created, %(updated)s updated.") % {
                        "created": result.created, "updated": result.updated})
                    return HttpResponseRedirect(reverse(self.url_name("list")))
        return self.render_to_response(self.columns_context(form=form, result=result),
                                       status=400)
