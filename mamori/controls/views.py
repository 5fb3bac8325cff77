from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, prefetch_related_objects
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from mamori.controls import coverage, filtersets, forms, library, oscal, soa, tables
from mamori.controls.frameworks import describe_result
from mamori.controls.models import Control, Evidence, Framework, Requirement, RequirementMapping
from mamori.core.io import attachment
from mamori.core.scope import ADD, VIEW, can
from mamori.core.views import generic


class ControlList(generic.ScopedListView):
    purpose = gettext_lazy(
        "The security measures the company keeps, each with its owner, how often it "
        "runs and the evidence that it does (policy Art. 5).")
    model = Control
    template_name = "controls/control_list.html"
    filterset_class = filtersets.ControlFilterSet
    table_class = tables.ControlTable
    resource_class = tables.ControlResource


class ControlDetail(generic.ScopedDetailView):
    model = Control
    fields = ["code", "title_ja", "title_en", "description", "theme", "department", "owner",
              "status", "frequency"]
    template_name = "controls/control_detail.html"

    def extra_context(self, obj):
        user = self.request.user
        return {
            "evidence": obj.evidence.restrict(user).select_related("collected_by"),
            "related_lists": [
                (Requirement._meta.verbose_name_plural,
                 obj.requirements.restrict(user).select_related("framework")
                 .order_by("framework__code", "sort_key")),
                (obj.risks.model._meta.verbose_name_plural,
                 obj.risks.restrict(user).order_by("code")[:200]),
            ],
        }


class ControlCreate(generic.ScopedCreateView):
    model = Control
    form_class = forms.ControlForm


class ControlUpdate(generic.ScopedUpdateView):
    model = Control
    form_class = forms.ControlForm


class ControlDelete(generic.ScopedDeleteView):
    model = Control


class ControlBulkDelete(generic.ScopedBulkDeleteView):
    model = Control


class ControlImport(generic.ScopedImportView):
    model = Control
    form_class = forms.ControlForm
    resource_class = tables.ControlResource


class ControlHistory(generic.ObjectHistoryView):
    model = Control


class EvidenceList(generic.ScopedListView):
    purpose = gettext_lazy(
        "Files and links that show a control was carried out; each file is kept with "
        "its SHA-256 hash.")
    model = Evidence
    filterset_class = filtersets.EvidenceFilterSet
    table_class = tables.EvidenceTable
    resource_class = tables.EvidenceResource


class EvidenceDetail(generic.ScopedDetailView):
    model = Evidence
    fields = ["control", "kind", "title", "url", "note", "collected_on", "expires_on",
              "collected_by", "file_name", "file_size", "file_sha256"]
    template_name = "controls/evidence_detail.html"


class EvidenceDownload(generic.ModelViewMixin, TemplateView):
    """The stored file, to those who may see the evidence, always as a download (never
    rendered by the browser), under its original name."""

    model = Evidence

    def get(self, request, *args, **kwargs):
        evidence = self.get_object(VIEW)
        return stored_file_response(evidence.file, evidence.file_name or "evidence")


def stored_file_response(file, name: str) -> FileResponse:
    """A stored upload as a download (never rendered by the browser) under `name`; 404 when
    there is none or it is gone from the storage. Evidence and audit working papers."""
    if not file:
        raise Http404
    try:
        handle = file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    return FileResponse(handle, as_attachment=True, filename=name,
                        content_type="application/octet-stream")


class EvidenceCreate(generic.ScopedCreateView):
    model = Evidence
    form_class = forms.EvidenceForm

    prefill = {"control": "control"}  # "Add evidence" on a control's page


class EvidenceUpdate(generic.ScopedUpdateView):
    model = Evidence
    form_class = forms.EvidenceForm


class EvidenceDelete(generic.ScopedDeleteView):
    model = Evidence


class EvidenceBulkDelete(generic.ScopedBulkDeleteView):
    model = Evidence


class EvidenceImport(generic.ScopedImportView):
    model = Evidence
    form_class = forms.EvidenceForm
    resource_class = tables.EvidenceResource


class EvidenceHistory(generic.ObjectHistoryView):
    model = Evidence


