from django.utils.translation import gettext, gettext_lazy

from mamori.assets import filtersets, forms, tables
from mamori.assets.models import Asset, AssetSettings, ClassificationLevel
from mamori.core.levels import levels_html
from mamori.core.scope import ADD, can
from mamori.core.views import generic

RATINGS = ("confidentiality", "integrity", "availability")


class AssetList(generic.ScopedListView):
    purpose = gettext_lazy(
        "The information assets of each department (information, systems, media, "
        "premises), rated for confidentiality, integrity and availability (policy Art. "
        "3, 5).")
    model = Asset
    filterset_class = filtersets.AssetFilterSet
    table_class = tables.AssetTable
    resource_class = tables.AssetResource


class AssetDetail(generic.ScopedDetailView):
    model = Asset
    fields = ["code", "name_ja", "name_en", "asset_type", "description", "department",
              "custodian", "location", "status", "confidentiality", "integrity",
              "availability", "classification", "has_personal_info", "data_subjects",
              "has_sensitive_personal_info", "has_card_data"]
    template_name = "assets/asset_detail.html"

    def field_rows(self, obj):
        # Each rating reads as its level on the scale ("3 — 高: …"), not as a bare number.
        labels = {level.number: level.label for level in AssetSettings.current().levels()}
        return [(label, labels.get(value, value) if name in RATINGS else value)
                for name, (label, value) in zip(self.fields, super().field_rows(obj),
                                                strict=True)]

    def extra_context(self, obj):
        user = self.request.user
        return {"can_assess": can(user, obj.risks.model, ADD), "related_lists": [
            (Asset._meta.get_field("depends_on").verbose_name,
             obj.depends_on.restrict(user).order_by("code")[:200]),
            (gettext("assets that depend on this one"),
             obj.dependents.restrict(user).order_by("code")[:200]),
            (obj.risks.model._meta.verbose_name_plural,
             obj.risks.restrict(user).order_by("code")[:200]),
        ]}


class AssetCreate(generic.ScopedCreateView):
    model = Asset
    form_class = forms.AssetForm


class AssetUpdate(generic.ScopedUpdateView):
    model = Asset
    form_class = forms.AssetForm


class AssetDelete(generic.ScopedDeleteView):
    model = Asset


class AssetBulkDelete(generic.ScopedBulkDeleteView):
    model = Asset


class AssetImport(generic.ScopedImportView):
    model = Asset
    form_class = forms.AssetImportForm
    resource_class = tables.AssetResource


class AssetHistory(generic.ObjectHistoryView):
    model = Asset


class ClassificationLevelList(generic.ScopedListView):
    model = ClassificationLevel
    filterset_class = filtersets.ClassificationLevelFilterSet
    table_class = tables.ClassificationLevelTable
    resource_class = tables.ClassificationLevelResource


class ClassificationLevelDetail(generic.ScopedDetailView):
    model = ClassificationLevel
    fields = ["code", "name_ja", "name_en", "min_rating", "handling_ja", "handling_en"]


class ClassificationLevelCreate(generic.ScopedCreateView):
    model = ClassificationLevel
    form_class = forms.ClassificationLevelForm


class ClassificationLevelUpdate(generic.ScopedUpdateView):
    model = ClassificationLevel
    form_class = forms.ClassificationLevelForm


class ClassificationLevelDelete(generic.ScopedDeleteView):
    model = ClassificationLevel


class ClassificationLevelBulkDelete(generic.ScopedBulkDeleteView):
    model = ClassificationLevel


class ClassificationLevelImport(generic.ScopedImportView):
    model = ClassificationLevel
    form_class = forms.ClassificationLevelForm
    resource_class = tables.ClassificationLevelResource


class ClassificationLevelHistory(generic.ObjectHistoryView):
    model = ClassificationLevel


class AssetSettingsList(generic.SettingsRowView):
    model = AssetSettings


class AssetSettingsDetail(generic.ScopedDetailView):
    model = AssetSettings
    fields = ["rating_max", "classification_basis", "rating_levels"]

    def field_rows(self, obj):
        rows = super().field_rows(obj)
        return [(label, levels_html(obj.levels()) if name == "rating_levels" else value)
                for name, (label, value) in zip(self.fields, rows, strict=True)]


class AssetSettingsUpdate(generic.ScopedUpdateView):
    model = AssetSettings
    form_class = forms.AssetSettingsForm


class AssetSettingsHistory(generic.ObjectHistoryView):
    model = AssetSettings
