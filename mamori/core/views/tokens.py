from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from mamori.core.models import ApiToken


class TokenForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("name"), max_length=100)
    days = forms.IntegerField(label=gettext_lazy("valid for (days)"), min_value=1,
                              max_value=366, initial=settings.MAMORI_API_TOKEN_DAYS)


class TokenListView(LoginRequiredMixin, TemplateView):
    """Personal API tokens: create (the token is shown once), list, revoke."""

    template_name = "core/tokens.html"

    def tokens(self):
        return ApiToken.objects.restrict(self.request.user).filter(user=self.request.user)

    def get_context_data(self, **kwargs):
        kwargs.setdefault("form", TokenForm())
        return super().get_context_data(tokens=self.tokens(), **kwargs)

    def post(self, request, *args, **kwargs):
        if "revoke" in request.POST:
            token = get_object_or_404(self.tokens(), pk=request.POST.get("revoke"))
            if token.revoked_at is None:
                with transaction.atomic():
                    token.revoked_at = timezone.now()
                    token.save()
                messages.success(request, _("Token %(name)s revoked.") % {"name": token.name})
            return redirect("core:tokens")
        form = TokenForm(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form), status=400)
        with transaction.atomic():
            _token, raw = ApiToken.issue(request.user, form.cleaned_data["name"],
                                         form.cleaned_data["days"])
        return self.render_to_response(self.get_context_data(new_token=raw))
