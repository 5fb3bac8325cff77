"""Policies and internal rules (policy Art 1, 2, 6, 12): documents, versions, sections,
acknowledgements and reviews.

A document's text lives in its versions. A version moves draft → in review → approved →
published → superseded; editing a published document starts a new draft, marked material or
editorial. People in a published version's audience acknowledge it once per *material*
version: an editorial version keeps the acknowledgements of the material one before it.
"""

import datetime
import hashlib

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Max, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mamori.core import badges
from mamori.core.audit import AuditedModel, AuditedQuerySet
from mamori.core.counters import next_number
from mamori.core.i18n import TitledInTwoLanguages, localized
from mamori.core.scope import ALL, Scope
from mamori.org.models import Department, Person


class DocumentScope(Scope):
    """Everyone may read the rules they must follow; an information manager manages the
    documents their departments own."""

    department_field = "owner_department"
    readers = ("staff",)


class PolicyDocument(TitledInTwoLanguages, AuditedModel):
    class Kind(models.TextChoices):
        BASIC_POLICY = "basic_policy", _("Basic policy")
        INTERNAL_RULE = "internal_rule", _("Internal rule")
        STANDARD = "standard", _("Standard")
        PROCEDURE = "procedure", _("Procedure")
        # Art 10: a plan's structured parts live in mamori.continuity (ContinuityPlan).
        CONTINUITY_PLAN = "continuity_plan", _("Business continuity plan")
        RECOVERY_PLAN = "recovery_plan", _("IT disaster recovery plan")

    code = models.SlugField(_("code"), max_length=64, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    title_ja = models.CharField(_("title (Japanese)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    owner_department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="policy_documents",
        verbose_name=_("owner department"))
    approver = models.ForeignKey(
        Person, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("approver"),
        help_text=_("Who approves new versions; empty means the CISO."))
    review_interval_months = models.PositiveSmallIntegerField(
        _("review interval (months)"), default=12)
    next_review_date = models.DateField(_("next review date"), null=True, blank=True)
    acknowledgement_days = models.PositiveSmallIntegerField(
        _("days to acknowledge"), default=14,
        help_text=_("People who have not acknowledged this many days after publication are "
                    "overdue."))
    is_active = models.BooleanField(_("active"), default=True)

    objects = AuditedQuerySet.as_manager()
    scope = DocumentScope()

    class Meta:
        verbose_name = _("policy document")
        verbose_name_plural = _("policy documents")
        ordering = ["kind", "code"]

    def get_absolute_url(self):
        return reverse("policies:policydocument_detail", args=[self.pk])

    def current_version(self):
        return self.versions.filter(status=PolicyVersion.Status.PUBLISHED).first()

    def acknowledgement_baseline(self):
        """The published (or since superseded) material version whose acknowledgement counts:
        an editorial change does not ask people again."""
        return (self.versions.filter(status__in=PolicyVersion.RELEASED, is_material=True)
                .order_by("-number").first())


class VersionScope(Scope):
    """Owners edit and delete drafts only; later states change through the workflow steps
    (policies.workflow). Staff read what has been published."""

    department_field = "document__owner_department"

    def _drafts_only(self, q, action):
        if q is None or action in ("view", "add"):
            return q
        return q & Q(status__in=PolicyVersion.EDITABLE)

    def admin(self, roles, action):
        return self._drafts_only(ALL, action)

    def ciso(self, roles, action):
        return self._drafts_only(ALL, action)

    def information_manager(self, roles, action):
        return self._drafts_only(super().information_manager(roles, action), action)

    def staff(self, roles, action):
        if action != "view":
            return None
        return Q(status__in=PolicyVersion.RELEASED)


class PolicyVersionQuerySet(AuditedQuerySet):
    def published(self):
        return self.filter(status=PolicyVersion.Status.PUBLISHED)


class PolicyVersion(AuditedModel):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        IN_REVIEW = "in_review", _("In review")
        APPROVED = "approved", _("Approved")
        PUBLISHED = "published", _("Published")
        SUPERSEDED = "superseded", _("Superseded")

    RELEASED = (Status.PUBLISHED, Status.SUPERSEDED)
    EDITABLE = (Status.DRAFT,)
    PREPARING = (Status.DRAFT, Status.IN_REVIEW, Status.APPROVED)

    class Audience(models.TextChoices):
        ALL_STAFF = "all", _("Everyone in the policy's scope")
        CATEGORIES = "categories", _("Selected person categories")
        DEPARTMENTS = "departments", _("Selected departments")

    document = models.ForeignKey(PolicyDocument, on_delete=models.CASCADE,
                                 related_name="versions", verbose_name=_("document"))
    number = models.PositiveIntegerField(_("version"))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices,
                              default=Status.DRAFT)
    is_material = models.BooleanField(
        _("material change"), default=True,
        help_text=_("A material change asks everyone in the audience to acknowledge again; an "
                    "editorial one does not."))
    change_summary = models.CharField(_("summary of changes"), max_length=500, blank=True)
    body_ja = models.TextField(_("text (Japanese, Markdown)"))
    body_en = models.TextField(_("text (English, Markdown)"), blank=True)
    content_hash = models.CharField(_("content hash"), max_length=64, editable=False)
    audience = models.CharField(_("audience"), max_length=12, choices=Audience.choices,
                                default=Audience.ALL_STAFF)
    audience_categories = models.JSONField(
        _("audience categories"), default=list, blank=True,
        help_text=_("Person categories that must acknowledge (when the audience is by "
                    "category)."))
    audience_departments = models.ManyToManyField(
        Department, blank=True, related_name="+", verbose_name=_("audience departments"),
        help_text=_("Departments (with those below them) that must acknowledge."))
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    null=True, blank=True, related_name="+",
                                    verbose_name=_("approved by"))
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)

    objects = PolicyVersionQuerySet.as_manager()
    scope = VersionScope()

    class Meta:
        verbose_name = _("policy version")
        verbose_name_plural = _("policy versions")
        ordering = ["document", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["document", "number"], name="one_number_per_doc"),
            models.UniqueConstraint(fields=["document"], condition=Q(status="published"),
                                    name="one_published_version_per_doc"),
        ]

    label_related = ("document",)  # what __str__ reads (core.conformance.listed)

    def __str__(self):
        return f"{self.document} v{self.number}"

    def get_absolute_url(self):
        return reverse("policies:policyversion_detail", args=[self.pk])

    @property
    def body(self) -> str:
        return localized(self.body_ja, self.body_en)

    def compute_hash(self) -> str:
        text = "\x1e".join([self.document.title_ja, self.document.title_en, self.body_ja,
                            self.body_en])
        return hashlib.sha256(text.encode()).hexdigest()

    def save(self, *args, **kwargs):
        using = kwargs.get("using") or self._state.db or "default"
        # The number is taken under the series' lock and stored in the same transaction, so
        # two versions created at once never get the same number (core.counters).
        with transaction.atomic(using=using):
            if not self.number:
                self.number = next_number(
                    f"policies.policyversion:{self.document_id}", using=using,
                    floor=lambda: PolicyVersion.objects.using(using).filter(
                        document_id=self.document_id).aggregate(n=Max("number"))["n"] or 0)
            if not self._hash_is_frozen():
                self.content_hash = self.compute_hash()
            super().save(*args, **kwargs)

    def _hash_is_frozen(self) -> bool:
        # Once released, the hash is the evidence of the text people acknowledged: saving the
        # version again (when it is superseded) must not recompute it from titles renamed since.
        return self.pk is not None and PolicyVersion.objects.filter(
            pk=self.pk, status__in=self.RELEASED).exists()

    def clean(self):
        # One version in preparation per document (as workflow.new_draft requires), also for
        # a version created from the form or the API: two drafts could be published out of
        # order, leaving an older version published after a newer one.
        if self.pk is None and self.document_id and PolicyVersion.objects.filter(
                document_id=self.document_id, status__in=self.PREPARING).exists():
            raise ValidationError({"document": _(
                "This document already has a version in preparation.")})
        if self.audience == self.Audience.CATEGORIES and not self.audience_categories:
            raise ValidationError({"audience_categories": _("Choose at least one category.")})
        unknown = set(self.audience_categories or []) - set(Person.Category.values)
        if unknown:
            raise ValidationError({"audience_categories": _("Unknown category: %(c)s")
                                   % {"c": ", ".join(sorted(unknown))}})

    @property
    def due_date(self) -> datetime.date | None:
        if not self.published_at:
            return None
        return (timezone.localtime(self.published_at).date()
                + datetime.timedelta(days=self.document.acknowledgement_days))