class FrameworkList(generic.ScopedListView):
    model = Framework
    template_name = "controls/framework_list.html"
    filterset_class = filtersets.FrameworkFilterSet
    table_class = tables.FrameworkTable
    resource_class = tables.FrameworkResource

    def base_context(self, **extra):
        return super().base_context(
            can_import_library=may_import_libraries(self.request.user), **extra)


class FrameworkDetail(generic.ScopedDetailView):
    model = Framework
    fields = ["code", "urn", "name_ja", "name_en", "version", "publisher", "source",
              "licence_note", "in_soa"]
    template_name = "controls/framework_detail.html"

    def extra_context(self, obj):
        # The catalogue is readable by everyone, so coverage is the same for every reader.
        return {"coverage": coverage.framework_coverage(obj),
                "by_theme": coverage.coverage_by_theme(obj)}


class FrameworkCreate(generic.ScopedCreateView):
    model = Framework
    form_class = forms.FrameworkForm


class FrameworkUpdate(generic.ScopedUpdateView):
    model = Framework
    form_class = forms.FrameworkForm


class FrameworkDelete(generic.ScopedDeleteView):
    model = Framework


class FrameworkBulkDelete(generic.ScopedBulkDeleteView):
    model = Framework


class FrameworkImport(generic.ScopedImportView):
    model = Framework
    form_class = forms.FrameworkForm
    resource_class = tables.FrameworkResource


class FrameworkHistory(generic.ObjectHistoryView):
    model = Framework


class StatementOfApplicability(generic.ModelViewMixin, TemplateView):
    """The SoA of one framework: on the page, or as XLSX or PDF (?format=xlsx|pdf)."""

    model = Framework
    template_name = "controls/soa.html"

    def get(self, request, *args, **kwargs):
        framework = self.get_object(VIEW)
        statement = soa.build(framework)
        fmt = request.GET.get("format")
        if fmt == "xlsx":
            return soa.xlsx_response(statement)
        if fmt == "pdf":
            return soa.pdf_response(statement, request)
        return self.render_to_response(self.base_context(object=framework,
                                                         statement=statement))


class OscalCatalogExport(generic.ModelViewMixin, TemplateView):
    """Mamori's control catalogue as an OSCAL catalog (JSON) of the controls the user sees."""

    model = Control

    def get(self, request, *args, **kwargs):
        catalog = oscal.export_catalog(Control.objects.restrict(request.user, VIEW))
        return attachment(oscal.dumps(catalog), "application/json", "mamori-catalog.json")


class RequirementList(generic.ScopedListView):
    model = Requirement
    filterset_class = filtersets.RequirementFilterSet
    table_class = tables.RequirementTable
    resource_class = tables.RequirementResource


class RequirementDetail(generic.ScopedDetailView):
    model = Requirement
    fields = ["framework", "uid", "urn", "ref", "parent", "title_ja", "title_en",
              "description", "theme", "is_group", "applicable", "justification"]
    template_name = "controls/requirement_detail.html"

    def extra_context(self, obj):
        user = self.request.user
        return {
            "related_lists": [
                (Control._meta.verbose_name_plural,
                 obj.controls.restrict(user).order_by("code")),
                (Requirement._meta.verbose_name_plural,
                 obj.children.restrict(user).order_by("sort_key")),
            ],
            "mappings": requirement_mappings(obj, user),
            "can_add_mapping": can(user, RequirementMapping, ADD),
        }


def requirement_mappings(requirement, user) -> list[dict]:
    """The mappings of `requirement` both ways, as `user` may see them: for each, the other
    requirement (with its framework, its applicability and the controls that meet it) and the
    relationship read from this requirement's side. Four queries, however many mappings."""
    visible = Requirement.objects.restrict(user, VIEW).values("pk")
    rows = []
    for side, other_side in (("source", "target"), ("target", "source")):
        mappings = list(RequirementMapping.objects.restrict(user, VIEW).filter(
            **{side: requirement, f"{other_side}__in": visible}).select_related(
            other_side, f"{other_side}__framework"))
        prefetch_related_objects(
            [getattr(mapping, other_side) for mapping in mappings],
            Prefetch("controls", queryset=Control.objects.restrict(user, VIEW).order_by("code"),
                     to_attr="visible_controls"))
        rows += [{"mapping": mapping,
                  "other": getattr(mapping, other_side),
                  "outgoing": side == "source",
                  "relationship": RequirementMapping.Relationship(
                      mapping.relationship_from(requirement)).label}
                 for mapping in mappings]
    rows.sort(key=lambda row: (row["other"].framework.code, row["other"].sort_key,
                               row["other"].pk, not row["outgoing"]))
    return rows


