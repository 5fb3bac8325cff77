"""The progress of a large import run by a worker (core.imports), for its uploader only."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404
from django.urls import NoReverseMatch, reverse
from django.utils.module_loading import import_string
from django.views.generic import TemplateView

from mamori.core.models import ImportJob


class ImportJobView(LoginRequiredMixin, TemplateView):
    template_name = "core/import_job.html"

    def get_context_data(self, **kwargs):
        # Someone else's job is not found, not forbidden: its existence is not theirs to know.
        job = ImportJob.objects.filter(pk=self.kwargs["pk"], user=self.request.user).defer(
            "content").first()
        if job is None:
            raise Http404
        model = import_string(job.view).model
        try:
            list_url = reverse(f"{model._meta.app_label}:{model._meta.model_name}_list")
        except NoReverseMatch:
            list_url = None
        running = job.status in (ImportJob.Status.QUEUED, ImportJob.Status.CHECKING)
        percent = int(100 * job.checked / job.total) if job.total else 0
        return super().get_context_data(job=job, running=running, percent=percent,
                                        list_url=list_url, model=model, **kwargs)
