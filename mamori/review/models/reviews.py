"""Management reviews (policy Art 12; ISO/IEC 27001 9.3).

A review is prepared (its date, chair, attendees, the feedback of interested parties and the
opportunities seen), then its input pack is frozen: review.pack assembles what the review
reads from Mamori's records into one immutable ReviewPack, hashed, which no later change to
those records alters. At the meeting the decisions are recorded; each decision raises an
improvement action in the improvement register in the same save. Recording the minutes
closes the review as held. The steps are in review.workflow.
"""

import hashlib
import json

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mamori.core.audit import AuditedModel, AuditedQuerySet
from mamori.core.scope import ALL, CHANGE, DELETE, VIEW, Scope
from mamori.org.models import Department, Person


def attending(person_id: int | None, prefix: str = "") -> Q | None:
    """The reviews (or their packs and decisions, through `prefix`) a person chairs or
    attends."""
    if person_id is None:
        return None
    attended = ManagementReview.attendees.through.objects.filter(
        person_id=person_id).values("managementreview_id")
    return Q(**{f"{prefix}chair": person_id}) | Q(**{f"{prefix}pk__in": attended})


class ReviewScope(Scope):
    """The CISO and administrators prepare and hold reviews; auditors read them; the chair
    and the attendees read the reviews they sit in. A held review is changed by nobody; only
    one still in preparation is deleted."""

    def admin(self, roles, action):
        if action == CHANGE:
            return ~Q(status=ManagementReview.Status.HELD)
        if action == DELETE:
            return Q(status=ManagementReview.Status.PREPARING)
        return ALL

    ciso = admin

    def information_manager(self, roles, action):
        return attending(roles.person_id) if action == VIEW else None

    staff = information_manager


