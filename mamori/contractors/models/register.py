"""Outsourcing contractors (policy Art 9): the register of those the company entrusts with
information, the tier each is given from what it is entrusted with (rules kept as data), and
the catalogue of security requirements the company compares itself and them against.

Art 9 asks that a contractor's security level be equal to or higher than the company's own:
the catalogue's requirements link to the company's own controls, so the company's level per
requirement is computed (mamori.contractors.levels), never typed in.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mamori.contractors.corporate_number import normalise, validate_corporate_number
from mamori.core import badges
from mamori.core.audit import AuditedModel, AuditedQuerySet
from mamori.core.i18n import NamedInTwoLanguages, TitledInTwoLanguages
from mamori.core.memo import remembered
from mamori.core.scope import CatalogueScope, KeptOnceDecided, Scope
from mamori.org.models import Department, Person

HOME_COUNTRY = "JP"

# The scale both sides of the comparison are placed on (mamori.contractors.levels): the
# company's level is computed from its controls, the contractor answers on the same scale.
LEVEL_CHOICES = [
    (0, _("Not in place")),
    (1, _("Partly in place")),
    (2, _("In place")),
    (3, _("In place, with current evidence")),
]


class Tier(models.IntegerChoices):
    """How much a contractor is trusted with: the higher, the more is asked and the more often
    it is reviewed. Stored as a number so that "the highest matching rule" is a maximum."""

    LOW = 1, _("Low")
    MEDIUM = 2, _("Medium")
    HIGH = 3, _("High")


class CorporateNumberField(models.CharField):
    """法人番号, taken as typed (full-width digits, hyphens) and stored as 13 ASCII digits."""

    def to_python(self, value):
        value = super().to_python(value)
        return normalise(value) if value else value

    def formfield(self, **kwargs):
        # Typed with hyphens it is longer than 13: the form takes it and the model's own
        # validators judge it once normalised.
        return super().formfield(**{"form_class": CorporateNumberFormField, **kwargs})


class CorporateNumberFormField(forms.CharField):
    def __init__(self, *, max_length=None, **kwargs):
        super().__init__(**kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        return normalise(value) if value else value


class CountryCodeField(models.CharField):
    """An ISO 3166 two-letter country code, taken in either case and stored in capitals."""

    default_validators = [RegexValidator(r"^[A-Z]{2}\Z", _(
        "Give the two-letter country code, e.g. JP or VN."))]

    def to_python(self, value):
        value = super().to_python(value)
        return value.strip().upper() if value else value


def validate_appi_refs(value: str) -> None:
    from mamori.contractors.appi import unknown_refs

    unknown = unknown_refs(split_refs(value))
    if unknown:
        raise ValidationError(_("Not in the APPI safety-measure framework: %(refs)s")
                              % {"refs": ", ".join(unknown)})


def split_refs(value: str) -> list[str]:
    return [ref for ref in value.replace(",", " ").split() if ref]


class TierRule(NamedInTwoLanguages, AuditedModel):
    """One rule of the tiering: a contractor entrusted with everything the rule names gets
    the rule's tier. A contractor's tier is the highest tier of the rules it meets, or low."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_ja = models.CharField(_("name (Japanese)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    tier = models.PositiveSmallIntegerField(_("tier given"), choices=Tier.choices)
    needs_personal_data = models.BooleanField(
        _("when entrusted with personal information"), default=False)
    min_persons = models.PositiveIntegerField(
        _("when it concerns at least this many persons"), null=True, blank=True,
        help_text=_("Empty: any number."))
    needs_sensitive = models.BooleanField(
        _("when entrusted with sensitive personal information"), default=False)
    needs_card_data = models.BooleanField(_("when entrusted with card data"), default=False)
    needs_system_access = models.BooleanField(
        _("when it has access to the company's systems"), default=False)
    needs_foreign = models.BooleanField(_("when it processes outside Japan"), default=False)

    objects = AuditedQuerySet.as_manager()
    scope = CatalogueScope()

    class Meta:
        verbose_name = _("tier rule")
        verbose_name_plural = _("tier rules")
        ordering = ["-tier", "code"]

    def get_absolute_url(self):
        return reverse("contractors:tierrule_detail", args=[self.pk])

    def clean(self):
        if not self.condition_names():
            raise ValidationError(_("Name at least one condition; a contractor that meets "
                                    "none of the rules is low tier anyway."))

    def condition_names(self) -> list[str]:
        return [name for name in CONDITIONS if getattr(self, name)]

    def condition(self) -> Q:
        """The contractors this rule matches, as a database condition."""
        q = Q()
        if self.needs_personal_data:
            q &= Q(personal_data=True)
        if self.min_persons:
            q &= Q(persons__gte=self.min_persons)
        if self.needs_sensitive:
            q &= Q(sensitive_data=True)
        if self.needs_card_data:
            q &= Q(card_data=True)
        if self.needs_system_access:
            q &= Q(system_access=True)
        if self.needs_foreign:
            q &= ~Q(country=HOME_COUNTRY)
        return q

    def matches(self, contractor: "Contractor") -> bool:
        """The same condition read from a contractor in memory (before it is saved)."""
        return all((
            not self.needs_personal_data or contractor.personal_data,
            not self.min_persons or (contractor.persons or 0) >= self.min_persons,
            not self.needs_sensitive or contractor.sensitive_data,
            not self.needs_card_data or contractor.card_data,
            not self.needs_system_access or contractor.system_access,
            not self.needs_foreign or contractor.is_foreign,
        ))

    def save(self, *args, **kwargs):
        with transaction.atomic():
            super().save(*args, **kwargs)
            retier_contractors()

    def delete(self, *args, **kwargs):
        with transaction.atomic():
            result = super().delete(*args, **kwargs)
            retier_contractors()
        return result


