"""The improvement register (policy Art 7 and 12): nonconformities with their corrective
actions and effectiveness checks, and improvement actions for observations and opportunities.

Audits, incidents, exercises, management reviews and contractor reviews all feed it, so it
depends only on core and org: a record names where it came from by its kind and reference,
and links to the source record itself when one of the apps that registered as a source
raised it (improvement.sources).

A nonconformity moves open → planned (the CISO approved its corrective-action plan) → closed
(after an effectiveness check found the actions effective). A check that finds them not
effective opens it again, with a new plan due. Its steps are in improvement.workflow.
"""

import datetime

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from mamori.core import badges
from mamori.core import roles as r
from mamori.core.audit import AuditedModel, AuditedQuerySet, SingleRow
from mamori.core.conformance import ARTICLES, article_label
from mamori.core.counters import next_code
from mamori.core.scope import ADD, ALL, CHANGE, DELETE, VIEW, Scope, SettingsScope
from mamori.org.models import Department, Person

# "Art 5 Safety measures and incident recovery", in the reader's language.
ARTICLE_CHOICES = [(number, format_lazy("{} {}", lazy(article_label, str)(number), title)
                    if number != "web" else title) for number, title in ARTICLES]


class Source(models.TextChoices):
    AUDIT = "audit", _("Audit")
    INCIDENT = "incident", _("Incident")
    EXERCISE = "exercise", _("Exercise or test")
    MANAGEMENT_REVIEW = "management_review", _("Management review")
    CONTRACTOR_REVIEW = "contractor_review", _("Contractor review")
    COMPLIANCE = "compliance", _("Compliance evaluation")
    COMPLAINT = "complaint", _("Complaint")
    SELF_IDENTIFIED = "self_identified", _("Self-identified")


class ImprovementSettings(SingleRow, AuditedModel):
    plan_days = models.PositiveSmallIntegerField(
        _("corrective-action plan due within (days)"), default=30,
        # At most ten years: SQLite keeps any integer, and a deadline thousands of years
        # away overflows the date arithmetic (schemathesis sent 2**31 through the API).
        validators=[MinValueValidator(1), MaxValueValidator(3650)],
        help_text=_("A nonconformity's corrective-action plan is to be approved within this "
                    "many days of its being raised (or of a check that found the actions "
                    "not effective)."))

    objects = AuditedQuerySet.as_manager()
    scope = SettingsScope()

    class Meta:
        verbose_name = _("improvement settings")
        verbose_name_plural = _("improvement settings")

    def __str__(self):
        return str(_("Improvement settings"))

    def get_absolute_url(self):
        return reverse("improvement:improvementsettings_detail", args=[self.pk])

    def save(self, *args, **kwargs):
        # The plan deadlines of open nonconformities follow the number of days in the same
        # transaction: a deadline derived from a setting that has changed would be wrong.
        using = kwargs.get("using") or self._state.db or "default"
        with transaction.atomic(using=using):
            super().save(*args, **kwargs)
            rederive_plan_deadlines(self.plan_days, using)


def rederive_plan_deadlines(plan_days: int, using: str = "default") -> None:
    """Set again the plan deadline of every nonconformity whose plan is still to be
    approved (each save is logged)."""
    for nc in Nonconformity.objects.using(using).filter(
            status=Nonconformity.Status.OPEN).select_for_update():
        due = nc.plan_clock_start() + datetime.timedelta(days=plan_days)
        if nc.plan_due_on != due:
            nc.plan_due_on = due
            nc.save(update_fields=["plan_due_on"])


def next_year_code(model, prefix: str, using: str) -> str:
    year = timezone.localdate().year
    return next_code(model, f"{prefix}-{year}-", f"{model._meta.label_lower}:{year}", using)


class RaisedFrom(models.Model):
    """Where a record came from: the kind and a reference anyone can read, and the source
    record itself when an app that registered as a source raised it."""

    source = models.CharField(pgettext_lazy("finding", "source"), max_length=20,
                              choices=Source.choices, default=Source.SELF_IDENTIFIED)
    source_reference = models.CharField(
        _("source reference"), max_length=100, blank=True,
        help_text=_("The audit, incident, exercise or review it came from, e.g. INC-2026-0003."))
    source_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, null=True,
                                    blank=True, editable=False, related_name="+",
                                    verbose_name=_("source record type"))
    source_id = models.PositiveBigIntegerField(_("source record"), null=True, blank=True,
                                               editable=False)

    class Meta:
        abstract = True

    def source_object(self):
        if self.source_type_id is None or self.source_id is None:
            return None
        model = ContentType.objects.get_for_id(self.source_type_id).model_class()
        return model._base_manager.filter(pk=self.source_id).first() if model else None


