from django import forms
from django.utils.translation import gettext_lazy as _

from mamori.core.forms import ScopedModelForm
from mamori.org.forms import departments_user_may_staff
from mamori.websec.models import TlsProfile, WebEndpoint, WebSecuritySettings

ENDPOINT_FIELDS = ["name", "url", "server_name", "purpose", "handles_personal_info",
                   "handles_card_data", "department", "profile", "client_cert_required",
                   "scan_every_hours", "certificate_check_every_hours", "active"]


class WebEndpointForm(ScopedModelForm):
    class Meta:
        model = WebEndpoint
        fields = ENDPOINT_FIELDS

    def limit_choices(self, user):
        self.fields["department"].queryset = departments_user_may_staff(user)
        if not self.instance.pk:
            self.initial.setdefault("profile", TlsProfile.objects.filter(
                code="intermediate").values_list("pk", flat=True).first())


class TlsProfileForm(ScopedModelForm):
    class Meta:
        model = TlsProfile
        fields = ["code", "name_ja", "name_en", "source", "version", "definition"]


class WebSecuritySettingsForm(ScopedModelForm):
    class Meta:
        model = WebSecuritySettings
        fields = ["company_ca_pem", "expiry_warning_days", "control"]


class ScanForm(forms.Form):
    kind = forms.ChoiceField(label=_("Scan"), choices=[("full", _("Full scan")),
                                                      ("certificate", _("Certificate check"))])
