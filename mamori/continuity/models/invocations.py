"""An incident invoking a continuity plan (Art 5's early recovery meeting Art 10's plans):
recorded on the incident's timeline when it is made, and its actual recovery time read
against the RTO of each process the incident hit."""

from decimal import Decimal

from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import override

from mamori.continuity.models.exercises import ContinuityPlan
from mamori.continuity.models.processes import BusinessProcess
from mamori.core.audit import AuditedModel, AuditedQuerySet
from mamori.core.scope import Scope
from mamori.incidents.models import Incident
from mamori.org.models import Person


class InvocationScope(Scope):
    """Kept with the incident: whoever handles it (its department's information manager,
    the CISO) invokes a plan for it."""

    department_field = "incident__department"


class PlanInvocation(AuditedModel):
    incident = models.ForeignKey(Incident, on_delete=models.PROTECT,
                                 related_name="plan_invocations", verbose_name=_("incident"))
    plan = models.ForeignKey(ContinuityPlan, on_delete=models.PROTECT,
                             related_name="invocations", verbose_name=_("plan"))
    invoked_at = models.DateTimeField(_("invoked at"), default=timezone.now)
    invoked_by = models.ForeignKey(Person, on_delete=models.PROTECT, null=True,
                                   related_name="+", editable=False,
                                   verbose_name=_("invoked by"))
    processes = models.ManyToManyField(BusinessProcess, related_name="invocations",
                                       blank=True, verbose_name=_("processes hit"))
    note = models.TextField(_("note"), blank=True)

    objects = AuditedQuerySet.as_manager()
    scope = InvocationScope()
    label_related = ("incident", "plan__document")

    class Meta:
        verbose_name = _("plan invocation")
        verbose_name_plural = _("plan invocations")
        ordering = ["-invoked_at", "-pk"]
        indexes = [models.Index(fields=["invoked_at", "id"])]

    def __str__(self):
        return f"{self.incident.code} → {self.plan.document.code}"

    def get_absolute_url(self):
        return reverse("continuity:planinvocation_detail", args=[self.pk])

    def save(self, *args, **kwargs):
        from mamori.incidents.deadlines import acting_person
        from mamori.incidents.models import IncidentEntry

        using = kwargs.get("using") or self._state.db or "default"
        with transaction.atomic(using=using):
            adding = self._state.adding
            if adding and self.invoked_by_id is None:
                self.invoked_by = acting_person()
            super().save(*args, **kwargs)
            if adding:
                # On the incident's timeline, in both languages, with the invocation itself.
                IncidentEntry.objects.using(using).create(
                    incident=self.incident, author=self.invoked_by, at=self.invoked_at,
                    kind=IncidentEntry.Kind.NOTE, text=self.timeline_text())

    def timeline_text(self) -> str:
        lines = []
        for language in ("ja", "en"):
            with override(language):
                lines.append(str(_("Continuity plan %(plan)s invoked.") % {
                    "plan": f"{self.plan.document.code} {self.plan.document}"}))
        return "\n".join(lines)

    def recovery_hours(self) -> Decimal | None:
        """How long the disruption lasted: from when the incident occurred (or was noticed)
        to its recovery; None while it is not recovered."""
        incident = self.incident
        start = incident.occurred_at or incident.noticed_at
        if incident.recovered_at is None or start is None:
            return None
        seconds = (incident.recovered_at - start).total_seconds()
        return (Decimal(seconds) / Decimal(3600)).quantize(Decimal("0.01"))
