"""Security incidents and their early recovery (policy Art 5), and the reports the law asks
for when personal data is breached (Art 11, compliance: APPI Art 26).

An incident is evidence. Its timeline entries are written once and never changed; every
change to the incident itself is in the chained change log; incidents are closed, never
deleted.
"""

import datetime

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mamori.assets.models import Asset
from mamori.controls.models import Control
from mamori.core import badges
from mamori.core.audit import AuditedModel, AuditedQuerySet, SingleRow
from mamori.core.counters import next_code
from mamori.core.i18n import NamedInTwoLanguages
from mamori.core.scope import ALL, CatalogueScope, Scope, SettingsScope
from mamori.incidents import breach
from mamori.org.models import Department, Person
from mamori.risks.models import Risk, Threat


class Severity(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")
    CRITICAL = "critical", _("Critical")


# A response target longer than a year is no target; the bound also keeps the due moments
# (awareness + hours) within the dates Python and the databases hold (an unbounded 2**31
# hours made every save of an incident of that severity fail).
TARGET_HOURS = [MinValueValidator(1), MaxValueValidator(
    24 * 365, message=_("At most %(limit_value)s hours (one year)."))]

# The company is aware when any part of it is: an awareness recorded more than this long after
# the incident was noticed needs a reason (it moves the regulator's deadlines later).
LATE_AWARENESS = datetime.timedelta(days=1)
# Clocks differ a little (the browser's, the server's): "now" in a form may be a few minutes
# ahead of the server's; anything later is a moment in the future.
CLOCK_SKEW = datetime.timedelta(minutes=5)


class ResponseTarget(AuditedModel):
    """How soon an incident of a severity must be contained and recovered, counted from the
    moment the company became aware of it."""

    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices,
                                unique=True)
    contain_within_hours = models.PositiveIntegerField(_("contain within (hours)"),
                                                       validators=TARGET_HOURS)
    recover_within_hours = models.PositiveIntegerField(_("recover within (hours)"),
                                                       validators=TARGET_HOURS)

    objects = AuditedQuerySet.as_manager()
    scope = CatalogueScope()

    class Meta:
        verbose_name = _("response target")
        verbose_name_plural = _("response targets")
        ordering = ["contain_within_hours"]

    def __str__(self):
        return str(self.get_severity_display())

    def get_absolute_url(self):
        return reverse("incidents:responsetarget_detail", args=[self.pk])

    def clean(self):
        if (self.contain_within_hours and self.recover_within_hours
                and self.recover_within_hours < self.contain_within_hours):
            raise ValidationError({"recover_within_hours": _(
                "Recovery cannot be due before containment.")})


class IncidentSettings(SingleRow, AuditedModel):
    """Who hears of a new incident besides the CISO and the department's information manager,
    how early reminders of report deadlines go out, and the reporting company's particulars
    that every report to the PPC carries."""

    # The particulars of the reporting business on the PPC's report form, in form order.
    COMPANY_FIELDS = ["company_name", "company_address", "company_representative",
                      "contact_name", "contact_department", "contact_phone", "contact_email"]

    team_email = models.EmailField(
        _("incident team address"), blank=True,
        help_text=_("The CSIRT or security team's shared mailbox; every new report is sent "
                    "there too."))
    reminder_days = models.PositiveSmallIntegerField(
        _("remind this many days before a due date"), default=1)
    company_name = models.CharField(_("reporting company: name"), max_length=200, blank=True)
    company_address = models.CharField(_("reporting company: address"), max_length=300,
                                       blank=True)
    company_representative = models.CharField(_("reporting company: representative"),
                                              max_length=200, blank=True)
    contact_name = models.CharField(_("contact person: name"), max_length=200, blank=True)
    contact_department = models.CharField(_("contact person: department"), max_length=200,
                                          blank=True)
    contact_phone = models.CharField(_("contact person: phone"), max_length=40, blank=True)
    contact_email = models.EmailField(_("contact person: e-mail"), blank=True)

    objects = AuditedQuerySet.as_manager()
    scope = SettingsScope()

    class Meta:
        verbose_name = _("incident settings")
        verbose_name_plural = _("incident settings")

    def __str__(self):
        return str(_("Incident settings"))

    def get_absolute_url(self):
        return reverse("incidents:incidentsettings_detail", args=[self.pk])

    def missing_company_fields(self) -> list[str]:
        """The particulars a report needs that are still empty (field names)."""
        return [name for name in self.COMPANY_FIELDS if not getattr(self, name).strip()]