class PolicySection(TitledInTwoLanguages, AuditedModel):
    """An article or section of a document, by a key stable across versions (e.g. "art-3"),
    so that other records (risks, controls, findings) can refer to it."""

    document = models.ForeignKey(PolicyDocument, on_delete=models.CASCADE,
                                 related_name="sections", verbose_name=_("document"))
    key = models.SlugField(_("key"), max_length=32)
    title_ja = models.CharField(_("title (Japanese)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    scope = DocumentScope(department_field="document__owner_department")

    class Meta:
        verbose_name = _("policy section")
        verbose_name_plural = _("policy sections")
        ordering = ["document", "position"]
        constraints = [models.UniqueConstraint(fields=["document", "key"],
                                               name="one_section_key_per_doc")]

    def __str__(self):
        return f"{self.document} — {self.title}"

    def get_absolute_url(self):
        version = self.document.current_version()
        base = version.get_absolute_url() if version else self.document.get_absolute_url()
        return f"{base}#{self.key}"


class AcknowledgementScope(Scope):
    """People acknowledge only for themselves; information managers and auditors see their
    departments' (resp. everyone's) acknowledgements as evidence. Nobody changes one."""

    department_field = "person__department"
    own_field = "person__user"
    own_actions = ("view", "add")

    def admin(self, roles, action):
        return ALL if action == "view" else self.staff(roles, action)

    ciso = admin

    def information_manager(self, roles, action):
        return super().information_manager(roles, action) if action == "view" else None


class Acknowledgement(AuditedModel):
    """Evidence that a person read and accepted a version: immutable once written."""

    # Written only by its workflow, never added, changed or deleted by hand: not through the
    # admin, the API or an import (core.admin.WorkflowRecordAdmin; issue 16 #12).
    workflow_only = True

    person = models.ForeignKey(Person, on_delete=models.PROTECT,
                               related_name="acknowledgements", verbose_name=_("person"))
    version = models.ForeignKey(PolicyVersion, on_delete=models.PROTECT,
                                related_name="acknowledgements", verbose_name=_("version"))
    content_hash = models.CharField(_("content hash"), max_length=64)
    acknowledged_at = models.DateTimeField(_("acknowledged at"), default=timezone.now)
    session = models.CharField(_("session"), max_length=64, blank=True,
                               help_text=_("A hash of the session key, not the key itself."))
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("user agent"), max_length=300, blank=True)

    scope = AcknowledgementScope()

    class Meta:
        verbose_name = _("acknowledgement")
        verbose_name_plural = _("acknowledgements")
        ordering = ["-acknowledged_at"]
        constraints = [models.UniqueConstraint(fields=["person", "version"],
                                               name="one_acknowledgement_per_version")]
        # The list, newest first, on any page (ties broken by id in the same direction).
        indexes = [models.Index(fields=["acknowledged_at", "id"])]

    label_related = ("person", "version__document")  # what __str__ reads (core.conformance.listed)

    def __str__(self):
        return f"{self.person} — {self.version}"

    def get_absolute_url(self):
        return reverse("policies:acknowledgement_detail", args=[self.pk])

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValidationError(_("An acknowledgement is evidence and cannot be changed."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(_("An acknowledgement is evidence and cannot be deleted."))


class PolicyReview(AuditedModel):
    """A scheduled review of a document (Art 12): who, when, the outcome and why."""

    class Outcome(models.TextChoices):
        NO_CHANGE = "no_change", _("No change needed")
        REVISE = "revise", _("Revise")

    class Reason(models.TextChoices):
        BUSINESS = "business", _("Changes in the business")
        SOCIETY = "society", _("Changes in society")
        REGULATION = "regulation", _("Changes in laws and regulations")
        TECHNOLOGY = "technology", _("Changes in information technology")
        SCHEDULED = "scheduled", _("Scheduled review")

    document = models.ForeignKey(PolicyDocument, on_delete=models.CASCADE,
                                 related_name="reviews", verbose_name=_("document"))
    reviewer = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("reviewer"))
    reviewed_on = models.DateField(_("reviewed on"), default=timezone.localdate)
    outcome = models.CharField(_("outcome"), max_length=12, choices=Outcome.choices)
    reasons = models.JSONField(_("reasons"), default=list)
    notes = models.TextField(_("notes"), blank=True)
    next_review_date = models.DateField(_("next review date"))

    scope = DocumentScope(department_field="document__owner_department")

    class Meta:
        verbose_name = _("policy review")
        verbose_name_plural = _("policy reviews")
        ordering = ["-reviewed_on"]

    label_related = ("document",)  # what __str__ reads (core.conformance.listed)

    def __str__(self):
        return f"{self.document} — {self.reviewed_on}"

    def get_absolute_url(self):
        return reverse("policies:policyreview_detail", args=[self.pk])

    def clean(self):
        if not self.reasons:
            raise ValidationError({"reasons": _("Give at least one reason.")})
        unknown = set(self.reasons) - set(self.Reason.values)
        if unknown:
            raise ValidationError({"reasons": _("Unknown reason: %(r)s")
                                   % {"r": ", ".join(sorted(unknown))}})
        if self.next_review_date and self.reviewed_on and \
                self.next_review_date <= self.reviewed_on:
            raise ValidationError({"next_review_date": _(
                "The next review must be after this one.")})

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        # The review sets the document's next date (a logged update of the document).
        document = self.document
        if document.next_review_date != self.next_review_date:
            document.next_review_date = self.next_review_date
            document.save()


# Statuses read as coloured badges in lists and on detail pages (core.badges).
badges.register(PolicyVersion, "status", {"draft": "secondary", "in_review": "yellow",
                                          "approved": "blue", "published": "green",
                                          "superseded": "secondary"})
# A review that asks for a revision is work still owed; "no change" is a closed question.
badges.register(PolicyReview, "outcome", {"no_change": "green", "revise": "yellow"})
