"""Controls (policy Art 5): the catalogue of measures, their evidence, the frameworks they
answer to and the Statement of Applicability.

Art 5 names four kinds of measure — organisational, people, physical and technological —
which are also the four themes of ISO/IEC 27001:2022 Annex A, so a control's theme is one
of them.
"""

import hashlib
import uuid
from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.db.models import F, OuterRef, Q, Value
from django.db.models.functions import Concat, Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mamori.core import badges
from mamori.core.audit import AuditedModel, AuditedQuerySet
from mamori.core.i18n import NamedInTwoLanguages, TitledInTwoLanguages, localized
from mamori.core.scope import CatalogueScope, Scope
from mamori.org.models import Department, Person


class Theme(models.TextChoices):
    ORGANISATIONAL = "organisational", _("Organisational")
    PEOPLE = "people", _("People")
    PHYSICAL = "physical", _("Physical")
    TECHNOLOGICAL = "technological", _("Technological")


class ControlScope(Scope):
    """Everyone may read the catalogue (it says what they must do); the information manager
    of the owning department keeps a control and its evidence."""

    department_field = "department"
    readers = ("staff",)


class ControlQuerySet(AuditedQuerySet):
    def implemented(self):
        return self.filter(status=Control.Status.IMPLEMENTED)


class Control(TitledInTwoLanguages, AuditedModel):
    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        PARTIAL = "partial", _("Partially implemented")
        IMPLEMENTED = "implemented", _("Implemented")
        RETIRED = "retired", _("Retired")

    class Frequency(models.TextChoices):
        CONTINUOUS = "continuous", _("Continuous")
        DAILY = "daily", _("Daily")
        WEEKLY = "weekly", _("Weekly")
        MONTHLY = "monthly", _("Monthly")
        QUARTERLY = "quarterly", _("Quarterly")
        HALF_YEARLY = "half_yearly", _("Every six months")
        YEARLY = "yearly", _("Yearly")
        ON_EVENT = "on_event", _("When an event occurs")

    code = models.CharField(_("code"), max_length=40, unique=True)
    title_ja = models.CharField(_("title (Japanese)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)
    theme = models.CharField(_("theme"), max_length=16, choices=Theme.choices)
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="controls",
        verbose_name=_("owning department"))
    owner = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="controls_owned",
        verbose_name=_("control owner"))
    status = models.CharField(_("implementation status"), max_length=12,
                              choices=Status.choices, default=Status.PLANNED)
    frequency = models.CharField(_("frequency of operation"), max_length=12,
                                 choices=Frequency.choices, default=Frequency.CONTINUOUS)

    objects = ControlQuerySet.as_manager()
    scope = ControlScope()

    class Meta:
        verbose_name = _("control")
        verbose_name_plural = _("controls")
        ordering = ["code"]
        indexes = [models.Index(fields=["status", "code"]), models.Index(fields=["theme", "code"])]

    def __str__(self):
        return f"{self.code} {self.title}"

    def get_absolute_url(self):
        return reverse("controls:control_detail", args=[self.pk])


def current_evidence_filter(on=None) -> Q:
    """Evidence that still counts on `on` (default today): no expiry, or expiring after it."""
    on = on or timezone.localdate()
    return Q(expires_on__isnull=True) | Q(expires_on__gt=on)


def current_evidence_of_outer_control(on=None):
    """The current evidence (see current_evidence_filter) of the control in the outer query,
    for `Exists(...)`."""
    return Evidence.objects.filter(current_evidence_filter(on), control=OuterRef("pk"))


# Evidence files: what auditors are usually given. Anything else (scripts, executables,
# HTML that a browser would run) is refused at upload.
EVIDENCE_EXTENSIONS = (".pdf", ".png", ".jpg", ".jpeg", ".gif", ".txt", ".csv", ".log", ".json",
                       ".xml", ".xlsx", ".docx", ".pptx", ".odt", ".ods", ".zip", ".eml", ".msg")
EVIDENCE_MAX_BYTES = 25 * 1024 * 1024