class IncidentScope(Scope):
    """The CISO (and administrators) handle every incident; the owning department's
    information manager handles theirs; auditors read. A staff member reports incidents and
    sees their own reports; the assignee sees and works on the incident assigned to them.
    Nobody deletes an incident: it is evidence, and is closed instead."""

    department_field = "department"

    def admin(self, roles, action):
        return None if action == "delete" else ALL

    ciso = admin

    def information_manager(self, roles, action):
        if action == "delete":
            return None
        return super().information_manager(roles, action)

    def staff(self, roles, action):
        if roles.person_id is None or action == "delete":
            return None
        if action == "add":
            return Q(reported_by=roles.person_id)
        if action == "change":
            return Q(assignee=roles.person_id)
        return Q(reported_by=roles.person_id) | Q(assignee=roles.person_id)


class IncidentQuerySet(AuditedQuerySet):
    def open(self):
        return self.exclude(status=Incident.Status.CLOSED)

    def past_recovery_target(self, now=None):
        now = now or timezone.now()
        return self.open().filter(recovered_at__isnull=True, recover_due_at__lt=now)


def next_incident_code(year: int, using: str = "default") -> str:
    """The year's next number, safe for simultaneous reports (core.counters); call it inside
    the transaction that saves the incident."""
    return next_code(Incident, f"INC-{year}-", f"incidents.incident:{year}", using=using)


