"""Subcontracting (再委託): a contractor passing part of the entrusted work to another. The
subcontractor is itself in the register, so it is tiered, screened and contracted like any
other; each link of the chain carries the company's prior consent (the contract clause
"prior consent to subcontracting" is what makes that consent a condition)."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mamori.contractors.models.register import Contractor
from mamori.core import badges
from mamori.core.audit import AuditedModel, AuditedQuerySet
from mamori.core.scope import KeptOnceDecided
from mamori.org.models import Person

# Arrangements that stand: asked for, or consented to (refused and ended ones do not).
LIVE_STATUSES = ("requested", "approved")


class SubcontractingScope(KeptOnceDecided):
    """Kept with the contractor that subcontracts; once the CISO has decided on it, the
    decision stands as recorded (a changed arrangement is a new request)."""

    department_field = "contractor__department"
    kept_statuses = ("approved", "refused", "ended")


class Subcontracting(AuditedModel):
    class Status(models.TextChoices):
        REQUESTED = "requested", _("Consent requested")
        APPROVED = "approved", _("Approved")
        REFUSED = "refused", _("Refused")
        ENDED = "ended", _("Ended")

    contractor = models.ForeignKey(
        Contractor, on_delete=models.PROTECT, related_name="subcontracting",
        verbose_name=_("contractor"), help_text=_("The contractor that passes the work on."))
    subcontractor = models.ForeignKey(
        Contractor, on_delete=models.PROTECT, related_name="subcontracted_by",
        verbose_name=_("subcontractor"),
        help_text=_("Register the subcontractor first: it is screened like any contractor."))
    work = models.TextField(_("work passed on"))
    information = models.TextField(
        _("information passed on"), blank=True,
        help_text=_("Which of the entrusted information the subcontractor handles."))
    requested_on = models.DateField(_("consent requested on"), default=timezone.localdate)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices,
                              default=Status.REQUESTED, editable=False)
    decided_on = models.DateField(_("decided on"), null=True, blank=True, editable=False)
    decided_by = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, editable=False,
        related_name="+", verbose_name=_("decided by"))
    decision_note = models.TextField(_("reason or condition"), blank=True, editable=False)
    ended_on = models.DateField(_("ended on"), null=True, blank=True, editable=False)

    objects = AuditedQuerySet.as_manager()
    scope = SubcontractingScope()
    label_related = ("contractor", "subcontractor")  # what __str__ reads

    class Meta:
        verbose_name = _("subcontracting")
        verbose_name_plural = _("subcontracting")
        ordering = ["contractor", "subcontractor", "-pk"]
        indexes = [models.Index(fields=["contractor", "status"]),
                   models.Index(fields=["subcontractor", "status"])]
        constraints = [models.UniqueConstraint(
            fields=["contractor", "subcontractor"],
            condition=Q(status__in=LIVE_STATUSES),
            name="one_live_subcontracting_per_pair",
            violation_error_message=_("This contractor already passes work to that "
                                      "subcontractor: end that arrangement first."))]

    def __str__(self):
        return f"{self.contractor.code} → {self.subcontractor.code}"

    def get_absolute_url(self):
        return reverse("contractors:subcontracting_detail", args=[self.pk])

    @property
    def is_live(self) -> bool:
        return self.status in LIVE_STATUSES

    def clean(self):
        if not (self.contractor_id and self.subcontractor_id):
            return
        if self.contractor_id == self.subcontractor_id:
            raise ValidationError({"subcontractor": _("A contractor cannot subcontract to "
                                                      "itself.")})
        if self.contractor_id in downstream_of(self.subcontractor_id):
            raise ValidationError({"subcontractor": _(
                "That contractor already passes work, directly or through others, to this "
                "one: the chain would go round in a circle.")})


LIVE = Q(status__in=LIVE_STATUSES)


def downstream_of(contractor_id: int) -> set[int]:
    """The ids of every contractor `contractor_id` passes work to, directly or down the
    chain (live arrangements only): one query per level of the chain."""
    seen: set[int] = set()
    level = {contractor_id}
    while level:
        level = set(Subcontracting.objects.filter(LIVE, contractor_id__in=level).values_list(
            "subcontractor_id", flat=True)) - seen
        seen |= level
    return seen


badges.register(Subcontracting, "status", {"requested": "yellow", "approved": "green",
                                           "refused": "red", "ended": "secondary"})
