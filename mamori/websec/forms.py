from django import forms
from django.utils.translation import gettext_lazy as _

from mamori.core.forms import ScopedModelForm
from mamori.org.forms import departments_user_may_staff
from mamori.websec.models import TlsProfile, WebEndpoint, WebSecuritySettings, web_port_error

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

    def full_clean(self):
        registered = (self.instance.host, self.instance.port) if self.instance.pk else None
        super().full_clean()  # the fields and the model's clean(): the URL itself first
        # Who registers decides which ports are allowed, so this is the form's check (the
        # model's clean() has no user); the import runs this form too.
        if "url" in getattr(self, "cleaned_data", {}) and "url" not in self.errors:
            refusal = web_port_error(self.cleaned_data["url"], self.user, registered)
            if refusal:
                self.add_error("url", refusal)


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