def auditor_findings(roles, action, closed: Q | None = None) -> Q | None:
    """An auditor reads the whole register and raises and changes the findings of the audits
    they are on (improvement.sources.raised_by_auditor); they delete none."""
    from mamori.improvement.sources import raised_by_auditor

    if action == VIEW:
        return ALL
    if action == DELETE or roles.person_id is None:
        return None
    q = raised_by_auditor(roles)
    if q is not None and closed is not None and action == CHANGE:
        q &= ~closed
    return q


class FindingsScope(Scope):
    """An auditor adds a finding only from a page of their audit (improvement.sources.writes),
    never from the register's own Create: for them the register offers none."""

    def can(self, roles, action):
        if action == ADD and not roles.has(r.ADMIN, r.CISO, r.INFORMATION_MANAGER):
            return False
        return super().can(roles, action)


class NonconformityScope(FindingsScope):
    """The department that must correct a nonconformity sees it and records its correction,
    cause and actions; only the CISO and administrators delete one. Members of staff see the
    nonconformities they raised or own an action of. A closed one is changed by nobody."""

    department_field = "department"

    def admin(self, roles, action):
        return ALL if action in (VIEW, ADD) else ~Q(status=Nonconformity.Status.CLOSED)

    ciso = admin

    def information_manager(self, roles, action):
        if action not in (VIEW, ADD, CHANGE):
            return None
        q = super().information_manager(roles, action)
        if q is not None and action == CHANGE:
            q &= ~Q(status=Nonconformity.Status.CLOSED)
        return q

    def auditor(self, roles, action):
        return auditor_findings(roles, action, Q(status=Nonconformity.Status.CLOSED))

    def staff(self, roles, action):
        if action != VIEW or roles.person_id is None:
            return None
        owning = CorrectiveAction.objects.filter(owner=roles.person_id).values("nonconformity")
        return Q(raised_by=roles.person_id) | Q(pk__in=owning)


