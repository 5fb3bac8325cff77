from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.views.generic import TemplateView

from mamori.core.changelog import configured_anchor, verify, verify_anchor
from mamori.core.filtersets import ChangeLogFilterSet
from mamori.core.models import ChangeLogEntry
from mamori.core.scope import VIEW, can
from mamori.core.seek import AFTER, BEFORE, seek_page


class ChangeLogView(LoginRequiredMixin, TemplateView):
    """The global change log, filterable by actor, model, action and date."""

    template_name = "core/changelog.html"

    def get_context_data(self, **kwargs):
        if not can(self.request.user, ChangeLogEntry, VIEW):
            raise PermissionDenied
        queryset = ChangeLogEntry.objects.restrict(self.request.user).order_by("-seq")
        filterset = ChangeLogFilterSet(self.request.GET or None, queryset=queryset)
        rows = filterset.qs if filterset.is_bound and filterset.is_valid() else queryset
        # By position, not by page number: no count and no offset over millions of entries.
        page = seek_page(rows, "seq", self.request.GET)
        query = self.request.GET.copy()
        for name in (BEFORE, AFTER, "page"):
            query.pop(name, None)
        return super().get_context_data(filterset=filterset, page=page,
                                        query=query.urlencode(), **kwargs)


class VerifyChainView(LoginRequiredMixin, TemplateView):
    """Recompute the chain on request (the same check as `mamori verifylog`)."""

    template_name = "core/verify.html"

    def get(self, request, *args, **kwargs):
        if not can(request.user, ChangeLogEntry, VIEW):
            raise PermissionDenied
        return self.render_to_response(self.get_context_data())

    def post(self, request, *args, **kwargs):
        if not can(request.user, ChangeLogEntry, VIEW):
            raise PermissionDenied
        verdict = verify()
        anchor = configured_anchor() if verdict.ok else None
        return self.render_to_response(self.get_context_data(
            verdict=verdict, anchor_verdict=verify_anchor(anchor) if anchor else None))