def upload_refusal(upload) -> str | None:
    """Why an uploaded evidence file is refused (its type or its size), or None."""
    if upload is None:
        return None
    if PurePath(upload.name).suffix.lower() not in EVIDENCE_EXTENSIONS:
        return _("Files of this type are not accepted; allowed: %(types)s") % {
            "types": " ".join(EVIDENCE_EXTENSIONS)}
    if upload.size > EVIDENCE_MAX_BYTES:
        return _("The file is larger than 25 MB.")
    return None


def digest_upload(file) -> tuple[str, int, str]:
    """An uploaded file's SHA-256, size and original name (kept with it: the stored name is
    random), read as it is stored, in the save that stores it."""
    digest = hashlib.sha256()
    for chunk in file.chunks():
        digest.update(chunk)
    return digest.hexdigest(), file.size, PurePath(file.name).name[:200]


def evidence_path(instance, filename):
    # The stored name is random: the original name is kept in a field and only sent back in
    # the download's Content-Disposition, so a name can never pick a path or collide.
    suffix = PurePath(filename).suffix.lower()
    return f"evidence/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{suffix}"


class HashedFile(models.Model):
    """A record that keeps one uploaded file by the evidence rules: an accepted type and size
    (upload_refusal), a random stored name (evidence_path), and the original name, size and
    SHA-256 read as it is stored. Evidence, audit working papers and contractors'
    certificates keep their files this way; each declares its own `file` field (where it is
    stored, whether it is required) and calls `file_errors()` from its clean()."""

    file_name = models.CharField(_("original file name"), max_length=200, blank=True,
                                 editable=False)
    file_size = models.PositiveBigIntegerField(_("file size"), null=True, blank=True,
                                               editable=False)
    file_sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True, editable=False)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        replaced = None
        # A new file replaces the stored one; a cleared file (the form's "clear" box) leaves
        # none, and its name, size and hash go with it rather than describe a missing file.
        cleared = not self.file and bool(self.file_name)
        if self.pk and (self.new_upload is not None or cleared):
            replaced = type(self).objects.filter(pk=self.pk).values_list(
                "file", flat=True).first()
        if self.new_upload is not None:
            self.file_sha256, self.file_size, self.file_name = digest_upload(self.file)
        elif cleared:
            self.file_sha256, self.file_size, self.file_name = "", None, ""
        super().save(*args, **kwargs)
        if replaced and replaced != self.file.name:
            remove_file_after_commit(self.file.storage, replaced)

    def delete(self, *args, **kwargs):
        name, storage = self.file.name, self.file.storage
        result = super().delete(*args, **kwargs)
        if name:
            remove_file_after_commit(storage, name)
        return result

    @property
    def new_upload(self):
        """The file just uploaded (not stored yet), if any."""
        return self.file if self.file and not self.file._committed else None

    def file_errors(self) -> dict:
        refused = upload_refusal(self.new_upload)
        return {"file": refused} if refused else {}


class EvidenceScope(ControlScope):
    """Evidence can hold internal detail (configuration, logs), so unlike the catalogue it is
    read only by the control's department, the CISO, administrators and auditors."""

    department_field = "control__department"
    readers = ()


class Evidence(HashedFile, AuditedModel):
    class Kind(models.TextChoices):
        FILE = "file", _("File")
        LINK = "link", _("Link")
        NOTE = "note", _("Note")

    control = models.ForeignKey(Control, on_delete=models.CASCADE, related_name="evidence",
                                verbose_name=_("control"))
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(_("file"), upload_to=evidence_path, blank=True, max_length=200)
    url = models.URLField(_("link"), blank=True, max_length=500)
    note = models.TextField(_("note"), blank=True)
    collected_on = models.DateField(_("collected on"), default=timezone.localdate)
    expires_on = models.DateField(
        _("expires on"), null=True, blank=True,
        help_text=_("After this day the evidence no longer shows the control works."))
    collected_by = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("collected by"))

    objects = AuditedQuerySet.as_manager()
    scope = EvidenceScope()

    class Meta:
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        ordering = ["-collected_on", "pk"]
        indexes = [models.Index(fields=["control", "expires_on"])]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("controls:evidence_detail", args=[self.pk])

    @property
    def is_current(self) -> bool:
        return self.expires_on is None or self.expires_on > timezone.localdate()

    def clean(self):
        errors = {}
        if self.kind == self.Kind.FILE and not self.file:
            errors["file"] = _("Choose the file to upload.")
        if self.kind == self.Kind.LINK and not self.url:
            errors["url"] = _("Give the address of the evidence.")
        if self.kind == self.Kind.NOTE and not self.note:
            errors["note"] = _("Write the note.")
        if self.expires_on and self.collected_on and self.expires_on <= self.collected_on:
            errors["expires_on"] = _("The expiry must be after the collection date.")
        errors = {**self.file_errors(), **errors}
        if errors:
            raise ValidationError(errors)


