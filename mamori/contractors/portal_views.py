"""The vendor portal: what a contractor sees through its link, with no account. Every view
starts from the link (portal.find) and reads only that link's screening."""

from django import forms
from django.db import transaction
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views import View

from mamori.contractors import portal
from mamori.contractors.comparison import answers_of
from mamori.contractors.models import LEVEL_CHOICES, Certificate, PortalLink, Screening
from mamori.core.audit import one_user_action
from mamori.core.context import acting_as
from mamori.core.forms import ScopedModelForm
from mamori.org.forms import DateInput

# How many certificates one link may send: enough for any contractor, and a bound on what a
# leaked link can put in the storage.
MAX_UPLOADS_PER_LINK = 20


class AnswersForm(forms.Form):
    """One level and one explanation per question of the screening."""

    def __init__(self, answers, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.answers = answers
        choices = [("", _("not answered yet")), *[(str(v), label) for v, label in
                                                  LEVEL_CHOICES]]
        for answer in answers:
            self.fields[f"level_{answer.pk}"] = forms.TypedChoiceField(
                label=answer.requirement.title, choices=choices, coerce=int,
                empty_value=None, required=False,
                initial="" if answer.their_level is None else str(answer.their_level))
            self.fields[f"comment_{answer.pk}"] = forms.CharField(
                label=_("explanation"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
                initial=answer.their_comment, max_length=4000)

    def rows(self):
        for answer in self.answers:
            yield answer, self[f"level_{answer.pk}"], self[f"comment_{answer.pk}"]


class CertificateUploadForm(ScopedModelForm):
    """A certificate the contractor sends with its file; the company decides later whether
    it relies on it. A scoped form for its checks of dates and text (there is no user, and
    no related choice to limit)."""

    prefix = "certificate"

    class Meta:
        model = Certificate
        fields = ["kind", "number", "issuer", "issued_on", "expires_on", "file"]
        widgets = {"issued_on": DateInput, "expires_on": DateInput}

    def __init__(self, link, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.contractor = link.screening.contractor
        self.instance.submitted_through = link
        self.instance.relied_on = False
        self.fields["file"].required = True

    def clean_expires_on(self):
        expires_on = self.cleaned_data["expires_on"]
        if expires_on and expires_on < timezone.localdate():
            raise forms.ValidationError(_("This certificate has expired; send the current "
                                          "one."))
        return expires_on


def _no_store(response):
    # The page carries the link in its address: never kept by a shared cache or the browser.
    response["Cache-Control"] = "no-store"
    return response


class PortalView(View):
    http_method_names = ["get", "post"]

    def dispatch(self, request, token):
        address = request.META.get("REMOTE_ADDR", "")
        if portal.over_limit(address):
            return _no_store(render(request, "contractors/portal_invalid.html",
                                    {"too_many": True}, status=429))
        link = portal.find(token)
        if link is None:
            portal.over_limit(address, portal.WRONG_LINK_WEIGHT - 1)
            return _no_store(render(request, "contractors/portal_invalid.html", status=404))
        self.link = link
        return _no_store(super().dispatch(request, token))

    def page(self, form, status=200, saved=False, upload=None, uploaded=False):
        screening = self.link.screening
        sent = list(Certificate.objects.filter(
            submitted_through__screening=screening).order_by("pk"))
        closed = screening.status == Screening.Status.ASSESSED
        return render(self.request, "contractors/portal.html", {
            "link": self.link, "screening": screening, "contractor": screening.contractor,
            "form": form, "saved": saved, "closed": closed, "sent": sent,
            "upload": upload or CertificateUploadForm(self.link), "uploaded": uploaded,
            "can_upload": not closed and self.uploads_left() > 0}, status=status)

    def uploads_left(self) -> int:
        return MAX_UPLOADS_PER_LINK - self.link.certificates.count()

    def answers_form(self):
        return AnswersForm(list(answers_of(self.link.screening)))

    def get(self, request, token):
        return self.page(self.answers_form())

    def post(self, request, token):
        if "certificate-kind" in request.POST:
            return self.post_certificate(request)
        screening = self.link.screening
        if screening.status == Screening.Status.ASSESSED:
            return self.page(self.answers_form(), status=409)
        form = AnswersForm(list(answers_of(screening)), request.POST)
        if not form.is_valid():
            return self.page(form, status=400)
        with acting_as(portal.actor_for(self.link, getattr(request, "request_id", ""))), \
                transaction.atomic(), one_user_action():
            locked = Screening.objects.select_for_update().get(pk=screening.pk)
            if locked.status == Screening.Status.ASSESSED:
                return self.page(form, status=409)
            for answer in form.answers:
                level = form.cleaned_data[f"level_{answer.pk}"]
                comment = form.cleaned_data[f"comment_{answer.pk}"].strip()
                if (level, comment) != (answer.their_level, answer.their_comment):
                    answer.their_level, answer.their_comment = level, comment
                    answer.save()
            PortalLink.objects.filter(pk=self.link.pk).update(last_used_at=timezone.now())
        self.link.screening.refresh_from_db()
        return self.page(self.answers_form(), saved=True)

    def post_certificate(self, request):
        """A certificate and its file, from the contractor: stored by the evidence rules
        (mamori.controls.models.HashedFile), recorded as sent through this link."""
        screening = self.link.screening
        if screening.status == Screening.Status.ASSESSED or self.uploads_left() <= 0:
            return self.page(self.answers_form(), status=409)
        form = CertificateUploadForm(self.link, request.POST, request.FILES)
        if not form.is_valid():
            return self.page(self.answers_form(), status=400, upload=form)
        with acting_as(portal.actor_for(self.link, getattr(request, "request_id", ""))), \
                transaction.atomic(), one_user_action():
            # Updating the link's row locks it until the commit: two uploads at once cannot
            # both take the last place.
            PortalLink.objects.filter(pk=self.link.pk).update(last_used_at=timezone.now())
            if self.uploads_left() <= 0:
                transaction.set_rollback(True)
                return self.page(self.answers_form(), status=409)
            form.save()
        return self.page(self.answers_form(), uploaded=True)
