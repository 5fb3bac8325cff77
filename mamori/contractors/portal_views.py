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
from mamori.contractors.models import LEVEL_CHOICES, PortalLink, Screening
from mamori.core.audit import one_user_action
from mamori.core.context import acting_as


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

    def page(self, form, status=200, saved=False):
        screening = self.link.screening
        return render(self.request, "contractors/portal.html", {
            "link": self.link, "screening": screening, "contractor": screening.contractor,
            "form": form, "saved": saved,
            "closed": screening.status == Screening.Status.ASSESSED}, status=status)

    def get(self, request, token):
        return self.page(AnswersForm(list(answers_of(self.link.screening))))

    def post(self, request, token):
        screening = self.link.screening
        if screening.status == Screening.Status.ASSESSED:
            return self.page(AnswersForm(list(answers_of(screening))), status=409)
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
        return self.page(AnswersForm(list(answers_of(screening))), saved=True)