def remove_file_after_commit(storage, name: str) -> None:
    """Remove a stored evidence file once the deletion (or replacement) is committed; a
    rolled-back transaction keeps it. Its name, size and SHA-256 stay in the change log."""
    transaction.on_commit(lambda: storage.delete(name))


# URNs: the identifiers CISO Assistant's libraries give frameworks and requirements, by which
# a mapping between frameworks names its requirements. An imported library's are its own; the
# frameworks shipped with Mamori get these, derived from the framework's code and the
# requirement's reference (and kept in step when either changes). Stored in lower case and
# compared so, as CISO Assistant compares them.
BUILTIN_FRAMEWORK_URN_PREFIX = "urn:mamori:framework:"
BUILTIN_REQUIREMENT_URN_PREFIX = "urn:mamori:req:"
URN_MAX_LENGTH = 255


def builtin_framework_urn(code: str) -> str:
    return f"{BUILTIN_FRAMEWORK_URN_PREFIX}{code}".lower()


def builtin_requirement_urn(framework_code: str, ref: str) -> str:
    return f"{BUILTIN_REQUIREMENT_URN_PREFIX}{framework_code}:{ref}".lower()


def is_builtin_urn(urn: str) -> bool:
    """Whether `urn` is in the form Mamori derives for its shipped frameworks."""
    return urn.lower().startswith((BUILTIN_FRAMEWORK_URN_PREFIX, BUILTIN_REQUIREMENT_URN_PREFIX))


