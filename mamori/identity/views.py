"""The provisioning page: the identity providers that may provision people through SCIM
(/scim/v2/), their tokens and how many people each has provisioned.

Administrators issue and revoke tokens; the CISO sees the page (who can change the people
register from outside is the CISO's business) but changes nothing."""

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from mamori.core import roles as r
from mamori.core.scope import CHANGE
from mamori.identity.models import ScimClient


class ScimClientForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("name of the identity provider"),
                           max_length=100)

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if ScimClient.objects.filter(name=name).exists():
            raise forms.ValidationError(_("A SCIM client of this name exists already."))
        return name


def may_issue(user) -> bool:
    return r.roles_for(user).has(r.ADMIN)


class ProvisioningView(LoginRequiredMixin, TemplateView):
    template_name = "identity/provisioning.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not r.roles_for(request.user).has(r.ADMIN,
                                                                                r.CISO):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def clients(self):
        return (ScimClient.objects.restrict(self.request.user)
                .annotate(people=Count("identities")).order_by("name"))

    def get_context_data(self, **kwargs):
        issuer = may_issue(self.request.user)
        if issuer:
            kwargs.setdefault("form", ScimClientForm())
        return super().get_context_data(
            clients=self.clients(), may_issue=issuer,
            endpoint=self.request.build_absolute_uri("/scim/v2/"), **kwargs)

    def post(self, request, *args, **kwargs):
        if not may_issue(request.user):
            raise PermissionDenied
        if "revoke" in request.POST:
            client = get_object_or_404(ScimClient.objects.restrict(request.user, CHANGE),
                                       pk=request.POST.get("revoke"))
            if client.revoked_at is None:
                with transaction.atomic():
                    client.revoked_at = timezone.now()
                    client.save()
                messages.success(request, _("The token of %(name)s is revoked.")
                                 % {"name": client.name})
            return redirect("identity:provisioning")
        form = ScimClientForm(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form), status=400)
        with transaction.atomic():
            _client, token = ScimClient.issue(form.cleaned_data["name"])
        return self.render_to_response(self.get_context_data(new_token=token))
