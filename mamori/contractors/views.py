from django.utils.translation import gettext_lazy

from mamori.contractors import appi, filtersets, forms, tables
from mamori.contractors.levels import our_levels
from mamori.contractors.models import Contractor, ScreeningRequirement, TierRule
from mamori.core.views import generic


class ContractorList(generic.ScopedListView):
    purpose = gettext_lazy(
        "The outsourcing contractors the company entrusts with information, what each is "
        "entrusted with and the tier that follows from it (policy Art 9).")
    model = Contractor
    filterset_class = filtersets.ContractorFilterSet
    table_class = tables.ContractorTable
    resource_class = tables.ContractorResource


class ContractorDetail(generic.ScopedDetailView):
    model = Contractor
    fields = ["code", "name_ja", "name_en", "corporate_number", "department", "status",
              "tier", "services", "contact_name", "contact_email", "contact_phone",
              "personal_data", "personal_data_categories", "persons", "sensitive_data",
              "card_data", "system_access", "country", "foreign_regime", "foreign_measures"]
    template_name = "contractors/contractor_detail.html"

    def extra_context(self, obj):
        return {"tier_rules": obj.matching_rules()}


class ContractorCreate(generic.ScopedCreateView):
    model = Contractor
    form_class = forms.ContractorForm


class ContractorUpdate(generic.ScopedUpdateView):
    model = Contractor
    form_class = forms.ContractorForm


class ContractorDelete(generic.ScopedDeleteView):
    model = Contractor


class ContractorBulkDelete(generic.ScopedBulkDeleteView):
    model = Contractor


class ContractorImport(generic.ScopedImportView):
    model = Contractor
    form_class = forms.ContractorForm
    resource_class = tables.ContractorResource


class ContractorHistory(generic.ObjectHistoryView):
    model = Contractor


class TierRuleList(generic.ScopedListView):
    purpose = gettext_lazy(
        "How a contractor's tier follows from what it is entrusted with: it gets the highest "
        "tier of the rules it meets, or low. Changing a rule re-tiers every contractor at once.")
    model = TierRule
    filterset_class = filtersets.TierRuleFilterSet
    table_class = tables.TierRuleTable
    resource_class = tables.TierRuleResource


class TierRuleDetail(generic.ScopedDetailView):
    model = TierRule
    fields = ["code", "name_ja", "name_en", "tier", "needs_personal_data", "min_persons",
              "needs_sensitive", "needs_card_data", "needs_system_access", "needs_foreign"]


class TierRuleCreate(generic.ScopedCreateView):
    model = TierRule
    form_class = forms.TierRuleForm


class TierRuleUpdate(generic.ScopedUpdateView):
    model = TierRule
    form_class = forms.TierRuleForm


class TierRuleDelete(generic.ScopedDeleteView):
    model = TierRule


class TierRuleBulkDelete(generic.ScopedBulkDeleteView):
    model = TierRule


class TierRuleImport(generic.ScopedImportView):
    model = TierRule
    form_class = forms.TierRuleForm
    resource_class = tables.TierRuleResource


class TierRuleHistory(generic.ObjectHistoryView):
    model = TierRule


class ScreeningRequirementList(generic.ScopedListView):
    purpose = gettext_lazy(
        "What the company asks of its contractors, and meets itself through the controls "
        "linked to each requirement: its own level is computed from them (policy Art 9).")
    model = ScreeningRequirement
    filterset_class = filtersets.ScreeningRequirementFilterSet
    table_class = tables.ScreeningRequirementTable
    resource_class = tables.ScreeningRequirementResource


class ScreeningRequirementDetail(generic.ScopedDetailView):
    model = ScreeningRequirement
    fields = ["code", "title_ja", "title_en", "question_ja", "question_en", "min_tier",
              "sort_key", "appi_refs"]
    template_name = "contractors/screeningrequirement_detail.html"

    def extra_context(self, obj):
        user = self.request.user
        requirements = ScreeningRequirement.objects.filter(pk=obj.pk)
        return {
            "our_level": our_levels(requirements)[obj.pk],
            "linked_controls": obj.controls.restrict(user).order_by("code"),
            "appi_requirements": appi.loaded_requirements(obj.appi_ref_list()),
        }


class ScreeningRequirementCreate(generic.ScopedCreateView):
    model = ScreeningRequirement
    form_class = forms.ScreeningRequirementForm


class ScreeningRequirementUpdate(generic.ScopedUpdateView):
    model = ScreeningRequirement
    form_class = forms.ScreeningRequirementForm


class ScreeningRequirementDelete(generic.ScopedDeleteView):
    model = ScreeningRequirement


class ScreeningRequirementBulkDelete(generic.ScopedBulkDeleteView):
    model = ScreeningRequirement


class ScreeningRequirementImport(generic.ScopedImportView):
    model = ScreeningRequirement
    form_class = forms.ScreeningRequirementImportForm
    resource_class = tables.ScreeningRequirementResource


class ScreeningRequirementHistory(generic.ObjectHistoryView):
    model = ScreeningRequirement