CONDITIONS = ("needs_personal_data", "min_persons", "needs_sensitive", "needs_card_data",
              "needs_system_access", "needs_foreign")


def tier_rules() -> list[TierRule]:
    # Read once per import (core.memo); a saved rule is read again.
    return remembered(TierRule, "all", lambda: list(TierRule.objects.all()))


def retier_contractors() -> int:
    """Bring every contractor's stored tier in line with the rules, in the transaction that
    changed them: one logged UPDATE per tier, touching only the contractors whose tier
    changes (the highest tier first, so a contractor meeting several rules gets the
    highest)."""
    rules = list(TierRule.objects.all())
    changed = 0
    higher = Q(pk__in=[])  # matched by a rule of a higher tier
    for tier in (Tier.HIGH, Tier.MEDIUM):
        matching = Q(pk__in=[])
        for rule in rules:
            if rule.tier == tier:
                matching |= rule.condition()
        band = Contractor.objects.filter(matching).exclude(higher)
        changed += band.exclude(tier=tier).update(tier=tier)
        higher |= matching
    changed += Contractor.objects.exclude(higher).exclude(tier=Tier.LOW).update(tier=Tier.LOW)
    return changed


class ContractorScope(Scope):
    """Art 3 and 9: the information manager of the department that entrusts the work keeps
    the contractor's record; the CISO sees and decides on all of them."""

    department_field = "department"


