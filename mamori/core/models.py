"""Core records: users, API tokens, the change log and its checkpoint, conformance snapshots."""

import datetime
import functools
import hashlib
import secrets

from django.apps import apps
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mamori.core import badges
from mamori.core.audit import AuditedModel, AuditedQuerySet
from mamori.core.scope import (
    AdminOnlyScope,
    OwnRecordsScope,
    ReadAllScope,
    RestrictableQuerySetMixin,
)


class MamoriUserManager(UserManager.from_queryset(AuditedQuerySet)):
    pass


class User(AuditedModel, AbstractUser):
    """A login account. CISO and information-manager roles come from appointments (org app);
    the system role here adds administrator or auditor rights."""

    class SystemRole(models.TextChoices):
        STAFF = "staff", _("Staff")
        AUDITOR = "auditor", _("Auditor")
        ADMIN = "admin", _("Administrator")

    system_role = models.CharField(
        _("system role"), max_length=16, choices=SystemRole.choices, default=SystemRole.STAFF
    )
    must_change_password = models.BooleanField(
        _("must change password"), default=False,
        help_text=_("Set when an administrator issues a generated password: the user is asked "
                    "to choose their own before anything else."))

    objects = MamoriUserManager()
    scope = AdminOnlyScope(own_field="pk")
    changelog_redact = ("password",)
    changelog_ignore = ("last_login",)

    class Meta(AbstractUser.Meta):
        verbose_name = _("user")
        verbose_name_plural = _("users")

    @property
    def is_mamori_admin(self) -> bool:
        return self.is_superuser or self.system_role == self.SystemRole.ADMIN


class ApiTokenQuerySet(AuditedQuerySet):
    def usable(self):
        return self.filter(revoked_at__isnull=True, expires_at__gt=timezone.now())