class Framework(NamedInTwoLanguages, AuditedModel):
    """A set of requirements: a law's guideline, a standard's control list, an OSCAL catalog,
    a framework of a CISO Assistant library."""

    class Source(models.TextChoices):
        BUILT_IN = "built_in", _("Shipped with Mamori")
        OSCAL = "oscal", _("Imported OSCAL catalog")
        LIBRARY = "library", _("Imported CISO Assistant library")
        CUSTOM = "custom", _("Entered by this organisation")

    code = models.SlugField(_("code"), max_length=64, unique=True)
    urn = models.CharField(
        _("URN"), max_length=URN_MAX_LENGTH, blank=True, default="", editable=False,
        help_text=_("The identifier a library gives the framework; empty for a framework "
                    "entered by hand."))
    name_ja = models.CharField(_("name (Japanese)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    version = models.CharField(_("version"), max_length=40, blank=True)
    publisher = models.CharField(_("publisher"), max_length=200, blank=True)
    source = models.CharField(_("source"), max_length=10, choices=Source.choices,
                              default=Source.CUSTOM)
    licence_note = models.TextField(_("licence note"), blank=True)
    in_soa = models.BooleanField(
        _("in the Statement of Applicability"), default=False,
        help_text=_("Whether this framework's requirements are decided applicable or not."))

    objects = AuditedQuerySet.as_manager()
    scope = CatalogueScope()

    class Meta:
        verbose_name = _("framework")
        verbose_name_plural = _("frameworks")
        ordering = ["code"]
        constraints = [models.UniqueConstraint(fields=["urn"], condition=~Q(urn=""),
                                               name="framework_urn_unique_when_set")]

    def get_absolute_url(self):
        return reverse("controls:framework_detail", args=[self.pk])

    def save(self, *args, **kwargs):
        old_code = None
        if self.pk:
            old_code = Framework.objects.filter(pk=self.pk).values_list("code", flat=True).first()
        renamed = old_code is not None and old_code != self.code
        self.urn = self.urn.lower()
        if renamed and self.urn == builtin_framework_urn(old_code):
            self.urn = builtin_framework_urn(self.code)
            update_fields = kwargs.get("update_fields")
            if update_fields is not None:
                kwargs["update_fields"] = [*dict.fromkeys([*update_fields, "urn"])]
        super().save(*args, **kwargs)
        if renamed:
            # Requirement identifiers carry the framework code (the key of imported files),
            # and so do the URNs of a shipped framework's requirements.
            self.requirements.update(uid=Concat(Value(requirement_uid(self.code, "")), F("ref")))
            self.requirements.filter(
                urn__startswith=builtin_requirement_urn(old_code, "")).update(
                urn=Concat(Value(builtin_requirement_urn(self.code, "")), Lower("ref")))


def requirement_uid(framework_code: str, ref: str) -> str:
    """A requirement's identifier across frameworks (the key of imported files)."""
    return f"{framework_code}:{ref}"


class Requirement(TitledInTwoLanguages, AuditedModel):
    """One requirement (or a group of them) in a framework, the controls that meet it and
    its line in the Statement of Applicability."""

    framework = models.ForeignKey(Framework, on_delete=models.CASCADE,
                                  related_name="requirements", verbose_name=_("framework"))
    uid = models.CharField(
        _("identifier"), max_length=140, unique=True, editable=False,
        help_text=_("The framework's code and the reference, e.g. iso27001-2022:5.1."))
    urn = models.CharField(
        _("URN"), max_length=URN_MAX_LENGTH, blank=True, default="", editable=False,
        help_text=_("The identifier a library gives the requirement, by which mappings "
                    "between frameworks name it; empty for a requirement entered by hand."))
    ref = models.CharField(_("reference"), max_length=64)
    parent = models.ForeignKey("self", on_delete=models.CASCADE, null=True, blank=True,
                               related_name="children", verbose_name=_("part of"))
    sort_key = models.PositiveIntegerField(_("order"), default=0, blank=True)
    title_ja = models.CharField(_("title (Japanese)"), max_length=300, blank=True)
    title_en = models.CharField(_("title (English)"), max_length=300, blank=True)
    description = models.TextField(
        _("text"), blank=True,
        help_text=_("Mamori's own descriptor, or the licensed text your organisation imported."))
    theme = models.CharField(_("theme"), max_length=16, choices=Theme.choices, blank=True)
    is_group = models.BooleanField(_("group heading"), default=False)
    controls = models.ManyToManyField(Control, blank=True, related_name="requirements",
                                      verbose_name=_("controls"))
    applicable = models.BooleanField(_("applicable"), null=True, blank=True,
                                     help_text=_("Empty until decided."))
    justification = models.TextField(
        _("justification"), blank=True,
        help_text=_("Why the requirement applies, or why it is excluded."))

    objects = AuditedQuerySet.as_manager()
    scope = CatalogueScope()

    class Meta:
        verbose_name = _("requirement")
        verbose_name_plural = _("requirements")
        ordering = ["framework", "sort_key", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "ref"],
                                    name="requirement_ref_unique_in_framework"),
            models.UniqueConstraint(fields=["urn"], condition=~Q(urn=""),
                                    name="requirement_urn_unique_when_set"),
        ]

    def __str__(self):
        return f"{self.ref} {self.title}".strip()

    def get_absolute_url(self):
        return reverse("controls:requirement_detail", args=[self.pk])

    def clean(self):
        errors = {}
        if self.parent_id and self.framework_id and self.parent.framework_id != self.framework_id:
            errors["parent"] = _("The parent must be in the same framework.")
        if self.applicable is False and not self.justification.strip():
            errors["justification"] = _("Say why the requirement is excluded.")
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs):
        if self.framework_id:
            self.uid = requirement_uid(self.framework.code, self.ref)
            # A shipped framework's requirement keeps the URN of its code and reference.
            if self.urn.lower().startswith(BUILTIN_REQUIREMENT_URN_PREFIX):
                self.urn = builtin_requirement_urn(self.framework.code, self.ref)
        self.urn = self.urn.lower()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and {"ref", "framework"} & set(update_fields):
            kwargs["update_fields"] = [*dict.fromkeys([*update_fields, "uid", "urn"])]
        super().save(*args, **kwargs)