class Contractor(NamedInTwoLanguages, AuditedModel):
    """An outsourcing contractor (業務委託先) the company entrusts with information."""

    SEARCHED = ("code", "name_ja", "name_en", "corporate_number")

    class Status(models.TextChoices):
        CANDIDATE = "candidate", _("Being selected")
        ACTIVE = "active", _("Active")
        SUSPENDED = "suspended", _("Suspended")
        ENDED = "ended", _("Relationship ended")

    code = models.CharField(_("code"), max_length=40, unique=True)
    name_ja = models.CharField(_("legal name (Japanese)"), max_length=200)
    name_en = models.CharField(_("legal name (English)"), max_length=200, blank=True)
    corporate_number = CorporateNumberField(
        _("corporate number"), max_length=13, blank=True,
        validators=[validate_corporate_number],
        help_text=_("法人番号: 13 digits (a company registered in Japan). Empty for a company "
                    "registered abroad."))
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="contractors",
        verbose_name=_("owning department"),
        help_text=_("The department that entrusts the work; its information manager "
                    "supervises the contractor."))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices,
                              default=Status.CANDIDATE)
    services = models.TextField(_("services provided"), blank=True)
    contact_name = models.CharField(_("contact person"), max_length=200, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    contact_phone = models.CharField(_("contact telephone"), max_length=40, blank=True)
    personal_data = models.BooleanField(_("entrusted with personal information"),
                                        default=False)
    personal_data_categories = models.TextField(
        _("categories of personal information"), blank=True,
        help_text=_("e.g. names and addresses of card members, call recordings."))
    persons = models.PositiveIntegerField(
        _("persons concerned (approx.)"), null=True, blank=True,
        help_text=_("About how many people's personal information the contractor handles."))
    sensitive_data = models.BooleanField(
        _("entrusted with sensitive personal information"), default=False,
        help_text=_("要配慮個人情報: e.g. medical history, criminal record, creed."))
    card_data = models.BooleanField(_("entrusted with card data"), default=False,
                                    help_text=_("Card numbers or other cardholder data."))
    system_access = models.BooleanField(_("has access to the company's systems"),
                                        default=False)
    country = CountryCodeField(
        _("country of processing"), max_length=2, default=HOME_COUNTRY,
        help_text=_("ISO 3166 two-letter code, e.g. JP, VN, US."))
    foreign_regime = models.TextField(
        _("the country's personal-data regime"), blank=True,
        help_text=_("APPI Art 28: what the law of the country of processing provides for "
                    "protecting personal information."))
    foreign_measures = models.TextField(
        _("measures taken for the foreign transfer"), blank=True,
        help_text=_("APPI Art 28: the contract terms and other measures that make the "
                    "contractor protect the data as Japanese law requires."))
    tier = models.PositiveSmallIntegerField(
        _("tier"), choices=Tier.choices, default=Tier.LOW, editable=False,
        help_text=_("Derived from what the contractor is entrusted with by the tier rules."))

    objects = AuditedQuerySet.as_manager()
    scope = ContractorScope()

    class Meta:
        verbose_name = _("outsourcing contractor")
        verbose_name_plural = _("outsourcing contractors")
        ordering = ["code"]
        constraints = [models.UniqueConstraint(
            fields=["corporate_number"], condition=~Q(corporate_number=""),
            name="contractor_corporate_number_unique",
            # "unique" puts the refusal on the field (Model.validate_constraints); it says no
            # more than core.uniqueness.IN_USE would about a holder the user may not see.
            violation_error_code="unique",
            violation_error_message=_("Another contractor has this corporate number."))]
        indexes = [
            models.Index(fields=["department", "code"]),
            models.Index(fields=["status", "code"]),
            models.Index(fields=["tier", "code"]),
            models.Index(fields=["name_ja", "code"]),
        ]

    def __str__(self):
        return f"{self.code} {self.name}"

    def get_absolute_url(self):
        return reverse("contractors:contractor_detail", args=[self.pk])

    @property
    def is_foreign(self) -> bool:
        return bool(self.country) and self.country != HOME_COUNTRY

    def matching_rules(self) -> list[TierRule]:
        return [rule for rule in tier_rules() if rule.matches(self)]

    def clean(self):
        errors = {}
        entrusted = self.personal_data or self.sensitive_data or self.card_data
        if self.sensitive_data and not self.personal_data:
            errors["personal_data"] = _("Sensitive personal information is personal "
                                        "information.")
        if self.persons and not self.personal_data:
            errors["personal_data"] = _("A contractor handling persons' data is entrusted with "
                                        "personal information.")
        if self.is_foreign and entrusted:
            # APPI Art 28 (and the PPC rules' Art 18): a transfer abroad needs both recorded.
            for name in ("foreign_regime", "foreign_measures"):
                if not getattr(self, name).strip():
                    errors[name] = _("Required when personal information is processed outside "
                                     "Japan (APPI Art 28).")
        if errors:
            raise ValidationError(errors)

    # An import writes contractors in bulk (core.audit.save_in_bulk): save() below only
    # derives the tier. Anything else it ever does must keep this False.
    bulk_writable = True

    def save(self, *args, **kwargs):
        self.derive_fields()
        super().save(*args, **kwargs)

    def derive_fields(self):
        self.tier = max((rule.tier for rule in self.matching_rules()), default=Tier.LOW)


class RequirementScope(CatalogueScope):
    """The catalogue says what is asked of every contractor: everyone reads it, the CISO and
    administrators keep it."""


class ScreeningRequirement(TitledInTwoLanguages, AuditedModel):
    """One security requirement the company asks of its contractors, and meets itself through
    the controls linked to it."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    title_ja = models.CharField(_("title (Japanese)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    question_ja = models.TextField(_("question to the contractor (Japanese)"), blank=True)
    question_en = models.TextField(_("question to the contractor (English)"), blank=True)
    min_tier = models.PositiveSmallIntegerField(
        _("asked from tier"), choices=Tier.choices, default=Tier.LOW,
        help_text=_("Asked of contractors of this tier and above."))
    sort_key = models.PositiveIntegerField(_("order"), default=0, blank=True)
    controls = models.ManyToManyField(
        "controls.Control", blank=True, related_name="screening_requirements",
        verbose_name=_("our controls"),
        help_text=_("The company's own controls that meet this requirement: its own level is "
                    "computed from them."))
    appi_refs = models.CharField(
        _("APPI safety-measure references"), max_length=200, blank=True,
        validators=[validate_appi_refs],
        help_text=_("References in the shipped APPI safety-measure framework, e.g. 10-6-1, "
                    "separated by spaces or commas."))

    objects = AuditedQuerySet.as_manager()
    scope = RequirementScope()

    class Meta:
        verbose_name = _("screening requirement")
        verbose_name_plural = _("screening requirements")
        ordering = ["sort_key", "code"]

    def __str__(self):
        return f"{self.code} {self.title}"

    def get_absolute_url(self):
        return reverse("contractors:screeningrequirement_detail", args=[self.pk])

    def appi_ref_list(self) -> list[str]:
        return split_refs(self.appi_refs)


badges.register(Contractor, "status", {"candidate": "blue", "active": "green",
                                       "suspended": "yellow", "ended": "secondary"})
badges.register(Contractor, "tier", {Tier.HIGH: "red", Tier.MEDIUM: "yellow",
                                     Tier.LOW: "green"})


class ScreeningScope(KeptOnceDecided):
    """A contractor's screenings are kept by whoever keeps the contractor (its department's
    information manager) and decided on by the CISO."""

    department_field = "contractor__department"
    kept_statuses = ("assessed",)  # Screening.Status.ASSESSED


class Screening(AuditedModel):
    """One screening of a contractor against the requirement catalogue: at selection, or at
    a periodic review. Its questions are the requirements asked of the contractor's tier when
    the screening was opened; its verdict is derived when the CISO assesses it."""

    class Kind(models.TextChoices):
        SELECTION = "selection", _("Selection")
        PERIODIC = "periodic", _("Periodic review")

    class Status(models.TextChoices):
        OPEN = "open", _("Waiting for answers")
        ANSWERED = "answered", _("Answered")
        ASSESSED = "assessed", _("Assessed")

    class Verdict(models.TextChoices):
        EQUAL_OR_HIGHER = "equal_or_higher", _("Equal or higher")
        GAPS_ACCEPTED = "gaps_accepted", _("Gaps accepted")
        NOT_ACCEPTABLE = "not_acceptable", _("Not acceptable")

    contractor = models.ForeignKey(Contractor, on_delete=models.PROTECT,
                                   related_name="screenings", verbose_name=_("contractor"))
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices,
                            default=Kind.SELECTION)
    tier = models.PositiveSmallIntegerField(
        _("tier screened"), choices=Tier.choices, editable=False,
        help_text=_("The contractor's tier when the screening was opened: it decided the "
                    "questions."))
    requested_on = models.DateField(_("requested on"), default=timezone.localdate)
    due_on = models.DateField(_("answers due on"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices,
                              default=Status.OPEN, editable=False)
    answered_on = models.DateField(_("answered on"), null=True, blank=True, editable=False)
    assessed_on = models.DateField(_("assessed on"), null=True, blank=True, editable=False)
    assessed_by = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, editable=False,
        related_name="screenings_assessed", verbose_name=_("assessed by"))
    verdict = models.CharField(_("verdict"), max_length=16, choices=Verdict.choices,
                               blank=True, editable=False)
    verdict_until = models.DateField(
        _("verdict holds until"), null=True, blank=True, editable=False,
        help_text=_("With gaps accepted: the day the first acceptance expires."))
    note = models.TextField(_("note"), blank=True)

    objects = AuditedQuerySet.as_manager()
    scope = ScreeningScope()
    label_related = ("contractor",)  # what __str__ reads (core.conformance.listed)

    class Meta:
        verbose_name = _("screening")
        verbose_name_plural = _("screenings")
        ordering = ["-requested_on", "-pk"]
        indexes = [models.Index(fields=["contractor", "requested_on"]),
                   models.Index(fields=["status", "requested_on"])]

    def __str__(self):
        return f"{self.contractor.code} {self.get_kind_display()} {self.requested_on}"

    def get_absolute_url(self):
        return reverse("contractors:screening_detail", args=[self.pk])

    def clean(self):
        if self.due_on and self.requested_on and self.due_on < self.requested_on:
            raise ValidationError({"due_on": _("The answers cannot be due before the "
                                               "screening is requested.")})
        if self.pk is None and self.contractor_id and self.contractor.status == \
                Contractor.Status.ENDED:
            raise ValidationError({"contractor": _("The relationship with this contractor "
                                                   "has ended.")})

    def save(self, *args, **kwargs):
        with transaction.atomic():
            adding = self._state.adding
            if adding:
                self.tier = self.contractor.tier
            super().save(*args, **kwargs)
            if adding:
                # The questions: the requirements asked of this tier, as the catalogue is now.
                ScreeningAnswer.objects.bulk_create(
                    ScreeningAnswer(screening=self, requirement=requirement)
                    for requirement in ScreeningRequirement.objects.filter(
                        min_tier__lte=self.tier).order_by("sort_key", "code"))


    def follow_answers(self) -> None:
        """Answered once every question has an answer, open again when one is cleared
        (before the assessment): kept in the transaction that saves an answer."""
        if self.status == Screening.Status.ASSESSED:
            return
        complete = not self.answers.filter(their_level__isnull=True).exists()
        status = Screening.Status.ANSWERED if complete else Screening.Status.OPEN
        if status != self.status:
            self.status = status
            self.answered_on = timezone.localdate() if complete else None
            self.save(update_fields=["status", "answered_on"])


class AnswerScope(KeptOnceDecided):
    department_field = "screening__contractor__department"
    status_field = "screening__status"
    kept_statuses = ("assessed",)


class ScreeningAnswer(AuditedModel):
    """The contractor's answer to one requirement, beside the company's own level (frozen when
    the screening is assessed) and, for a gap, the CISO's acceptance."""

    screening = models.ForeignKey(Screening, on_delete=models.CASCADE, related_name="answers",
                                  verbose_name=_("screening"))
    requirement = models.ForeignKey(ScreeningRequirement, on_delete=models.PROTECT,
                                    related_name="answers", verbose_name=_("requirement"))
    their_level = models.PositiveSmallIntegerField(
        _("their level"), null=True, blank=True, choices=LEVEL_CHOICES,
        help_text=_("The contractor's answer on the same scale as our own level."))
    their_comment = models.TextField(_("their explanation"), blank=True)
    our_level = models.PositiveSmallIntegerField(
        _("our level"), null=True, blank=True, choices=LEVEL_CHOICES, editable=False,
        help_text=_("Frozen when the screening is assessed; computed from our controls "
                    "until then."))
    accepted_on = models.DateField(_("gap accepted on"), null=True, blank=True,
                                   editable=False)
    accepted_by = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, editable=False,
        related_name="gaps_accepted", verbose_name=_("gap accepted by"))
    acceptance_condition = models.TextField(_("condition of acceptance"), blank=True,
                                            editable=False)
    acceptance_expires_on = models.DateField(_("acceptance expires on"), null=True,
                                             blank=True, editable=False)

    objects = AuditedQuerySet.as_manager()
    scope = AnswerScope()
    # What __str__ reads (core.conformance.listed).
    label_related = ("screening__contractor", "requirement")

    class Meta:
        verbose_name = _("screening answer")
        verbose_name_plural = _("screening answers")
        ordering = ["screening", "requirement__sort_key", "requirement__code"]
        constraints = [models.UniqueConstraint(fields=["screening", "requirement"],
                                               name="one_answer_per_requirement")]
        # The list of all answers (hundreds of thousands at 5,000 contractors) is sorted and
        # filtered by these; the comparison page reads by the constraint's (screening, …).
        indexes = [models.Index(fields=["screening", "id"]),
                   models.Index(fields=["requirement", "id"]),
                   models.Index(fields=["their_level", "id"]),
                   models.Index(fields=["our_level", "id"]),
                   models.Index(fields=["acceptance_expires_on", "id"])]

    def __str__(self):
        return f"{self.screening} — {self.requirement.code}"

    def get_absolute_url(self):
        return reverse("contractors:screeninganswer_detail", args=[self.pk])

    def clean(self):
        if self.screening_id and self.screening.status == Screening.Status.ASSESSED:
            raise ValidationError(_("The screening has been assessed: its answers are kept "
                                    "as they were. Open a new screening to record new ones."))

    def save(self, *args, **kwargs):
        with transaction.atomic():
            super().save(*args, **kwargs)
            self.screening.follow_answers()

    @property
    def acceptance_in_force(self) -> bool:
        return bool(self.accepted_on) and (
            self.acceptance_expires_on is None
            or self.acceptance_expires_on >= timezone.localdate())