class ApiToken(AuditedModel):
    """A personal API token. Only a SHA-256 digest is stored; the token is shown once."""

    PREFIX_LENGTH = 8

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens",
                             verbose_name=_("user"))
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=PREFIX_LENGTH, db_index=True)
    digest = models.CharField(_("digest"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"))
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()
    scope = OwnRecordsScope(own_field="user")
    changelog_redact = ("digest",)
    changelog_ignore = ("last_used_at",)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def digest_of(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    @classmethod
    def issue(cls, user, name: str, days: int) -> tuple["ApiToken", str]:
        token = "mam_" + secrets.token_urlsafe(32)
        obj = cls.objects.create(
            user=user, name=name, prefix=token[4 : 4 + cls.PREFIX_LENGTH],
            digest=cls.digest_of(token),
            expires_at=timezone.now() + timezone.timedelta(days=days),
        )
        return obj, token

    @property
    def is_usable(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()


class AppendOnlyQuerySet(RestrictableQuerySetMixin, models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("change-log entries cannot be updated")

    def delete(self):
        raise PermissionError("change-log entries cannot be deleted")


class ChangeLogEntry(models.Model):
    """One change to one object. Append-only; see core.changelog for the chain."""

    # Written only by its workflow, never added, changed or deleted by hand: not through the
    # admin, the API or an import (core.admin.WorkflowRecordAdmin; issue 16 #12).
    workflow_only = True

    class Action(models.TextChoices):
        CREATE = "create", _("created")
        UPDATE = "update", _("updated")
        DELETE = "delete", _("deleted")

    seq = models.BigIntegerField(_("sequence"), unique=True)
    # Never earlier than an entry before it, from the checkpoint's `ordered_from` on
    # (core.changelog.record_many): a range of days is then a range of sequence numbers.
    at = models.DateTimeField(_("time"))
    actor_id = models.BigIntegerField(_("actor id"), null=True, blank=True, db_index=True)
    actor_name = models.CharField(_("actor"), max_length=150)
    source = models.CharField(_("source"), max_length=16)
    request_id = models.CharField(_("request id"), max_length=64)
    action = models.CharField(_("action"), max_length=8, choices=Action.choices)
    model = models.CharField(_("model"), max_length=100)
    object_id = models.CharField(_("object id"), max_length=64)
    object_repr = models.CharField(_("object"), max_length=200)
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)
    prev_hash = models.CharField(_("previous hash"), max_length=64)
    hash = models.CharField(_("hash"), max_length=64)

    objects = AppendOnlyQuerySet.as_manager()
    scope = ReadAllScope(readers=("admin", "ciso", "auditor"))

    class Meta:
        verbose_name = _("change-log entry")
        verbose_name_plural = _("change log")
        ordering = ["-seq"]
        # Each filter of the change-log page and API, newest first, is one index range: the
        # log grows to millions of entries (issue 15; core.filtersets.ChangeLogFilterSet).
        indexes = [models.Index(fields=["model", "object_id"]),
                   models.Index(fields=["model", "seq"], name="changelog_model_seq"),
                   models.Index(fields=["actor_name", "seq"], name="changelog_actor_seq"),
                   models.Index(fields=["action", "seq"], name="changelog_action_seq"),
                   models.Index(fields=["source", "seq"], name="changelog_source_seq"),
                   # An object id without its model (one object's entries, whatever it is).
                   models.Index(fields=["object_id", "seq"], name="changelog_object_seq"),
                   # The first entry at or after a moment (core.filtersets.day_bound).
                   models.Index(fields=["at", "seq"], name="changelog_at_seq")]

    def __str__(self):
        return f"#{self.seq} {self.action} {self.model} {self.object_id}"

    def save(self, *args, **kwargs):
        raise PermissionError("change-log entries are written only by core.changelog.record")

    def delete(self, *args, **kwargs):
        raise PermissionError("change-log entries cannot be deleted")

    def changes(self) -> list[tuple[str, object, object]]:
        """(field, before, after) for every field that differs."""
        before, after = self.before or {}, self.after or {}
        keys = sorted(set(before) | set(after))
        return [(k, before.get(k), after.get(k)) for k in keys if before.get(k) != after.get(k)]

    def shown_changes(self) -> list[tuple[str, object, object]]:
        """`changes()` for a page: a date-time field's values (stored as ISO text in UTC) as
        date-times, which the page shows in the site's time zone, as it shows the record
        itself (an incident's 18:49 in Japan, not the 09:49 UTC stored)."""
        datetimes = _datetime_attnames(self.model)
        return [(name, *(_as_datetime(value) if name in datetimes else value
                         for value in (before, after)))
                for name, before, after in self.changes()]


@functools.cache
def _datetime_attnames(label: str) -> frozenset:
    try:
        model = apps.get_model(label)
    except (LookupError, ValueError):  # a model since removed: its values are shown as stored
        return frozenset()
    return frozenset(field.attname for field in model._meta.concrete_fields
                     if isinstance(field, models.DateTimeField))


def _as_datetime(value):
    if not isinstance(value, str):
        return value
    try:
        moment = datetime.datetime.fromisoformat(value)
    except ValueError:
        return value
    return moment if timezone.is_aware(moment) else value


class ChainCheckpoint(models.Model):
    """The signed head of the change-log chain (a single row, pk=1)."""

    seq = models.BigIntegerField(_("sequence"))
    head_hash = models.CharField(_("head hash"), max_length=64)
    mac = models.CharField(_("HMAC"), max_length=64)
    # The first entry from which every entry's time is at least that of every entry before it
    # (record_many makes it so); 1 for a log begun so, the next entry for a log written before.
    ordered_from = models.BigIntegerField(_("times in order from entry"), default=1)

    class Meta:
        verbose_name = _("change-log checkpoint")
        verbose_name_plural = _("change-log checkpoints")

    def __str__(self):
        return f"checkpoint at #{self.seq}"


class ChangeLogTally(models.Model):
    """How many change-log entries there are of each (model, action, source): kept by
    core.changelog.record_many in the transaction of the append, under the chain head's lock,
    so it is exact. The API counts a list filtered by these alone from it instead of counting
    millions of entries (issue 15); `verify()` checks it against the entries. Bookkeeping, not a
    record: no page or API shows it, and it is not in the change log."""

    workflow_only = True

    model = models.CharField(_("model"), max_length=100)
    action = models.CharField(_("action"), max_length=8)
    source = models.CharField(_("source"), max_length=16)
    entries = models.BigIntegerField(_("entries"), default=0)

    class Meta:
        verbose_name = _("change-log tally")
        verbose_name_plural = _("change-log tallies")
        constraints = [models.UniqueConstraint(fields=["model", "action", "source"],
                                               name="changelog_tally_key")]

    def __str__(self):
        return f"{self.model} {self.action} {self.source}: {self.entries}"


class Counter(models.Model):
    """The last number given out in one numbering series (an incident's INC-2026-0042, a
    policy's version 3). Taken with a row lock by core.counters.next_number, so numbers given
    out by simultaneous requests never collide. Bookkeeping, not a record: it is not in the
    change log (the numbered records are) and no page or API shows it."""

    name = models.CharField(_("series"), max_length=100, unique=True)
    value = models.BigIntegerField(_("last number"), default=0)

    class Meta:
        verbose_name = _("number series")
        verbose_name_plural = _("number series")

    def __str__(self):
        return f"{self.name}: {self.value}"


class ConformanceSnapshot(AuditedModel):
    """The result of one conformance check on one day, for trends."""

    # Written only by its workflow, never added, changed or deleted by hand: not through the
    # admin, the API or an import (core.admin.WorkflowRecordAdmin; issue 16 #12).
    workflow_only = True

    day = models.DateField(_("day"), db_index=True)
    check_code = models.CharField(_("check"), max_length=64)
    article = models.CharField(_("article"), max_length=8)
    status = models.CharField(_("status"), max_length=8)
    value = models.CharField(_("measured value"), max_length=64, blank=True)
    threshold = models.CharField(_("threshold"), max_length=64, blank=True)
    failing_count = models.PositiveIntegerField(_("failing objects"), default=0)

    scope = ReadAllScope(readers=("admin", "ciso", "auditor", "information_manager"))

    class Meta:
        verbose_name = _("conformance snapshot")
        verbose_name_plural = _("conformance snapshots")
        constraints = [
            models.UniqueConstraint(fields=["day", "check_code"], name="one_snapshot_per_check_day")
        ]

    def __str__(self):
        return f"{self.day} {self.check_code} {self.status}"


class ScheduledRun(AuditedModel):
    """One period of one periodic task. The unique constraint lets several schedulers run at
    once: only the one whose insert succeeds enqueues the task."""

    task_name = models.CharField(_("task"), max_length=200)
    period = models.CharField(_("period"), max_length=32)
    enqueued_at = models.DateTimeField(_("enqueued at"), default=timezone.now)
    task_result_id = models.CharField(_("task result"), max_length=64, blank=True)

    scope = ReadAllScope(readers=("admin", "ciso", "auditor"))

    class Meta:
        verbose_name = _("scheduled run")
        verbose_name_plural = _("scheduled runs")
        constraints = [
            models.UniqueConstraint(fields=["task_name", "period"], name="one_run_per_period")
        ]

    def __str__(self):
        return f"{self.task_name} {self.period}"


class ImportJob(models.Model):
    """A large import run by a worker (core.imports), with its progress for the uploader.

    Not an audited model: it is a technical record, like a task result (its progress is
    updated every few hundred rows, and the file is not something to copy into the log). What
    the import writes is logged as every write is, as the uploader."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        CHECKING = "checking", _("Checking")
        DONE = "done", _("Imported")
        FAILED = "failed", _("Not imported")

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+",
                             verbose_name=_("user"))
    view = models.CharField(_("import view"), max_length=200)
    filename = models.CharField(_("file name"), max_length=255)
    language = models.CharField(_("language"), max_length=10, blank=True)  # of the messages
    content = models.BinaryField(_("file"))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices,
                              default=Status.QUEUED)
    total = models.PositiveIntegerField(_("rows"), default=0)
    checked = models.PositiveIntegerField(_("rows checked"), default=0)
    created = models.PositiveIntegerField(_("created"), default=0)
    updated = models.PositiveIntegerField(_("updated"), default=0)
    errors = models.JSONField(_("errors"), default=list)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("import job")
        verbose_name_plural = _("import jobs")

    def __str__(self):
        return f"{self.filename} ({self.get_status_display()})"


badges.register(ImportJob, "status", {"queued": "secondary", "checking": "blue", "done": "green",
                                     "failed": "red"})