class Nonconformity(RaisedFrom, AuditedModel):
    # The columns the search box (`q=`) looks in, each indexed by its trigrams
    # (core.search_indexes; migration 0002 names them too).
    SEARCHED = ("code", "title", "requirement")
    # What the one who raised it says: the department answering it may not change these
    # (improvement.rules).
    FINDING_FIELDS = ("title", "description", "severity", "source", "source_reference",
                      "policy_article", "requirement", "department", "raised_on")

    class Severity(models.TextChoices):
        MAJOR = "major", _("Major")
        MINOR = "minor", _("Minor")

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("nonconformity", "Open")
        PLANNED = "planned", _("Plan approved")
        CLOSED = "closed", pgettext_lazy("nonconformity", "Closed")

    code = models.CharField(_("number"), max_length=40, unique=True, blank=True,
                            help_text=_("Left empty, the next number of the year is given."))
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("what was found"), blank=True)
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices)
    policy_article = models.CharField(_("policy article"), max_length=4, blank=True,
                                      choices=ARTICLE_CHOICES)
    requirement = models.CharField(
        _("requirement not met"), max_length=300, blank=True,
        help_text=_("The clause, rule or control whose requirement is not met, e.g. "
                    "ISO/IEC 27001 A.5.15 or the internal rule's section."))
    department = models.ForeignKey(Department, on_delete=models.PROTECT,
                                   related_name="nonconformities",
                                   verbose_name=_("department responsible"))
    raised_on = models.DateField(_("raised on"), default=timezone.localdate)
    raised_by = models.ForeignKey(Person, on_delete=models.SET_NULL, null=True, blank=True,
                                  editable=False, related_name="nonconformities_raised",
                                  verbose_name=_("raised by"))
    correction = models.TextField(_("correction (immediate fix)"), blank=True)
    correction_done_on = models.DateField(_("corrected on"), null=True, blank=True)
    root_cause = models.TextField(_("root cause"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices,
                              default=Status.OPEN, editable=False)
    plan_due_on = models.DateField(_("plan due on"), null=True, blank=True, editable=False)
    plan_approved_on = models.DateField(_("plan approved on"), null=True, blank=True,
                                        editable=False)
    plan_approved_by = models.ForeignKey(Person, on_delete=models.PROTECT, null=True,
                                         blank=True, editable=False, related_name="+",
                                         verbose_name=_("plan approved by"))
    reopened_on = models.DateField(_("reopened on"), null=True, blank=True, editable=False)
    closed_on = models.DateField(_("closed on"), null=True, blank=True, editable=False)
    closed_by = models.ForeignKey(Person, on_delete=models.PROTECT, null=True, blank=True,
                                  editable=False, related_name="+",
                                  verbose_name=pgettext_lazy("nonconformity", "closed by"))

    objects = AuditedQuerySet.as_manager()
    scope = NonconformityScope()

    class Meta:
        verbose_name = _("nonconformity")
        verbose_name_plural = _("nonconformities")
        ordering = ["-raised_on", "-pk"]
        # The list's order (newest first) alone and under its filters, on any page; the
        # Art 7 check; what was raised from a record.
        indexes = [
            models.Index(fields=["raised_on", "id"]),
            models.Index(fields=["status", "raised_on", "id"]),
            models.Index(fields=["source", "raised_on", "id"]),
            models.Index(fields=["severity", "raised_on", "id"]),
            models.Index(fields=["status", "severity", "plan_due_on"]),
            models.Index(fields=["department", "raised_on"]),
            models.Index(fields=["source_type", "source_id"]),
        ]

    def __str__(self):
        return f"{self.code} {self.title}"

    def save(self, *args, **kwargs):
        using = kwargs.get("using") or self._state.db or "default"
        # One transaction from the number to the row (core.counters).
        with transaction.atomic(using=using):
            if not self.code:
                self.code = next_year_code(Nonconformity, "NC", using)
            self.correction = self.correction.strip()
            self.root_cause = self.root_cause.strip()
            if self.status == self.Status.OPEN:
                self.derive_plan_due()
            super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("improvement:nonconformity_detail", args=[self.pk])

    def plan_clock_start(self) -> datetime.date:
        """The day from which the plan is due: raised, or opened again by a check."""
        return self.reopened_on or self.raised_on or timezone.localdate()

    def derive_plan_due(self, plan_days: int | None = None) -> None:
        if plan_days is None:
            plan_days = ImprovementSettings.current().plan_days
        self.plan_due_on = self.plan_clock_start() + datetime.timedelta(days=plan_days)

    @property
    def plan_overdue(self) -> bool:
        return (self.status == self.Status.OPEN and self.plan_due_on is not None
                and self.plan_due_on < timezone.localdate())

    def clean(self):
        if (self.correction_done_on and self.raised_on
                and self.correction_done_on < self.raised_on):
            raise ValidationError({"correction_done_on": _(
                "A correction cannot be made before the nonconformity was raised.")})


class CorrectiveActionScope(Scope):
    """The department's information manager plans the actions; an action's owner sees it and
    records its progress. Nobody changes the actions of a closed nonconformity."""

    department_field = "nonconformity__department"
    own_person_field = "owner"
    own_actions = (VIEW, CHANGE)

    def q_for(self, roles, action):
        q = super().q_for(roles, action)
        if q is not None and action in (ADD, CHANGE):
            q &= ~Q(nonconformity__status=Nonconformity.Status.CLOSED)
        return q


class CorrectiveActionQuerySet(AuditedQuerySet):
    @staticmethod
    def overdue_q(on: datetime.date | None = None) -> Q:
        return Q(done_on__isnull=True, due_on__lt=on or timezone.localdate())

    def overdue(self, on: datetime.date | None = None):
        return self.filter(self.overdue_q(on))


class CorrectiveAction(AuditedModel):
    nonconformity = models.ForeignKey(Nonconformity, on_delete=models.CASCADE,
                                      related_name="corrective_actions",
                                      verbose_name=_("nonconformity"))
    title = models.CharField(pgettext_lazy("task", "action"), max_length=200)
    owner = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+",
                              verbose_name=_("owner"))
    due_on = models.DateField(_("due on"))
    done_on = models.DateField(_("done on"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    escalated_on = models.DateField(_("overdue: escalated on"), null=True, blank=True,
                                    editable=False)

    objects = CorrectiveActionQuerySet.as_manager()
    scope = CorrectiveActionScope()

    class Meta:
        verbose_name = _("corrective action")
        verbose_name_plural = _("corrective actions")
        ordering = ["due_on", "pk"]
        indexes = [models.Index(fields=["due_on", "id"]),
                   models.Index(fields=["done_on", "due_on"])]

    label_related = ("nonconformity",)  # what __str__ reads (core.conformance.listed)

    def __str__(self):
        return f"{self.nonconformity.code}: {self.title}"

    def get_absolute_url(self):
        return reverse("improvement:correctiveaction_detail", args=[self.pk])

    @property
    def overdue(self) -> bool:
        return self.done_on is None and self.due_on < timezone.localdate()


class EffectivenessCheckScope(Scope):
    """A check is evidence: recorded by the CISO through the nonconformity's step, read by
    the department and auditors, changed and deleted by nobody."""

    department_field = "nonconformity__department"

    def admin(self, roles, action):
        return ALL if action == VIEW else None

    def ciso(self, roles, action):
        return ALL if action in (VIEW, ADD) else None

    def information_manager(self, roles, action):
        return super().information_manager(roles, action) if action == VIEW else None


class EffectivenessCheck(AuditedModel):
    # Evidence written only by the nonconformity's step: no door (admin, API, import) adds,
    # changes or deletes one (core.admin).
    workflow_only = True

    nonconformity = models.ForeignKey(Nonconformity, on_delete=models.CASCADE,
                                      related_name="effectiveness_checks",
                                      verbose_name=_("nonconformity"))
    checked_on = models.DateField(_("checked on"), default=timezone.localdate)
    verifier = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("verifier"))
    effective = models.BooleanField(_("effective"))
    notes = models.TextField(_("what was checked"))

    objects = AuditedQuerySet.as_manager()
    scope = EffectivenessCheckScope()

    class Meta:
        verbose_name = _("effectiveness check")
        verbose_name_plural = _("effectiveness checks")
        ordering = ["-checked_on", "-pk"]
        indexes = [models.Index(fields=["nonconformity", "checked_on"])]

    label_related = ("nonconformity",)  # what __str__ reads (core.conformance.listed)

    def __str__(self):
        verdict = _("effective") if self.effective else _("not effective")
        return f"{self.nonconformity.code} {self.checked_on:%Y-%m-%d} ({verdict})"

    def get_absolute_url(self):
        return reverse("improvement:effectivenesscheck_detail", args=[self.pk])


class ImprovementActionQuerySet(AuditedQuerySet):
    @staticmethod
    def overdue_q(on: datetime.date | None = None) -> Q:
        return Q(status=ImprovementAction.Status.OPEN, due_on__lt=on or timezone.localdate())

    def overdue(self, on: datetime.date | None = None):
        return self.filter(self.overdue_q(on))


class ImprovementActionScope(FindingsScope):
    department_field = "department"
    own_person_field = "owner"
    own_actions = (VIEW, CHANGE)

    def auditor(self, roles, action):
        return auditor_findings(roles, action)


class ImprovementAction(RaisedFrom, AuditedModel):
    """An action on an observation or an opportunity for improvement: no requirement was
    broken, but the company decided to do better."""

    SEARCHED = ("code", "title")  # indexed by their trigrams (migration 0002)

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        DONE = "done", _("Done")
        DECLINED = "declined", _("Declined")

    code = models.CharField(_("number"), max_length=40, unique=True, blank=True,
                            help_text=_("Left empty, the next number of the year is given."))
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    department = models.ForeignKey(Department, on_delete=models.PROTECT,
                                   related_name="improvement_actions",
                                   verbose_name=_("department"))
    owner = models.ForeignKey(Person, on_delete=models.PROTECT, null=True, blank=True,
                              related_name="+", verbose_name=_("owner"))
    raised_on = models.DateField(_("raised on"), default=timezone.localdate)
    due_on = models.DateField(_("due on"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices,
                              default=Status.OPEN)
    completed_on = models.DateField(_("done or declined on"), null=True, blank=True)
    outcome = models.TextField(pgettext_lazy("improvement action", "outcome"), blank=True,
                               help_text=_("What was done, or why the action was declined."))
    escalated_on = models.DateField(_("overdue: escalated on"), null=True, blank=True,
                                    editable=False)

    objects = ImprovementActionQuerySet.as_manager()
    scope = ImprovementActionScope()

    class Meta:
        verbose_name = _("improvement action")
        verbose_name_plural = _("improvement actions")
        ordering = ["due_on", "pk"]
        indexes = [models.Index(fields=["due_on", "id"]),
                   models.Index(fields=["status", "due_on"])]

    def __str__(self):
        return f"{self.code} {self.title}"

    def save(self, *args, **kwargs):
        using = kwargs.get("using") or self._state.db or "default"
        with transaction.atomic(using=using):
            if not self.code:
                self.code = next_year_code(ImprovementAction, "IA", using)
            super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("improvement:improvementaction_detail", args=[self.pk])

    @property
    def overdue(self) -> bool:
        return self.status == self.Status.OPEN and self.due_on < timezone.localdate()

    def clean(self):
        errors = {}
        if self.status == self.Status.OPEN and self.completed_on:
            errors["completed_on"] = _("An open action has no completion date.")
        if self.status != self.Status.OPEN and not self.completed_on:
            errors["completed_on"] = _("Give the day the action was done or declined.")
        if self.status == self.Status.DECLINED and not self.outcome.strip():
            errors["outcome"] = _("Say why the action was declined.")
        if self.due_on and self.raised_on and self.due_on < self.raised_on:
            errors["due_on"] = _("The due date cannot be before the action was raised.")
        if errors:
            raise ValidationError(errors)


badges.register(Nonconformity, "status", {"open": "yellow", "planned": "blue",
                                          "closed": "green"})
badges.register(Nonconformity, "severity", {"major": "red", "minor": "orange"})
badges.register(ImprovementAction, "status", {"open": "yellow", "done": "green",
                                              "declined": "secondary"})
