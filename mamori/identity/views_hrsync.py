"""HR file sync pages: upload the HR master, see its joiners, movers and leavers, apply it.

Administrators and the CISO (who change the whole people register); nobody else."""

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from mamori.core import io
from mamori.core import roles as r
from mamori.core.scope import CHANGE
from mamori.identity import hrsync
from mamori.identity.models import HrSync
from mamori.org.tables import PersonResource


class HrFileForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("HR master (CSV or XLSX)"), help_text=gettext_lazy(
        "Everyone HR employs, one row each, with the people export's columns. Nothing "
        "changes until you have seen the differences and applied them."))


class HrSyncMixin(LoginRequiredMixin):
    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not r.roles_for(request.user).changes_everything:
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class HrSyncStart(HrSyncMixin, TemplateView):
    template_name = "identity/hrsync.html"

    def get_context_data(self, **kwargs):
        kwargs.setdefault("form", HrFileForm())
        return super().get_context_data(
            syncs=HrSync.objects.restrict(self.request.user).select_related("uploaded_by")[:20],
            columns=PersonResource().headers(with_names=False), **kwargs)

    def post(self, request, *args, **kwargs):
        form = HrFileForm(request.POST, request.FILES)
        errors = []
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                sync, plan = hrsync.preview(upload.name, upload.read(), request.user)
            except io.ImportFileError as exc:
                form.add_error("file", str(exc))
            else:
                if sync is not None:
                    return redirect("identity:hrsync_detail", sync.pk)
                errors = plan.errors
        return self.render_to_response(self.get_context_data(form=form, errors=errors),
                                       status=400)


class HrSyncDetail(HrSyncMixin, TemplateView):
    template_name = "identity/hrsync_detail.html"

    def sync(self):
        return get_object_or_404(HrSync.objects.restrict(self.request.user, CHANGE),
                                 pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        sync = kwargs.pop("sync", None) or self.sync()
        plan = kwargs.pop("plan", None)
        if plan is None and sync.status == HrSync.Status.PREVIEWED:
            plan = hrsync.plan(hrsync.read(sync.file_name, bytes(sync.content)))
        changed = bool(plan and not plan.errors and plan.digest != sync.plan_digest)
        resource = PersonResource()
        labels = {name: resource.header(name) for name in resource.fields}
        shown = hrsync.SHOWN
        if plan is not None:
            kwargs.update(
                joiners=plan.joiners[:shown], leavers=plan.leavers[:shown],
                movers=[(change, [(labels.get(name, name), before, after)
                                  for name, (before, after) in change.changes.items()])
                        for change in plan.movers[:shown]])
        return super().get_context_data(sync=sync, plan=plan, changed=changed, shown=shown,
                                        labels=labels, **kwargs)

    def post(self, request, *args, **kwargs):
        sync = self.sync()
        try:
            plan = hrsync.apply(sync, request.user)
        except hrsync.PlanChanged as exc:
            messages.error(request, str(exc))
            return redirect("identity:hrsync_detail", sync.pk)
        if plan.errors:
            return self.render_to_response(self.get_context_data(sync=sync, plan=plan),
                                           status=400)
        messages.success(request, _("Applied: %(joiners)s joined, %(movers)s changed, "
                                    "%(leavers)s left.") % {
            "joiners": len(plan.joiners), "movers": len(plan.movers),
            "leavers": len(plan.leavers)})
        return redirect("identity:hrsync_detail", sync.pk)