class Incident(AuditedModel):
    # The columns the search box (`q=`) looks in, each indexed by its trigrams
    # (core.search_indexes; migration 0006 names them too).
    SEARCHED = ("code", "title", "description")

    class Status(models.TextChoices):
        REPORTED = "reported", _("Reported")
        TRIAGED = "triaged", _("Triaged")
        CONTAINED = "contained", _("Contained")
        RECOVERED = "recovered", _("Recovered")
        CLOSED = "closed", _("Closed")

    # The lifecycle in order, with the field that records when each stage was reached.
    STAGES = [
        (Status.TRIAGED, "triaged_at"),
        (Status.CONTAINED, "contained_at"),
        (Status.RECOVERED, "recovered_at"),
        (Status.CLOSED, "closed_at"),
    ]

    code = models.CharField(_("number"), max_length=20, unique=True, blank=True,
                            help_text=_("Given automatically (INC-year-number) when empty."))
    title = models.CharField(_("what happened (in short)"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    occurred_at = models.DateTimeField(_("occurred at"), null=True, blank=True)
    noticed_at = models.DateTimeField(_("noticed at"), default=timezone.now)
    aware_at = models.DateTimeField(
        _("company aware at"), null=True, blank=True,
        help_text=_("When the company became aware (any of its departments knew). The "
                    "regulator's deadlines count from this date; the time it was noticed when "
                    "empty."))
    late_awareness_reason = models.TextField(
        _("why the company became aware later than noticed"), blank=True,
        help_text=_("Needed when the company became aware more than a day after the incident "
                    "was noticed: the company is aware as soon as any part of it is."))
    reported_by = models.ForeignKey(Person, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="incidents_reported",
                                    verbose_name=_("reported by"))
    department = models.ForeignKey(Department, on_delete=models.PROTECT,
                                   related_name="incidents", verbose_name=_("owning department"))
    assets = models.ManyToManyField(Asset, blank=True, related_name="incidents",
                                    verbose_name=_("assets affected"))
    data_affected = models.TextField(
        _("data or systems that may be affected"), blank=True,
        help_text=_("Describe them if they are not in the asset register."))
    personal_data_suspected = models.BooleanField(
        _("personal information may be involved"), default=False)
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices,
                                default=Severity.MEDIUM)
    threats = models.ManyToManyField(Threat, blank=True, related_name="incidents",
                                     verbose_name=_("threat categories"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices,
                              default=Status.REPORTED)
    assignee = models.ForeignKey(Person, on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="incidents_assigned", verbose_name=_("assignee"))
    triaged_at = models.DateTimeField(_("triaged at"), null=True, blank=True)
    contained_at = models.DateTimeField(_("contained at"), null=True, blank=True)
    recovered_at = models.DateTimeField(_("recovered at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    contain_due_at = models.DateTimeField(_("containment due"), null=True, editable=False)
    recover_due_at = models.DateTimeField(_("recovery due"), null=True, editable=False)
    escalated_at = models.DateTimeField(_("escalated to the CISO at"), null=True, blank=True)
    risks = models.ManyToManyField(Risk, blank=True, related_name="incidents",
                                   verbose_name=_("risks concerned"))
    controls = models.ManyToManyField(Control, blank=True, related_name="incidents",
                                      verbose_name=_("controls concerned"))
    # Art 9: an incident at or caused by an outsourcing contractor names it, and the
    # contractor's page lists it (the contractors app comes later in the build order, but
    # every app is installed: the link is by name so this module does not import it).
    contractors = models.ManyToManyField(
        "contractors.Contractor", blank=True, related_name="incidents",
        verbose_name=_("contractors involved"))
    root_cause = models.TextField(_("root cause"), blank=True)
    lessons_learned = models.TextField(_("lessons learned"), blank=True)

    objects = IncidentQuerySet.as_manager()
    scope = IncidentScope()

    class Meta:
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")
        ordering = ["-noticed_at", "-pk"]
        indexes = [
            models.Index(fields=["department", "status"]),
            models.Index(fields=["status", "recover_due_at"]),
            models.Index(fields=["-noticed_at"]),
        ]

    def __str__(self):
        return f"{self.code} {self.title}"

    def get_absolute_url(self):
        return reverse("incidents:incident_detail", args=[self.pk])

    @property
    def awareness(self) -> datetime.datetime:
        return self.aware_at or self.noticed_at

    @property
    def awareness_late(self) -> bool:
        """Whether the awareness recorded is more than a day after the noticing."""
        return bool(self.aware_at and self.noticed_at
                    and self.aware_at - self.noticed_at > LATE_AWARENESS)

    @property
    def time_to_contain(self) -> datetime.timedelta | None:
        return self.contained_at - self.awareness if self.contained_at else None

    @property
    def time_to_recover(self) -> datetime.timedelta | None:
        return self.recovered_at - self.awareness if self.recovered_at else None

    @property
    def contained_late(self) -> bool:
        end = self.contained_at or timezone.now()
        return bool(self.contain_due_at and end > self.contain_due_at)

    @property
    def recovered_late(self) -> bool:
        end = self.recovered_at or timezone.now()
        return bool(self.recover_due_at and end > self.recover_due_at)

    @property
    def stage(self) -> int:
        return [s for s, _f in [(self.Status.REPORTED, None), *self.STAGES]].index(self.status)

    def clean(self):
        errors = {}
        if self.noticed_at and self.occurred_at and self.occurred_at > self.noticed_at:
            errors["occurred_at"] = _("An incident cannot be noticed before it occurred.")
        if self.aware_at and self.occurred_at and self.aware_at < self.occurred_at:
            errors["aware_at"] = _("The company cannot be aware before the incident occurred.")
        latest = timezone.now() + CLOCK_SKEW
        if self.noticed_at and self.noticed_at > latest:
            errors["noticed_at"] = _("The time the incident was noticed cannot be in the "
                                     "future.")
        if self.aware_at and self.aware_at > latest:
            errors["aware_at"] = _("The time the company became aware cannot be in the future.")
        self.late_awareness_reason = (self.late_awareness_reason or "").strip()
        if self.awareness_late and not self.late_awareness_reason and self.times_changed():
            errors["late_awareness_reason"] = _(
                "The company became aware more than a day after the incident was noticed: "
                "give the reason (the company is aware as soon as any part of it is).")
        awareness = self.aware_at or self.noticed_at
        for _status, name in self.STAGES:
            value = getattr(self, name)
            if value and awareness and value < awareness:
                errors[name] = _("This cannot be before the company became aware.")
        if errors:
            raise ValidationError(errors)

    def times_changed(self) -> bool:
        """Whether this save sets the times of noticing or awareness (a new incident, or new
        times). Only then is a late awareness's reason asked for: an incident recorded before
        the question existed stays editable by those who cannot change its times."""
        if self._state.adding or self.pk is None:
            return True
        stored = Incident._base_manager.filter(pk=self.pk).values_list(
            "aware_at", "noticed_at").first()
        return stored != (self.aware_at, self.noticed_at)

    def save(self, *args, **kwargs):
        using = kwargs.get("using") or self._state.db or "default"
        # One transaction from the number to the row: the counter stays locked until the
        # incident is stored, and a report that fails gives its number back.
        with transaction.atomic(using=using):
            if not self.code:
                self.code = next_incident_code(timezone.localdate().year, using=using)
            # Blank is blank: spaces alone are no root cause (the Art 5 check compares with "").
            self.root_cause = self.root_cause.strip()
            self.lessons_learned = self.lessons_learned.strip()
            self.late_awareness_reason = self.late_awareness_reason.strip()
            self.contain_due_at, self.recover_due_at = self.response_due()
            super().save(*args, **kwargs)

    def response_due(self):
        target = ResponseTarget.objects.filter(severity=self.severity).first()
        if target is None or self.awareness is None:
            return None, None
        return (self.awareness + datetime.timedelta(hours=target.contain_within_hours),
                self.awareness + datetime.timedelta(hours=target.recover_within_hours))


class EntryScope(Scope):
    """Whoever sees an incident reads its timeline; whoever may change the incident adds to
    it (a reporter, who sees but does not handle the incident, cannot). Nobody changes or
    deletes an entry."""

    department_field = "incident__department"

    def admin(self, roles, action):
        return ALL if action in ("view", "add") else None

    ciso = admin

    def information_manager(self, roles, action):
        if action not in ("view", "add"):
            return None
        return super().information_manager(roles, action)

    def staff(self, roles, action):
        if roles.person_id is None or action not in ("view", "add"):
            return None
        if action == "add":
            return Q(incident__assignee=roles.person_id)
        return Q(incident__reported_by=roles.person_id) | Q(incident__assignee=roles.person_id)


class IncidentEntry(AuditedModel):
    """One line of an incident's timeline: who did what, when. Written once, never changed."""

    # Written only by its workflow, never added, changed or deleted by hand: not through the
    # admin, the API or an import (core.admin.WorkflowRecordAdmin; issue 16 #12).
    workflow_only = True

    class Kind(models.TextChoices):
        NOTE = "note", _("Note")
        STATUS = "status", _("Status change")
        ASSESSMENT = "assessment", _("Breach assessment")
        REPORT = "report", _("Regulatory report")
        NOTICE = "notice", _("Notice to persons")
        ESCALATION = "escalation", _("Escalation")
        NOTIFICATION = "notification", _("Notification")

    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="entries",
                                 verbose_name=_("incident"))
    at = models.DateTimeField(_("at"), default=timezone.now)
    author = models.ForeignKey(Person, on_delete=models.PROTECT, null=True, blank=True,
                               related_name="+", verbose_name=_("by"))
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.NOTE)
    text = models.TextField(_("text"))

    objects = AuditedQuerySet.as_manager()
    scope = EntryScope()

    class Meta:
        verbose_name = _("timeline entry")
        verbose_name_plural = _("timeline entries")
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["at", "id"])]  # the timeline, in order

    label_related = ("incident",)  # what __str__ reads (core.conformance.listed)

    def __str__(self):
        # In the site's time zone: this is the entry's name in the change log too.
        at = timezone.localtime(self.at) if timezone.is_aware(self.at) else self.at
        return f"{self.incident.code} {at:%Y-%m-%d %H:%M} {self.get_kind_display()}"

    def get_absolute_url(self):
        return self.incident.get_absolute_url()

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValidationError(_("A timeline entry is evidence and cannot be changed."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(_("A timeline entry is evidence and cannot be deleted."))


class RecoveryActionScope(Scope):
    department_field = "incident__department"
    own_person_field = "owner"
    own_actions = ("view", "change")


class RecoveryAction(AuditedModel):
    incident = models.ForeignKey(Incident, on_delete=models.PROTECT,
                                 related_name="recovery_actions", verbose_name=_("incident"))
    title = models.CharField(_("action"), max_length=200)
    owner = models.ForeignKey(Person, on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="recovery_actions", verbose_name=_("owner"))
    due_on = models.DateField(_("due on"))
    done_on = models.DateField(_("done on"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    objects = AuditedQuerySet.as_manager()
    scope = RecoveryActionScope()

    class Meta:
        verbose_name = _("recovery action")
        verbose_name_plural = _("recovery actions")
        ordering = ["due_on", "pk"]
        indexes = [models.Index(fields=["due_on", "id"])]  # the list, due first, on any page

    label_related = ("incident",)  # what __str__ reads (core.conformance.listed)

    def __str__(self):
        return f"{self.incident.code}: {self.title}"

    def get_absolute_url(self):
        return reverse("incidents:recoveryaction_detail", args=[self.pk])

    @property
    def overdue(self) -> bool:
        return self.done_on is None and self.due_on < timezone.localdate()


class BreachRule(NamedInTwoLanguages, AuditedModel):
    """The parameters of the breach-reporting law from a date on. The rule in force on the
    day the company became aware decides an incident's grounds and deadlines.

    A rule that an assessment applied is frozen: its date and numbers stay what the stored
    outcomes were derived from (its names and legal basis may still be corrected). A change
    of the law is a new rule with the date it takes effect; when it is added (or a rule's date
    is set), the assessments it now governs are derived again in the same transaction, or
    flagged for the CISO when their reports were already submitted (incidents.deadlines)."""

    # What decides an outcome: frozen once an assessment applied the rule.
    FROZEN_FIELDS = ("effective_from", "preliminary_target_days", "preliminary_due_days",
                     "final_days", "final_days_wrongful", "person_threshold",
                     "awareness_day_is_day_one", "acquisition_counts_as_wrongful")

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_ja = models.CharField(_("name (Japanese)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    effective_from = models.DateField(_("in force from"), unique=True)
    preliminary_target_days = models.PositiveSmallIntegerField(
        _("preliminary report: target (days, about 3)"), default=3,
        validators=[MinValueValidator(1)],
        help_text=_("The day Mamori aims for; the guideline reads \"promptly\" as about three "
                    "to five days."))
    preliminary_due_days = models.PositiveSmallIntegerField(
        _("preliminary report due within (days)"), default=5,
        validators=[MinValueValidator(1)],
        help_text=_("The real deadline: a preliminary report submitted after this day is "
                    "late."))
    final_days = models.PositiveSmallIntegerField(_("final report within (days)"), default=30,
                                                  validators=[MinValueValidator(1)])
    final_days_wrongful = models.PositiveSmallIntegerField(
        _("final report within, wrongful purpose (days)"), default=60,
        validators=[MinValueValidator(1)])
    person_threshold = models.PositiveIntegerField(
        _("reportable above this number of persons"), default=1000)
    awareness_day_is_day_one = models.BooleanField(
        _("the day of awareness is day 1"), default=True)
    acquisition_counts_as_wrongful = models.BooleanField(
        _("wrongful acts on information being acquired count (e.g. web skimming)"),
        default=True)
    legal_basis = models.TextField(_("legal basis"), blank=True)

    objects = AuditedQuerySet.as_manager()
    scope = CatalogueScope()

    class Meta:
        verbose_name = _("breach-reporting rule")
        verbose_name_plural = _("breach-reporting rules")
        ordering = ["-effective_from"]

    def get_absolute_url(self):
        return reverse("incidents:breachrule_detail", args=[self.pk])

    def clean(self):
        errors = {}
        if (self.preliminary_target_days and self.preliminary_due_days
                and self.preliminary_due_days < self.preliminary_target_days):
            errors["preliminary_due_days"] = _("The limit cannot come before the target.")
        errors.update(self.frozen_errors())
        if errors:
            raise ValidationError(errors)

    def in_use(self, using=None) -> bool:
        """Whether an assessment applied this rule (its outcome was derived from it)."""
        using = using or self._state.db or "default"
        return self.pk is not None and BreachAssessment._base_manager.using(using).filter(
            rule_id=self.pk).exists()

    def frozen_errors(self, using=None) -> dict:
        """The frozen fields this unsaved change would alter, each with why it is refused."""
        if self.pk is None or self._state.adding:
            return {}
        using = using or self._state.db or "default"
        stored = BreachRule._base_manager.using(using).filter(pk=self.pk).values(
            *self.FROZEN_FIELDS).first()
        if stored is None:
            return {}
        changed = [name for name in self.FROZEN_FIELDS if stored[name] != getattr(self, name)]
        if not changed or not self.in_use(using):
            return {}
        message = _("The rule %(code)s (%(rule)s) was applied by breach assessments and "
                    "cannot be changed: a change of the law is a new rule, in force from its "
                    "own date.") % {"code": self.code, "rule": self}
        return dict.fromkeys(changed, message)

    def save(self, *args, **kwargs):
        """Refused when it would change a frozen rule; a new rule (or a rule's new date) is
        applied to the assessments it governs, in the same transaction."""
        from mamori.incidents import deadlines

        using = kwargs.get("using") or self._state.db or "default"
        with transaction.atomic(using=using):
            errors = self.frozen_errors(using)
            if errors:
                raise ValidationError(errors)
            stored_from = None if self._state.adding else BreachRule._base_manager.using(
                using).filter(pk=self.pk).values_list("effective_from", flat=True).first()
            super().save(*args, **kwargs)
            if stored_from != self.effective_from:
                deadlines.follow_rule(self, using=using)

    @classmethod
    def in_force_on(cls, day: datetime.date) -> "BreachRule | None":
        return cls.objects.filter(effective_from__lte=day).order_by("-effective_from").first()


class BreachScope(Scope):
    """The breach assessment and the regulatory reports are the handlers' work: the CISO
    and the department's information manager; auditors read them."""

    department_field = "incident__department"


class BreachAssessment(AuditedModel):
    """The answers that decide whether the breach must be reported, and what follows from
    them (stored, so lists and checks filter on them)."""

    class Notice(models.TextChoices):
        PENDING = "pending", _("Not yet given")
        INDIVIDUAL = "individual", _("Notified individually")
        PUBLIC = "public", _("Public announcement instead (notice impracticable)")
        NOT_REQUIRED = "not_required", _("Not required")

    incident = models.OneToOneField(Incident, on_delete=models.PROTECT,
                                    related_name="assessment", verbose_name=_("incident"))
    personal_data = models.BooleanField(
        _("personal data is or may be affected"), default=False)
    sensitive = models.BooleanField(
        _("sensitive personal information (要配慮個人情報) is involved"), default=False)
    financial_damage = models.BooleanField(
        _("misuse could cause financial damage (card numbers, credentials)"), default=False)
    wrongful_purpose = models.BooleanField(
        _("a wrongful purpose is suspected (unauthorised access, insider theft)"),
        default=False)
    being_acquired = models.BooleanField(
        _("the information was being acquired (e.g. typed into our web form)"), default=False,
        help_text=_("Counts under the wrongful-purpose ground (item 3) only, from the April "
                    "2024 amendment; the other grounds speak of personal data already held."))
    held_data_also_affected = models.BooleanField(
        _("personal data the company already held was also affected"), default=False,
        help_text=_("Only with information being acquired: the other answers then describe the "
                    "personal data already held, to which every ground applies."))
    persons_affected = models.PositiveIntegerField(
        _("number of persons (or estimate)"), null=True, blank=True)
    encrypted = models.BooleanField(
        _("protected by advanced encryption or an equivalent measure"), default=False,
        help_text=_("Exempts the breach from reporting when the key was not compromised."))
    data_items = models.TextField(_("data items affected"), blank=True)
    assessed_by = models.ForeignKey(Person, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("assessed by"))
    assessed_at = models.DateTimeField(_("assessed at"), default=timezone.now)
    rule = models.ForeignKey(BreachRule, on_delete=models.PROTECT, null=True, editable=False,
                             related_name="assessments", verbose_name=_("rule applied"))
    reportable = models.BooleanField(_("reportable"), default=False, editable=False)
    exempt = models.BooleanField(_("exempt (encrypted)"), default=False, editable=False)
    grounds = models.CharField(_("grounds (enforcement rules Art 7)"), max_length=20,
                               blank=True, editable=False)
    grounds_if_unencrypted = models.CharField(
        _("grounds that would have applied without the encryption"), max_length=20,
        blank=True, editable=False)
    rule_superseded_by = models.ForeignKey(
        "BreachRule", on_delete=models.SET_NULL, null=True, blank=True, editable=False,
        related_name="+", verbose_name=_("to review: a new rule applies"),
        help_text=_("A rule that took effect after the assessment applies to its date, but "
                    "reports were already submitted: the CISO decides (saving the assessment "
                    "again applies the new rule)."))
    preliminary_target = models.DateField(_("preliminary report: target (about 3 days)"),
                                          null=True, editable=False)
    preliminary_due = models.DateField(_("preliminary report due"), null=True, editable=False)
    final_due = models.DateField(_("final report due"), null=True, editable=False)
    person_notice = models.CharField(_("notice to the persons"), max_length=12,
                                     choices=Notice.choices, default=Notice.PENDING)
    person_notice_on = models.DateField(_("notice given on"), null=True, blank=True)

    objects = AuditedQuerySet.as_manager()
    scope = BreachScope()

    class Meta:
        verbose_name = _("breach assessment")
        verbose_name_plural = _("breach assessments")
        ordering = ["-assessed_at", "pk"]
        indexes = [models.Index(fields=["assessed_at", "id"])]  # the list, newest first

    label_related = ("incident",)  # what __str__ reads (core.conformance.listed)

    def __str__(self):
        return f"{self.incident.code}: {_('breach assessment')}"

    def get_absolute_url(self):
        return reverse("incidents:breachassessment_detail", args=[self.pk])

    @property
    def grounds_list(self) -> list[int]:
        return [int(g) for g in self.grounds.split(",") if g]

    @property
    def grounds_if_unencrypted_list(self) -> list[int]:
        return [int(g) for g in self.grounds_if_unencrypted.split(",") if g]

    def answers(self) -> breach.Answers:
        return breach.Answers(
            personal_data=self.personal_data, sensitive=self.sensitive,
            financial_damage=self.financial_damage, wrongful_purpose=self.wrongful_purpose,
            being_acquired=self.being_acquired,
            held_data_also_affected=self.held_data_also_affected,
            persons_affected=self.persons_affected,
            encrypted=self.encrypted)

    def outcome(self) -> breach.Outcome:
        aware_at = self.incident.awareness
        rule = BreachRule.in_force_on(breach.awareness_date(aware_at)) or breach.Rule()
        return breach.assess(self.answers(), aware_at, rule)

    def clean(self):
        errors = {}
        if not self.personal_data:
            for name in ("sensitive", "financial_damage", "being_acquired"):
                if getattr(self, name):
                    errors[name] = _("Answer this only when personal data is affected.")
        if self.being_acquired and not self.wrongful_purpose:
            errors["being_acquired"] = _(
                "This counts only with a suspected wrongful purpose; answer that first.")
        if self.held_data_also_affected and not self.being_acquired:
            errors["held_data_also_affected"] = _(
                "Answer this only when the information was being acquired.")
        if self.person_notice in (self.Notice.INDIVIDUAL, self.Notice.PUBLIC) \
                and not self.person_notice_on:
            errors["person_notice_on"] = _("Give the date the notice was given.")
        if self.incident_id:
            aware_on = breach.awareness_date(self.incident.awareness)
            if BreachRule.in_force_on(aware_on) is None:
                errors["personal_data"] = _(
                    "No breach-reporting rule is in force on %(date)s; add one first.") % {
                    "date": aware_on}
            original = BreachAssessment.objects.filter(pk=self.pk).values_list(
                "incident_id", flat=True).first() if self.pk else None
            if original is not None and original != self.incident_id:
                errors["incident"] = _("An assessment cannot be moved to another incident.")
        if errors:
            raise ValidationError(errors)

    def derive(self) -> None:
        """Set the stored outcome from the answers, the awareness and the rule in force."""
        outcome = self.outcome()
        self.rule = BreachRule.in_force_on(breach.awareness_date(self.incident.awareness))
        self.reportable = outcome.reportable
        self.exempt = outcome.exempt
        self.grounds = ",".join(str(g) for g in outcome.grounds)
        self.grounds_if_unencrypted = ",".join(str(g) for g in outcome.grounds_if_unencrypted)
        # Derived under the rule in force: nothing is left to review.
        self.rule_superseded_by = None
        self.preliminary_target = outcome.preliminary_target
        self.preliminary_due = outcome.preliminary_due
        self.final_due = outcome.final_due

    def save(self, *args, reason=None, **kwargs):
        """Saved with its outcome derived again; when the outcome changes, the reports not yet
        submitted follow in the same transaction (incidents.deadlines)."""
        from mamori.incidents import deadlines

        using = kwargs.get("using") or self._state.db or "default"
        with transaction.atomic(using=using):
            before = None if self._state.adding else deadlines.stored_outcome(self, using)
            self.derive()
            super().save(*args, **kwargs)
            if before is not None:
                # Lazy: the timeline entry is written in Japanese and in English.
                deadlines.follow(self, before, reason or _("the answers changed"))

    def rederive(self, reason, using="default") -> bool:
        """Derive the outcome again (the facts it depends on changed); saved, with the
        reports following, only when it differs. Returns whether it did."""
        from mamori.incidents import deadlines

        before = deadlines.outcome_of(self)
        self.derive()
        if deadlines.outcome_of(self) == before:
            return False
        self.save(reason=reason, using=using)
        return True


def late_report(today=None) -> Q:
    """The condition of a late report: submitted after its due date, or not submitted and
    past it (a report without a due date is never late)."""
    today = today or timezone.localdate()
    return Q(due_on__isnull=False) & (Q(submitted_on__gt=models.F("due_on"))
                                      | Q(submitted_on__isnull=True, due_on__lt=today))


class ReportQuerySet(AuditedQuerySet):
    def late(self, today=None):
        """Reports submitted after their due date, or not submitted and past it."""
        return self.filter(late_report(today))

    def outstanding(self):
        return self.filter(submitted_on__isnull=True)


class RegulatoryReport(AuditedModel):
    """A report to a regulator about an incident, drafted with the nine items of the PPC's
    enforcement rules Art 8(1)."""

    class Recipient(models.TextChoices):
        PPC = "ppc", _("Personal Information Protection Commission (PPC)")
        FSA = "fsa", _("Financial Services Agency / Local Finance Bureau")
        METI = "meti", _("Ministry of Economy, Trade and Industry")
        OTHER = "other", _("Other")

    class Kind(models.TextChoices):
        PRELIMINARY = "preliminary", _("Preliminary report (速報)")
        FINAL = "final", _("Final report (確報)")
        SUPPLEMENTARY = "supplementary", _("Supplementary report")
        VOLUNTARY = "voluntary", _("Voluntary report")

    # The nine items of the report (enforcement rules Art 8(1) items 1-9), in order.
    ITEMS = ["summary", "data_items", "persons", "cause", "secondary_damage",
             "response_to_persons", "public_announcement", "recurrence_prevention",
             "other_matters"]

    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="reports",
                                 verbose_name=_("incident"))
    recipient = models.CharField(_("recipient"), max_length=10, choices=Recipient.choices,
                                 default=Recipient.PPC)
    recipient_name = models.CharField(_("recipient (name)"), max_length=200, blank=True)
    legal_basis = models.CharField(_("legal basis"), max_length=300, blank=True)
    kind = models.CharField(_("kind"), max_length=14, choices=Kind.choices)
    due_on = models.DateField(
        _("due on"), null=True, blank=True,
        help_text=_("Taken from the breach assessment for preliminary and final reports to "
                    "the PPC when empty."))
    submitted_on = models.DateField(_("submitted on"), null=True, blank=True)
    summary = models.TextField(_("1. summary"), blank=True)
    data_items = models.TextField(_("2. personal data items"), blank=True)
    persons = models.TextField(_("3. number of persons"), blank=True)
    cause = models.TextField(_("4. cause"), blank=True)
    secondary_damage = models.TextField(_("5. secondary damage or its risk"), blank=True)
    response_to_persons = models.TextField(_("6. response to the persons"), blank=True)
    public_announcement = models.TextField(_("7. public announcement"), blank=True)
    recurrence_prevention = models.TextField(_("8. measures against recurrence"), blank=True)
    other_matters = models.TextField(_("9. other matters"), blank=True)
    reminded_on = models.DateField(_("reminder sent on"), null=True, blank=True,
                                   editable=False)
    escalated_on = models.DateField(_("escalated on"), null=True, blank=True, editable=False)

    objects = ReportQuerySet.as_manager()
    scope = BreachScope()

    class Meta:
        verbose_name = _("regulatory report")
        verbose_name_plural = _("regulatory reports")
        ordering = ["due_on", "pk"]
        indexes = [models.Index(fields=["submitted_on", "due_on"]),
                   models.Index(fields=["due_on", "id"])]  # the list, due first

    label_related = ("incident",)  # what __str__ reads (core.conformance.listed)

    def __str__(self):
        return f"{self.incident.code}: {self.get_kind_display()} → {self.get_recipient_display()}"

    def get_absolute_url(self):
        return reverse("incidents:regulatoryreport_detail", args=[self.pk])

    @property
    def late(self) -> bool:
        if self.due_on is None:
            return False
        if self.submitted_on:
            return self.submitted_on > self.due_on
        return self.due_on < timezone.localdate()

    def clean(self):
        errors = {}
        if self.kind in (self.Kind.PRELIMINARY, self.Kind.FINAL) and not (
                self.due_on or self.computed_due()):
            errors["due_on"] = _("Give the due date (assess the breach first to have it "
                                 "computed).")
        if self.submitted_on and self.incident_id and \
                self.submitted_on < breach.awareness_date(self.incident.awareness):
            errors["submitted_on"] = _("A report cannot be submitted before the company "
                                       "became aware of the incident.")
        if self.submitted_on and self.submitted_on > timezone.localdate():
            errors["submitted_on"] = _("The submission date cannot be in the future.")
        if errors:
            raise ValidationError(errors)

    def computed_due(self) -> datetime.date | None:
        if not self.incident_id or self.recipient != self.Recipient.PPC:
            return None
        return due_from_assessment(self.incident, self.kind)

    def save(self, *args, **kwargs):
        if not self.due_on:
            self.due_on = self.computed_due()
        super().save(*args, **kwargs)


def due_from_assessment(incident, kind) -> datetime.date | None:
    assessment = BreachAssessment.objects.filter(incident=incident).first()
    if assessment is None or not assessment.reportable:
        return None
    if kind == RegulatoryReport.Kind.PRELIMINARY:
        return assessment.preliminary_due
    if kind == RegulatoryReport.Kind.FINAL:
        return assessment.final_due
    return None


# Severities and statuses read as coloured badges in lists and on detail pages (core.badges):
# an incident still to be triaged is red, a closed one green.
SEVERITY_TONES = {"low": "secondary", "medium": "yellow", "high": "orange", "critical": "red"}
badges.register(Incident, "severity", SEVERITY_TONES)
badges.register(ResponseTarget, "severity", SEVERITY_TONES)
badges.register(Incident, "status", {"reported": "red", "triaged": "orange",
                                     "contained": "yellow", "recovered": "blue",
                                     "closed": "green"})
