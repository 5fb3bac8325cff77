
from mamori.assets.models import Asset, AssetSettings, ClassificationLevel
from mamori.core.forms import ScopedModelForm, keep_unseen_links
from mamori.core.levels import as_level_field
from mamori.org.forms import departments_user_may_staff


class AssetForm(ScopedModelForm):
    class Meta:
        model = Asset
        fields = ["code", "name_ja", "name_en", "asset_type", "description", "department",
                  "custodian", "location", "status", "confidentiality", "integrity",
                  "availability", "has_personal_info", "data_subjects",
                  "has_sensitive_personal_info", "has_card_data", "depends_on"]

    def limit_choices(self, user):
        # Art 3: an asset belongs to a department the user is information manager of.
        self.fields["department"].queryset = departments_user_may_staff(user)
        # Ratings are chosen from the named levels of the scale; the field stays a number, so
        # the model still refuses one above the scale. An import takes the number or the
        # level's name.
        levels = AssetSettings.current().levels()
        for name in ("confidentiality", "integrity", "availability"):
            if name in self.fields:
                self.fields[name] = as_level_field(self.fields[name], levels, blank=False)
        if "depends_on" in self.fields:
            assets = self.fields["depends_on"].queryset
            if self.instance.pk:
                assets = assets.exclude(pk=self.instance.pk)
            self.fields["depends_on"].queryset = assets.order_by("code")

    def clean_depends_on(self):
        return keep_unseen_links(self, "depends_on")


class AssetImportForm(AssetForm):
    """Rows of a file: dependencies are kept as they are (they are edited on the page)."""

    class Meta(AssetForm.Meta):
        fields = [f for f in AssetForm.Meta.fields if f != "depends_on"]


class ClassificationLevelForm(ScopedModelForm):
    class Meta:
        model = ClassificationLevel
        fields = ["code", "name_ja", "name_en", "min_rating", "handling_ja", "handling_en"]


class AssetSettingsForm(ScopedModelForm):
    class Meta:
        model = AssetSettings
        fields = ["rating_max", "classification_basis", "rating_levels"]