badges.register(Screening, "status", {"open": "blue", "answered": "yellow",
                                      "assessed": "green"})
badges.register(Screening, "verdict", {"equal_or_higher": "green", "gaps_accepted": "yellow",
                                       "not_acceptable": "red"})


class PortalLinkScope(Scope):
    department_field = "screening__contractor__department"


class PortalLink(AuditedModel):
    """A link that lets one contractor answer one screening without an account. Only the
    SHA-256 of its random token is stored: the link itself is shown once, to whoever issues
    it, and cannot be read back from the database. It expires and can be revoked."""

    workflow_only = True  # issued and revoked by their steps (mamori.contractors.portal)

    screening = models.ForeignKey(Screening, on_delete=models.CASCADE,
                                  related_name="portal_links", verbose_name=_("screening"))
    token_hash = models.CharField(_("token digest"), max_length=64, unique=True,
                                  editable=False)
    issued_at = models.DateTimeField(_("issued at"), default=timezone.now, editable=False)
    issued_by = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, editable=False,
        related_name="portal_links_issued", verbose_name=_("issued by"))
    expires_at = models.DateTimeField(_("expires at"), editable=False)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True, editable=False)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True,
                                        editable=False)

    objects = AuditedQuerySet.as_manager()
    scope = PortalLinkScope()
    label_related = ("screening__contractor",)  # what __str__ reads

    class Meta:
        verbose_name = _("portal link")
        verbose_name_plural = _("portal links")
        ordering = ["-issued_at", "-pk"]

    def __str__(self):
        return f"{self.screening} — {_('portal link')} {self.pk}"

    def get_absolute_url(self):
        return reverse("contractors:portallink_detail", args=[self.pk])

    @property
    def state(self) -> str:
        if self.revoked_at:
            return "revoked"
        return "expired" if self.expires_at <= timezone.now() else "valid"
