"""Organisation (policy Art 2-4): departments, people and their appointments."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mamori.core import badges
from mamori.core.audit import AuditedModel, AuditedQuerySet
from mamori.core.i18n import NamedInTwoLanguages, localized
from mamori.core.scope import Scope


def today() -> datetime.date:
    return timezone.localdate()


class DepartmentScope(Scope):
    """Everyone may read the organisation chart. An information manager creates and changes
    the departments below their own, never their own department or anything above it."""

    readers = ("staff",)

    def information_manager(self, roles, action):
        if not roles.managed_department_ids:
            return None
        return Q(parent__in=roles.managed_department_ids)


class DepartmentQuerySet(AuditedQuerySet):
    def active(self):
        return self.filter(is_active=True)


class Department(NamedInTwoLanguages, AuditedModel):
    code = models.CharField(_("code"), max_length=32, unique=True)
    name_ja = models.CharField(_("name (Japanese)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children",
        verbose_name=_("parent department"),
    )
    is_active = models.BooleanField(_("active"), default=True)

    objects = DepartmentQuerySet.as_manager()
    scope = DepartmentScope()

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["code"]

    def get_absolute_url(self):
        return reverse("org:department_detail", args=[self.pk])

    def clean(self):
        if self.parent_id and self.pk:
            seen = set()
            ancestor = self.parent
            while ancestor is not None and ancestor.pk not in seen:  # stops on old cycles too
                if ancestor.pk == self.pk:
                    raise ValidationError({"parent": _("A department cannot be below itself.")})
                seen.add(ancestor.pk)
                ancestor = ancestor.parent


def department_children() -> dict[int | None, list[int]]:
    """Each department's id -> the ids of the departments right below it (one query)."""
    children: dict[int | None, list[int]] = {}
    for pk, parent_id in Department.objects.values_list("pk", "parent_id"):
        children.setdefault(parent_id, []).append(pk)
    return children


def subtree_ids(root_ids, children: dict | None = None) -> set[int]:
    """The given departments and every department below them (one query, none when the
    tree is given as `department_children()` read once for several calls)."""
    if children is None:
        children = department_children()
    result, stack = set(), list(root_ids)
    while stack:
        pk = stack.pop()
        if pk not in result:
            result.add(pk)
            stack.extend(children.get(pk, ()))
    return result


class PersonScope(Scope):
    department_field = "department"
    own_field = "user"