class ManagementReview(AuditedModel):
    class Status(models.TextChoices):
        PREPARING = "preparing", _("In preparation")
        FROZEN = "frozen", _("Inputs frozen")
        HELD = "held", _("Held")

    # What the pack is made of: fixed once it is frozen.
    PACK_INPUTS = ("period_start", "feedback", "opportunities")

    code = models.CharField(_("number"), max_length=40, unique=True, blank=True,
                            help_text=_("Left empty, the next number of the year is given."))
    title = models.CharField(_("title"), max_length=200)
    held_on = models.DateField(_("meeting date"))
    chair = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+",
                              verbose_name=_("chair"),
                              help_text=_("An officer or executive officer."))
    attendees = models.ManyToManyField(Person, blank=True, related_name="+",
                                       verbose_name=_("attendees"))
    period_start = models.DateField(
        _("period reviewed from"), null=True, blank=True,
        help_text=_("Left empty: the day of the previous review, or one interval before "
                    "this one."))
    feedback = models.TextField(
        _("feedback from interested parties"), blank=True,
        help_text=_("Customers, regulators, contractors, staff: complaints, requests, "
                    "audit remarks."))
    opportunities = models.TextField(_("opportunities for improvement"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices,
                              default=Status.PREPARING, editable=False)
    frozen_at = models.DateTimeField(_("inputs frozen at"), null=True, blank=True,
                                     editable=False)
    frozen_by = models.ForeignKey(Person, on_delete=models.PROTECT, null=True, blank=True,
                                  editable=False, related_name="+",
                                  verbose_name=_("inputs frozen by"))
    minutes = models.TextField(_("minutes"), blank=True)
    closed_on = models.DateField(_("minutes recorded on"), null=True, blank=True,
                                 editable=False)

    objects = AuditedQuerySet.as_manager()
    scope = ReviewScope()

    class Meta:
        verbose_name = _("management review")
        verbose_name_plural = _("management reviews")
        ordering = ["-held_on", "-pk"]
        indexes = [models.Index(fields=["status", "held_on"])]

    def __str__(self):
        return f"{self.code} {self.title}"

    def get_absolute_url(self):
        return reverse("review:managementreview_detail", args=[self.pk])

    def save(self, *args, **kwargs):
        from mamori.improvement.models import next_year_code

        using = kwargs.get("using") or self._state.db or "default"
        with transaction.atomic(using=using):
            if not self.code:
                self.code = next_year_code(ManagementReview, "MR", using)
            if not self._state.adding:
                self.keep_frozen_inputs(using)
            super().save(*args, **kwargs)

    def keep_frozen_inputs(self, using: str) -> None:
        """Once the pack is frozen, what it was made of stays: every door (page, API,
        import, admin) writes through here."""
        stored = (ManagementReview._base_manager.using(using).select_for_update()
                  .filter(pk=self.pk).values("status", *self.PACK_INPUTS).first())
        if stored is None or stored["status"] == self.Status.PREPARING:
            return
        changed = [name for name in self.PACK_INPUTS if stored[name] != getattr(self, name)]
        if changed:
            raise ValidationError({name: _("The inputs were frozen into the review pack; "
                                           "they no longer change.") for name in changed})

    def effective_period_start(self):
        """The first day of the period reviewed (review.pack)."""
        if self.period_start:
            return self.period_start
        previous = (ManagementReview.objects.filter(held_on__lt=self.held_on)
                    .exclude(pk=self.pk).order_by("-held_on").values_list("held_on", flat=True)
                    .first())
        if previous:
            return previous
        from mamori.core.dates import add_months
        from mamori.review.models.measures import ReviewSettings

        return add_months(self.held_on, -ReviewSettings.current().interval_months)

    def clean(self):
        errors = {}
        if self.chair_id and self.chair.category not in (Person.Category.OFFICER,
                                                         Person.Category.EXECUTIVE_OFFICER):
            errors["chair"] = _("The chair is an officer or an executive officer.")
        if self.period_start and self.held_on and self.period_start >= self.held_on:
            errors["period_start"] = _("The period reviewed starts before the meeting.")
        if errors:
            raise ValidationError(errors)


class PackQuerySet(AuditedQuerySet):
    def update(self, **kwargs):
        raise ValidationError(_("A frozen review pack is never changed."))

    def delete(self):
        raise ValidationError(_("A frozen review pack is never deleted."))


class PackScope(Scope):
    """Written only when a review's inputs are frozen; read by whoever reads the review."""

    def admin(self, roles, action):
        return ALL if action == VIEW else None

    ciso = admin
    auditor = admin

    def information_manager(self, roles, action):
        return attending(roles.person_id, "review__") if action == VIEW else None

    staff = information_manager


def pack_digest(data: dict) -> str:
    """SHA-256 of the pack's canonical JSON (sorted keys, no spaces, UTF-8)."""
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


class ReviewPack(AuditedModel):
    """A review's inputs as they stood when they were frozen (review.pack). Immutable: saved
    once, never updated or deleted; its hash is in the change log with it."""

    workflow_only = True

    review = models.OneToOneField(ManagementReview, on_delete=models.PROTECT,
                                  related_name="pack", verbose_name=_("management review"))
    data = models.JSONField(_("inputs"), editable=False)
    sha256 = models.CharField(_("SHA-256"), max_length=64, editable=False)
    frozen_at = models.DateTimeField(_("frozen at"), default=timezone.now, editable=False)

    objects = PackQuerySet.as_manager()
    scope = PackScope()

    class Meta:
        verbose_name = _("review pack")
        verbose_name_plural = _("review packs")

    label_related = ("review",)

    def __str__(self):
        return str(_("Review pack of %(review)s") % {"review": self.review.code})

    def get_absolute_url(self):
        return reverse("review:managementreview_detail", args=[self.review_id])

    @property
    def intact(self) -> bool:
        return pack_digest(self.data) == self.sha256

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValidationError(_("A frozen review pack is never changed."))
        self.sha256 = pack_digest(self.data)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(_("A frozen review pack is never deleted."))


class DecisionScope(Scope):
    """Decisions are recorded by the CISO and administrators while the review's inputs are
    frozen and its minutes not yet recorded; they are read by whoever reads the review and by
    the person who owns the action a decision raised."""

    own_person_field = "owner"

    def admin(self, roles, action):
        if action == DELETE:
            # A decision is part of the minutes, and its action may be under way already:
            # it is corrected, never deleted.
            return None
        return ALL if action == VIEW else Q(review__status=ManagementReview.Status.FROZEN)

    ciso = admin

    def auditor(self, roles, action):
        return ALL if action == VIEW else None

    def information_manager(self, roles, action):
        if action != VIEW or roles.person_id is None:
            return None
        return attending(roles.person_id, "review__") | Q(owner=roles.person_id)

    staff = information_manager


class ReviewDecision(AuditedModel):
    class Kind(models.TextChoices):
        IMPROVEMENT = "improvement", _("Improvement of the ISMS")
        RESOURCES = "resources", _("Resources")
        OBJECTIVES = "objectives", _("Change to objectives")
        POLICY = "policy", _("Change to the policy or rules")
        RISK = "risk", _("Risk treatment")

    review = models.ForeignKey(ManagementReview, on_delete=models.PROTECT,
                               related_name="decisions", verbose_name=_("management review"))
    number = models.PositiveSmallIntegerField(_("number"), editable=False)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices,
                            default=Kind.IMPROVEMENT)
    decision = models.TextField(_("decision"))
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("department responsible"))
    owner = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+",
                              verbose_name=_("action owner"))
    due_on = models.DateField(_("due on"))
    action = models.OneToOneField("improvement.ImprovementAction", on_delete=models.PROTECT,
                                  null=True, blank=True, editable=False, related_name="+",
                                  verbose_name=_("improvement action"))

    objects = AuditedQuerySet.as_manager()
    scope = DecisionScope()

    class Meta:
        verbose_name = _("review decision")
        verbose_name_plural = _("review decisions")
        ordering = ["review", "number"]
        constraints = [models.UniqueConstraint(fields=["review", "number"],
                                               name="one_number_per_review_decision")]

    label_related = ("review",)

    def __str__(self):
        return f"{self.review.code}-{self.number} {self.title}"

    @property
    def title(self) -> str:
        first_line = (self.decision or "").strip().splitlines()[0:1]
        text = first_line[0] if first_line else ""
        return text if len(text) <= 120 else text[:119] + "…"

    def get_absolute_url(self):
        return reverse("review:reviewdecision_detail", args=[self.pk])

    def clean(self):
        errors = {}
        if self.review_id and self.review.status != ManagementReview.Status.FROZEN:
            errors["review"] = _("Decisions are recorded once the review's inputs are frozen "
                                 "and until its minutes are recorded.")
        if self.due_on and self.review_id and self.due_on < self.review.held_on:
            errors["due_on"] = _("The due date cannot be before the review.")
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs):
        """The decision and its improvement action are written together: a new decision
        raises the action, and a change of owner, department, due date or wording changes the
        action in the same transaction."""
        using = kwargs.get("using") or self._state.db or "default"
        with transaction.atomic(using=using):
            if self._state.adding and not self.number:
                # Locking the review serialises numbering under concurrent writers.
                ManagementReview._base_manager.using(using).select_for_update().filter(
                    pk=self.review_id).values_list("pk", flat=True).first()
                last = (ReviewDecision._base_manager.using(using)
                        .filter(review_id=self.review_id).aggregate(models.Max("number"))
                        ["number__max"])
                self.number = (last or 0) + 1
            self.action = self.derive_action(using)
            super().save(*args, **kwargs)

    def derive_action(self, using: str):
        from mamori.improvement import sources
        from mamori.improvement.models import ImprovementAction

        action = self.action if self.action_id else ImprovementAction(
            raised_on=min(timezone.localdate(), self.review.held_on))
        wanted = {"title": f"{self.review.code}-{self.number} {self.title}"[:200],
                  "description": self.decision, "department_id": self.department_id,
                  "owner_id": self.owner_id, "due_on": self.due_on,
                  "source_reference": self.review.code}
        if not action._state.adding and all(getattr(action, k) == v for k, v in wanted.items()):
            return action
        for name, value in wanted.items():
            setattr(action, name, value)
        if action._state.adding:
            sources.link(action, self.review)
        action.save(using=using)
        return action