class RequirementCreate(generic.ScopedCreateView):
    model = Requirement
    form_class = forms.RequirementForm


class RequirementUpdate(generic.ScopedUpdateView):
    model = Requirement
    form_class = forms.RequirementForm


class RequirementDelete(generic.ScopedDeleteView):
    model = Requirement


class RequirementBulkDelete(generic.ScopedBulkDeleteView):
    model = Requirement


class RequirementImport(generic.ScopedImportView):
    model = Requirement
    form_class = forms.RequirementImportForm
    resource_class = tables.RequirementResource


class RequirementHistory(generic.ObjectHistoryView):
    model = Requirement


class RequirementMappingList(generic.ScopedListView):
    purpose = gettext_lazy(
        "How the requirements of one framework relate to those of another, so that what is "
        "decided and done for one informs the other. Import CISO Assistant's mapping "
        "libraries, or add mappings by hand.")
    model = RequirementMapping
    filterset_class = filtersets.RequirementMappingFilterSet
    table_class = tables.RequirementMappingTable
    resource_class = tables.RequirementMappingResource


class RequirementMappingDetail(generic.ScopedDetailView):
    model = RequirementMapping
    fields = ["source", "target", "relationship", "strength", "rationale", "annotation",
              "mapping_set", "mapping_set_name", "mapping_set_name_en"]


class RequirementMappingCreate(generic.ScopedCreateView):
    model = RequirementMapping
    form_class = forms.RequirementMappingForm

    prefill = {"source": "source", "target": "target"}  # "Add a mapping" on a requirement


class RequirementMappingUpdate(generic.ScopedUpdateView):
    model = RequirementMapping
    form_class = forms.RequirementMappingForm


class RequirementMappingDelete(generic.ScopedDeleteView):
    model = RequirementMapping


class RequirementMappingBulkDelete(generic.ScopedBulkDeleteView):
    model = RequirementMapping


class RequirementMappingImport(generic.ScopedImportView):
    model = RequirementMapping
    form_class = forms.RequirementMappingForm
    resource_class = tables.RequirementMappingResource


class RequirementMappingHistory(generic.ObjectHistoryView):
    model = RequirementMapping


def may_import_libraries(user) -> bool:
    """A library adds frameworks and mappings: whoever may add both (administrators and the
    CISO)."""
    return can(user, Framework, ADD) and can(user, RequirementMapping, ADD)


class LibraryImport(generic.ModelViewMixin, TemplateView):
    """A CISO Assistant library uploaded and imported, all or nothing (library.py), with
    every error the file has listed on the page."""

    model = Framework
    template_name = "controls/library_import.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not may_import_libraries(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        return self.render_to_response(self.base_context(form=forms.LibraryUploadForm()))

    def post(self, request, *args, **kwargs):
        form = forms.LibraryUploadForm(request.POST, request.FILES)
        errors = []
        if form.is_valid():
            try:
                result = library.import_libraries(
                    [library.read_library_upload(form.cleaned_data["file"])])
            except library.LibraryError as error:
                errors = error.errors
            else:
                for line in [*map(describe_result, result.frameworks),
                             *map(library.describe_mapping_set, result.mapping_sets)]:
                    messages.success(request, line)
                if len(result.frameworks) == 1:
                    return HttpResponseRedirect(
                        result.frameworks[0].framework.get_absolute_url())
                if result.mapping_sets:
                    return HttpResponseRedirect(reverse("controls:requirementmapping_list"))
                return HttpResponseRedirect(reverse("controls:framework_list"))
        return self.render_to_response(self.base_context(form=form, errors=errors),
                                       status=400)