class Person(AuditedModel):
    # The columns the search box (`q=`) looks in, each indexed by its trigrams
    # (core.search_indexes; migrations 0003 and 0004 name them too).
    SEARCHED = ("employee_no", "name", "name_kana", "name_latin", "email")

    class Category(models.TextChoices):
        OFFICER = "officer", _("Officer")
        EXECUTIVE_OFFICER = "executive_officer", _("Executive officer")
        EMPLOYEE = "employee", _("Employee")
        DISPATCHED = "dispatched", _("Dispatched worker")
        CONTRACTOR = "contractor", _("Contractor staff")

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        ON_LEAVE = "on_leave", _("On leave")
        LEFT = "left", _("Left")

    # The policy (Art 2) binds officers, executive officers, employees and dispatched workers;
    # contractor staff are bound through their contracts (Art 9).
    POLICY_SCOPE = (Category.OFFICER, Category.EXECUTIVE_OFFICER, Category.EMPLOYEE,
                    Category.DISPATCHED)

    # 64: identity providers may send an object id (a 36-character UUID) as the number.
    employee_no = models.CharField(_("staff number"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=100)
    name_kana = models.CharField(_("name (kana)"), max_length=100, blank=True)
    name_latin = models.CharField(_("name (Latin script)"), max_length=100, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    # Both may be blank in imported HR data; the Art 2 check reports who lacks them.
    category = models.CharField(_("category"), max_length=20, choices=Category.choices,
                                blank=True)
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, null=True, blank=True, related_name="people",
        verbose_name=_("department"),
    )
    status = models.CharField(_("employment status"), max_length=10, choices=Status.choices,
                              default=Status.ACTIVE)
    joined_on = models.DateField(_("joined on"), null=True, blank=True)
    left_on = models.DateField(_("left on"), null=True, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="person", verbose_name=_("login account"),
    )

    objects = AuditedQuerySet.as_manager()
    scope = PersonScope()

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["employee_no"]
        # (column, employee_no): the people list filtered by the column in staff-number order,
        # or sorted by it (core.paging.tiebreak_column), from one index on any page.
        indexes = [
            models.Index(fields=["department", "employee_no"]),
            models.Index(fields=["category", "employee_no"]),
            models.Index(fields=["status", "employee_no"]),
            models.Index(fields=["name", "employee_no"]),
            models.Index(fields=["name_latin", "employee_no"]),
            # Who a policy is for (categories, not left): counted from this index alone by
            # the acknowledgement checks and a document's page (SQLite at 50,000 people:
            # 86 -> 35 ms, the count itself 41 -> 3 ms).
            models.Index(fields=["category", "status"], name="org_person_audience_idx"),
        ]

    def __str__(self):
        return localized(self.name, self.name_latin)

    def get_absolute_url(self):
        return reverse("org:person_detail", args=[self.pk])

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        # A leaver's login account is closed with the record that says they left (and the
        # deactivation is logged like any change).
        if self.status == self.Status.LEFT and self.user_id and self.user.is_active:
            self.user.is_active = False
            self.user.save()

    def clean(self):
        if self.left_on and self.joined_on and self.left_on < self.joined_on:
            raise ValidationError({"left_on": _("The leaving date is before the joining date.")})
        if self.status == self.Status.LEFT and not self.left_on:
            raise ValidationError({"left_on": _("Give the date this person left.")})


class AppointmentScope(Scope):
    """Everyone may know who the CISO and the information managers are (they are whom staff
    report to); only administrators and the CISO appoint."""

    readers = ("staff",)

    def information_manager(self, roles, action):
        return None


class AppointmentQuerySet(AuditedQuerySet):
    def current(self, on: datetime.date | None = None):
        on = on or today()
        return self.filter(Q(start_date__lte=on), Q(end_date__isnull=True) | Q(end_date__gte=on))


class Appointment(AuditedModel):
    class Role(models.TextChoices):
        CISO = "ciso", _("Chief Information Security Officer")
        INFORMATION_MANAGER = "information_manager", _("Information manager")

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="appointments",
                               verbose_name=_("person"))
    role = models.CharField(_("role"), max_length=24, choices=Role.choices)
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, null=True, blank=True,
        related_name="appointments", verbose_name=_("department"),
        help_text=_("The department whose information manager this is; empty for the CISO."),
    )
    start_date = models.DateField(_("start date"), default=today)
    end_date = models.DateField(_("end date"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    objects = AppointmentQuerySet.as_manager()
    scope = AppointmentScope()

    class Meta:
        verbose_name = _("appointment")
        verbose_name_plural = _("appointments")
        ordering = ["-start_date", "role"]
        constraints = [
            models.CheckConstraint(
                condition=Q(role="ciso", department__isnull=True)
                | Q(role="information_manager", department__isnull=False),
                name="appointment_department_matches_role",
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="appointment_ends_after_start",
            ),
        ]

    label_related = ("department", "person")  # what __str__ reads (core.conformance.listed)

    def __str__(self):
        where = f" / {self.department}" if self.department_id else ""
        return f"{self.get_role_display()}{where}: {self.person}"

    def get_absolute_url(self):
        return reverse("org:appointment_detail", args=[self.pk])

    @property
    def is_current(self) -> bool:
        on = today()
        return self.start_date <= on and (self.end_date is None or self.end_date >= on)

    def clean(self):
        errors = {}
        if self.role == self.Role.CISO and self.department_id:
            errors["department"] = _(
                "The CISO is appointed for the whole company, not a department.")
        if self.role == self.Role.INFORMATION_MANAGER and not self.department_id:
            errors["department"] = _("Choose the department this person manages.")
        if self.end_date and self.start_date and self.end_date < self.start_date:
            errors["end_date"] = _("The end date is before the start date.")
        if errors:
            raise ValidationError(errors)
        if self.start_date and self.role:
            overlapping = self.overlapping()
            if overlapping.exists():
                clash = overlapping.first()
                if self.role == self.Role.CISO:
                    message = _("Another CISO is appointed for this period: %(other)s.")
                else:
                    message = _("This department already has an information manager for this "
                                "period: %(other)s.")
                raise ValidationError({"start_date": message % {"other": clash}})

    def overlapping(self):
        """Appointments to the same post whose period meets this one's."""
        qs = Appointment.objects.filter(role=self.role, department_id=self.department_id)
        if self.pk:
            qs = qs.exclude(pk=self.pk)
        qs = qs.filter(Q(end_date__isnull=True) | Q(end_date__gte=self.start_date))
        if self.end_date:
            qs = qs.filter(start_date__lte=self.end_date)
        return qs


def end_appointments(person: Person, on: datetime.date) -> None:
    """A leaver's posts end on the day they left (a post not yet begun ends on its first
    day, which the appointment's constraint allows)."""
    for appointment in Appointment.objects.filter(person=person).filter(
            Q(end_date__isnull=True) | Q(end_date__gt=on)):
        appointment.end_date = max(on, appointment.start_date)
        appointment.save()


def roles_from_appointments(user):
    """Role provider (see core.roles): CISO and information manager from current appointments."""
    # get(), not first(): a person's user is unique, and first()'s ORDER BY employee_no LIMIT 1
    # lets a planner with no statistics walk the whole staff-number index for a user who
    # has no person (an administrator), on every request.
    try:
        person = Person.objects.only("pk").get(user=user)
    except Person.DoesNotExist:
        return set(), None, set()
    names, managed = set(), set()
    for role, dept_id in Appointment.objects.current().filter(person=person).values_list(
        "role", "department_id"
    ):
        names.add(role)
        if dept_id:
            managed.add(dept_id)
    return names, person.pk, subtree_ids(managed) if managed else set()


# Statuses read as coloured badges in lists and on detail pages (core.badges).
badges.register(Person, "status", {"active": "green", "on_leave": "yellow", "left": "secondary"})
