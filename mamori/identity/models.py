"""Who may provision people from outside (SCIM clients), and each person as the identity
provider knows them (their SCIM identity).

The people register (org.Person) stays the record of who works here; a SCIM identity is the
link the identity provider holds to one person, with the attributes it sent as it sent them,
so that what it reads back is what it wrote. The person's own fields are derived from those
attributes in the same transaction (identity.scim.users.apply)."""

import hashlib
import secrets
import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mamori.core.audit import AuditedModel, AuditedQuerySet
from mamori.core.scope import AdminOnlyScope, Scope
from mamori.org.models import Person


class ScimClientQuerySet(AuditedQuerySet):
    def usable(self):
        return self.filter(revoked_at__isnull=True)


class ScimClient(AuditedModel):
    """An identity provider allowed to create, change and end people through SCIM, by its
    bearer token. Only the token's SHA-256 digest is stored; the token is shown once."""

    PREFIX_LENGTH = 8

    name = models.CharField(_("name"), max_length=100, unique=True)
    prefix = models.CharField(_("prefix"), max_length=PREFIX_LENGTH)
    digest = models.CharField(_("digest"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    objects = ScimClientQuerySet.as_manager()
    scope = AdminOnlyScope()
    changelog_redact = ("digest",)
    changelog_ignore = ("last_used_at",)

    class Meta:
        verbose_name = _("SCIM client")
        verbose_name_plural = _("SCIM clients")
        ordering = ["name"]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def digest_of(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    @classmethod
    def issue(cls, name: str) -> tuple["ScimClient", str]:
        token = "scim_" + secrets.token_urlsafe(32)
        client = cls.objects.create(name=name, prefix=token[5:5 + cls.PREFIX_LENGTH],
                                    digest=cls.digest_of(token))
        return client, token

    @classmethod
    def authenticated(cls, token: str) -> "ScimClient | None":
        return cls.objects.usable().filter(digest=cls.digest_of(token)).first()


class ScimIdentity(AuditedModel):
    """One person as a SCIM client provisioned them. Deleting it through SCIM ends the link
    and records the person as a leaver; the person is never deleted."""

    scim_id = models.UUIDField(_("SCIM id"), default=uuid.uuid4, unique=True, editable=False)
    person = models.OneToOneField(Person, on_delete=models.PROTECT,
                                  related_name="scim_identity", verbose_name=_("person"))
    client = models.ForeignKey(ScimClient, on_delete=models.PROTECT, related_name="identities",
                               verbose_name=_("SCIM client"))
    user_name = models.CharField(_("user name"), max_length=150)
    # userName is compared without regard to case (RFC 7643 4.1.1: caseExact false), so its
    # uniqueness is held on the folded form.
    user_name_key = models.CharField(max_length=150, unique=True, editable=False)
    external_id = models.CharField(_("external id"), max_length=150, blank=True,
                                   db_index=True)
    # The attributes as the client sent them (name, displayName, emails...): what it reads
    # back. The person's fields are derived from them.
    attributes = models.JSONField(_("attributes"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    modified_at = models.DateTimeField(_("modified at"), default=timezone.now)

    objects = AuditedQuerySet.as_manager()
    scope = AdminOnlyScope()

    class Meta:
        verbose_name = _("SCIM identity")
        verbose_name_plural = _("SCIM identities")
        ordering = ["user_name_key"]

    def __str__(self):
        return self.user_name

    def save(self, *args, **kwargs):
        self.user_name_key = self.user_name.casefold()
        super().save(*args, **kwargs)


class HrSync(AuditedModel):
    """One HR master file compared with the people register: previewed, then applied (all or
    nothing) or left. The file is kept so that what is applied is what was previewed."""

    class Status(models.TextChoices):
        PREVIEWED = "previewed", _("Previewed")
        APPLIED = "applied", _("Applied")

    file_name = models.CharField(_("file"), max_length=200)
    file_digest = models.CharField(_("SHA-256 of the file"), max_length=64)
    content = models.BinaryField(_("content"))
    # The SHA-256 of the differences previewed: applying computes them again and refuses
    # when the register has changed meanwhile (the preview would no longer be what happens).
    plan_digest = models.CharField(_("SHA-256 of the differences"), max_length=64)
    joiners = models.PositiveIntegerField(_("joiners"), default=0)
    movers = models.PositiveIntegerField(_("movers"), default=0)
    leavers = models.PositiveIntegerField(_("leavers"), default=0)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices,
                              default=Status.PREVIEWED)
    uploaded_by = models.ForeignKey("core.User", on_delete=models.PROTECT, null=True,
                                    related_name="+", verbose_name=_("uploaded by"))
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)
    applied_at = models.DateTimeField(_("applied at"), null=True, blank=True)

    objects = AuditedQuerySet.as_manager()
    scope = Scope()  # administrators and the CISO; auditors read
    changelog_ignore = ("content",)

    class Meta:
        verbose_name = _("HR file sync")
        verbose_name_plural = _("HR file syncs")
        ordering = ["-uploaded_at"]

    def __str__(self):
        return f"{self.file_name} ({self.uploaded_at:%Y-%m-%d %H:%M})"


class ScimGroup(AuditedModel):
    """A group of the identity provider's, as a SCIM client provisioned it. Its members are
    the client's people; a group named in MAMORI_GROUP_ROLES gives its members that system
    role (identity.scim.groups)."""

    scim_id = models.UUIDField(_("SCIM id"), default=uuid.uuid4, unique=True, editable=False)
    client = models.ForeignKey(ScimClient, on_delete=models.PROTECT, related_name="groups",
                               verbose_name=_("SCIM client"))
    display_name = models.CharField(_("name"), max_length=200)
    external_id = models.CharField(_("external id"), max_length=150, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    modified_at = models.DateTimeField(_("modified at"), default=timezone.now)

    objects = AuditedQuerySet.as_manager()
    scope = AdminOnlyScope()

    class Meta:
        verbose_name = _("SCIM group")
        verbose_name_plural = _("SCIM groups")
        ordering = ["display_name"]

    def __str__(self):
        return self.display_name


class ScimMembership(AuditedModel):
    """A person's membership of a SCIM group: a record of its own, so that joining and
    leaving a group (which may grant a role) are each in the change log."""

    group = models.ForeignKey(ScimGroup, on_delete=models.CASCADE, related_name="memberships",
                              verbose_name=_("SCIM group"))
    identity = models.ForeignKey(ScimIdentity, on_delete=models.CASCADE,
                                 related_name="memberships", verbose_name=_("SCIM identity"))

    objects = AuditedQuerySet.as_manager()
    scope = AdminOnlyScope()

    class Meta:
        verbose_name = _("SCIM group membership")
        verbose_name_plural = _("SCIM group memberships")
        constraints = [models.UniqueConstraint(fields=["group", "identity"],
                                               name="scim_membership_once")]

    def __str__(self):
        return f"{self.group}: {self.identity}"