class RequirementMapping(AuditedModel):
    """How a requirement of one framework relates to a requirement of another (CISO
    Assistant's requirement mappings): what is decided or done for one informs the other.
    Read from `source`'s side: `subset` means the source asks less than the target."""

    class Relationship(models.TextChoices):
        EQUAL = "equal", _("Equal")
        SUBSET = "subset", _("Subset")
        SUPERSET = "superset", _("Superset")
        INTERSECT = "intersect", _("Intersecting")
        NOT_RELATED = "not_related", _("Not related")

    class Rationale(models.TextChoices):
        SYNTACTIC = "syntactic", _("Syntactic")
        SEMANTIC = "semantic", _("Semantic")
        FUNCTIONAL = "functional", _("Functional")

    # The relationship read from the target's side.
    CONVERSE = {"subset": "superset", "superset": "subset"}

    source = models.ForeignKey(Requirement, on_delete=models.CASCADE,
                               related_name="mappings_from",
                               verbose_name=_("source requirement"))
    target = models.ForeignKey(Requirement, on_delete=models.CASCADE,
                               related_name="mappings_to",
                               verbose_name=_("target requirement"))
    relationship = models.CharField(
        _("relationship"), max_length=12, choices=Relationship.choices,
        help_text=_("Read from the source: a subset asks less than the target, a superset "
                    "more, intersecting requirements overlap in part."))
    strength = models.PositiveSmallIntegerField(
        _("strength of the relationship"), null=True, blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(10)],
        help_text=_("From 1 (weak) to 10 (strong); empty if not rated."))
    rationale = models.CharField(_("rationale"), max_length=12, choices=Rationale.choices,
                                 blank=True)
    annotation = models.TextField(_("annotation"), blank=True)
    mapping_set = models.CharField(
        _("mapping set"), max_length=URN_MAX_LENGTH, blank=True, default="", editable=False,
        help_text=_("The URN of the library's mapping set this mapping came from; empty for "
                    "a mapping entered by hand. Importing the set again updates it."))
    # The set's name in Japanese (or its only name) and in English, from the library's
    # `name` and `translations`.
    mapping_set_name = models.CharField(_("mapping set name"), max_length=300, blank=True,
                                        default="", editable=False)
    mapping_set_name_en = models.CharField(_("mapping set name (English)"), max_length=300,
                                           blank=True, default="", editable=False)

    objects = AuditedQuerySet.as_manager()
    scope = CatalogueScope()
    label_related = ("source", "target")  # what __str__ reads (core.conformance.listed)

    class Meta:
        verbose_name = _("requirement mapping")
        verbose_name_plural = _("requirement mappings")
        ordering = ["source_id", "target_id"]
        constraints = [models.UniqueConstraint(fields=["source", "target"],
                                               name="requirement_mapping_unique_pair")]
        indexes = [models.Index(fields=["mapping_set"], name="requirement_mapping_set")]

    def __str__(self):
        return f"{self.source.uid} → {self.target.uid}"

    @property
    def mapping_set_title(self) -> str:
        return localized(self.mapping_set_name, self.mapping_set_name_en)

    def get_absolute_url(self):
        return reverse("controls:requirementmapping_detail", args=[self.pk])

    def clean(self):
        if self.source_id and self.source_id == self.target_id:
            raise ValidationError({"target": _("A requirement is not mapped to itself.")})

    def relationship_from(self, requirement) -> str:
        """The relationship as read from `requirement`'s side (the source's or the
        target's): the target of a subset is its superset."""
        if requirement.pk == self.target_id and requirement.pk != self.source_id:
            return self.CONVERSE.get(self.relationship, self.relationship)
        return self.relationship


# Statuses read as coloured badges in lists and on detail pages (core.badges).
badges.register(Control, "status", {"planned": "secondary", "partial": "yellow",
                                    "implemented": "green", "retired": "secondary"})
