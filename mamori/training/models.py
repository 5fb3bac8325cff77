"""Education and training (policy Art 8): courses, their quizzes and classroom sessions,
programmes saying who takes which course by when, the assignments derived from them, and the
completions that prove it.

Assignments are never typed: `training.assign` derives them from each programme's audience
(person categories, departments with their subtrees, roles, people handling personal or card
data) and keeps them in step when people join, move, change category or leave. A completion
of the course (a passed quiz, attendance at a session, a line of an LMS file, the
acknowledgement of a policy version, or one recorded by hand) completes the open assignments
it satisfies in the same transaction.
"""

import datetime

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from mamori.core.audit import AuditedModel, AuditedQuerySet, SingleRow
from mamori.core.dates import add_months
from mamori.core.i18n import TitledInTwoLanguages, localized
from mamori.core.scope import VIEW, CatalogueScope, ReadOnlyScope, Scope, SettingsScope
from mamori.org.models import Department, Person
from mamori.policies.models import Acknowledgement, PolicyDocument

PERCENT = [MinValueValidator(0), MaxValueValidator(100)]


class TrainingSettings(SingleRow, AuditedModel):
    completion_threshold = models.PositiveSmallIntegerField(
        _("completion threshold (%)"), default=95,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text=_("A mandatory programme conforms when at least this share of the people "
                    "assigned to it has completed it, in every person category separately."))
    reminder_days = models.PositiveSmallIntegerField(
        _("reminder before the due date (days)"), default=7,
        help_text=_("People are reminded of an assignment this many days before it is due."))
    fiscal_year_start_month = models.PositiveSmallIntegerField(
        _("first month of the fiscal year"), default=4,
        validators=[MinValueValidator(1), MaxValueValidator(12)],
        help_text=_("Yearly programmes assign their course again at the start of each fiscal "
                    "year. A change applies from the next assignment; assignments already "
                    "made keep the year they were made for."))

    objects = AuditedQuerySet.as_manager()
    scope = SettingsScope()

    class Meta:
        verbose_name = _("training settings")
        verbose_name_plural = _("training settings")

    def __str__(self):
        return str(_("Training settings"))

    def get_absolute_url(self):
        return reverse("training:trainingsettings_detail", args=[self.pk])

    def fiscal_year(self, day: datetime.date) -> int:
        """The fiscal year `day` falls in, named by the calendar year it starts in."""
        return day.year if day.month >= self.fiscal_year_start_month else day.year - 1

    def fiscal_year_start(self, year: int) -> datetime.date:
        return datetime.date(year, self.fiscal_year_start_month, 1)


class Course(TitledInTwoLanguages, AuditedModel):
    class Kind(models.TextChoices):
        ELEARNING = "elearning", _("E-learning")
        CLASSROOM = "classroom", _("Classroom session")
        EXTERNAL = "external", _("External (completions from the LMS)")
        ACKNOWLEDGEMENT = "acknowledgement", _("Read and acknowledge a policy")

    code = models.SlugField(_("code"), max_length=32, unique=True,
                            help_text=_("The course code the LMS file uses, e.g. ISMS-BASIC."))
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices,
                            default=Kind.ELEARNING)
    title_ja = models.CharField(_("title (Japanese)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    summary_ja = models.TextField(_("summary (Japanese)"), blank=True)
    summary_en = models.TextField(_("summary (English)"), blank=True)
    body_ja = models.TextField(_("course text (Japanese, Markdown)"), blank=True)
    body_en = models.TextField(_("course text (English, Markdown)"), blank=True)
    policy_document = models.ForeignKey(
        PolicyDocument, on_delete=models.PROTECT, null=True, blank=True,
        related_name="training_courses", verbose_name=_("policy document"),
        help_text=_("For a read-and-acknowledge course: acknowledging this document's current "
                    "version completes the course."))
    duration_minutes = models.PositiveSmallIntegerField(_("duration (minutes)"), default=30)
    validity_months = models.PositiveSmallIntegerField(
        _("valid for (months)"), null=True, blank=True,
        help_text=_("Months until the course must be taken again; empty: it does not expire."))
    pass_mark = models.PositiveSmallIntegerField(
        _("pass mark (%)"), default=80, validators=[MinValueValidator(1), MaxValueValidator(100)])
    is_active = models.BooleanField(_("active"), default=True)

    objects = AuditedQuerySet.as_manager()
    scope = CatalogueScope()

    class Meta:
        verbose_name = _("course")
        verbose_name_plural = _("courses")
        ordering = ["code"]

    def get_absolute_url(self):
        return reverse("training:course_detail", args=[self.pk])

    @property
    def summary(self) -> str:
        return localized(self.summary_ja, self.summary_en)

    @property
    def body(self) -> str:
        return localized(self.body_ja, self.body_en)

    @property
    def has_quiz(self) -> bool:
        return self.kind == self.Kind.ELEARNING

    def save(self, *args, **kwargs):
        # Completions' expiry follows the course's validity in the same transaction.
        using = kwargs.get("using") or self._state.db or "default"
        with transaction.atomic(using=using):
            stored = (None if self.pk is None else type(self)._base_manager.using(using)
                      .filter(pk=self.pk).values_list("validity_months", flat=True).first())
            super().save(*args, **kwargs)
            if stored != self.validity_months and self.pk is not None:
                rederive_expiry(self, using)

    def clean(self):
        errors = {}
        if self.kind == self.Kind.ACKNOWLEDGEMENT and not self.policy_document_id:
            errors["policy_document"] = _("Choose the policy document to be acknowledged.")
        if self.kind != self.Kind.ACKNOWLEDGEMENT and self.policy_document_id:
            errors["policy_document"] = _("Only a read-and-acknowledge course names a policy "
                                          "document.")
        if self.kind == self.Kind.ELEARNING and not self.body_ja.strip():
            errors["body_ja"] = _("An e-learning course needs its text.")
        if errors:
            raise ValidationError(errors)


class QuestionScope(Scope):
    """Questions carry their answers: the CISO and administrators write them, auditors read
    them, and the people taking the quiz see them only inside their own attempt."""


class Question(AuditedModel):
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="questions",
                               verbose_name=_("course"))
    position = models.PositiveSmallIntegerField(_("position"), default=1)
    multiple = models.BooleanField(
        _("several answers"), default=False,
        help_text=_("The person selects every correct choice (select all that apply)."))
    text_ja = models.TextField(_("question (Japanese)"))
    text_en = models.TextField(_("question (English)"), blank=True)
    choices_ja = models.TextField(_("choices (Japanese, one per line)"))
    choices_en = models.TextField(_("choices (English, one per line)"), blank=True)
    correct = models.CharField(
        _("correct choices"), max_length=50,
        help_text=_("The numbers of the correct choices, counted from 1, e.g. 2 or 1,3."))

    objects = AuditedQuerySet.as_manager()
    scope = QuestionScope()

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["course", "position", "pk"]

    label_related = ("course",)  # what __str__ reads (core.conformance.listed)

    def __str__(self):
        return f"{self.course.code} #{self.position}"

    def get_absolute_url(self):
        return reverse("training:question_detail", args=[self.pk])

    @property
    def text(self) -> str:
        return localized(self.text_ja, self.text_en)

    @staticmethod
    def lines(text: str) -> list[str]:
        return [line.strip() for line in text.splitlines() if line.strip()]

    def choice_texts(self) -> list[str]:
        japanese, english = self.lines(self.choices_ja), self.lines(self.choices_en)
        return [localized(ja, english[i] if i < len(english) else "")
                for i, ja in enumerate(japanese)]

    def correct_indexes(self) -> frozenset[int]:
        """The correct choices, counted from 0."""
        return frozenset(int(part) - 1 for part in self.correct.replace(" ", "").split(",")
                         if part.isdigit())

    def clean(self):
        errors = {}
        japanese, english = self.lines(self.choices_ja), self.lines(self.choices_en)
        if len(japanese) < 2:
            errors["choices_ja"] = _("Give at least two choices, one per line.")
        if english and len(english) != len(japanese):
            errors["choices_en"] = _("Give as many English choices as Japanese ones "
                                     "(%(count)d).") % {"count": len(japanese)}
        parts = [part for part in self.correct.replace(" ", "").split(",") if part]
        if not parts or not all(part.isdigit() and 1 <= int(part) <= len(japanese)
                                for part in parts):
            errors["correct"] = _("Give the numbers of the correct choices, between 1 and "
                                  "%(count)d, separated by commas.") % {"count": len(japanese)}
        elif not self.multiple and len(set(parts)) != 1:
            errors["correct"] = _("A question with one answer has exactly one correct choice.")
        if errors:
            raise ValidationError(errors)


class ClassroomSession(AuditedModel):
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="sessions",
                               verbose_name=_("course"))
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    place = models.CharField(_("place"), max_length=200)
    instructor = models.CharField(_("instructor"), max_length=100, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    objects = AuditedQuerySet.as_manager()
    scope = CatalogueScope()

    class Meta:
        verbose_name = _("classroom session")
        verbose_name_plural = _("classroom sessions")
        ordering = ["-starts_at"]

    label_related = ("course",)  # what __str__ reads (core.conformance.listed)

    def __str__(self):
        when = timezone.localtime(self.starts_at).strftime("%Y-%m-%d %H:%M")
        return f"{self.course.code} {when}"

    def get_absolute_url(self):
        return reverse("training:classroomsession_detail", args=[self.pk])

    def clean(self):
        errors = {}
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            errors["ends_at"] = _("The session ends after it starts.")
        if self.course_id and self.course.kind != Course.Kind.CLASSROOM:
            errors["course"] = _("Sessions are held for classroom courses.")
        if errors:
            raise ValidationError(errors)


class ProgrammeScope(Scope):
    """Programmes are the CISO's; information managers read them (their departments'
    people are assigned by them) and auditors read them."""

    readers = ("information_manager",)


class Programme(TitledInTwoLanguages, AuditedModel):
    class Recurrence(models.TextChoices):
        ONCE = "once", _("Once")
        YEARLY = "yearly", _("Every fiscal year")
        JOINERS = "joiners", _("Joiners, within the due days of their start date")

    class Role(models.TextChoices):
        INFORMATION_MANAGER = "information_manager", _("Information managers")
        CISO = "ciso", _("The CISO")
        INCIDENT_HANDLER = "incident_handler", _("Incident handlers")

    code = models.SlugField(_("code"), max_length=32, unique=True)
    title_ja = models.CharField(_("title (Japanese)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="programmes",
                               verbose_name=_("course"))
    mandatory = models.BooleanField(_("mandatory"), default=True)
    recurrence = models.CharField(_("recurrence"), max_length=10, choices=Recurrence.choices,
                                  default=Recurrence.YEARLY)
    due_days = models.PositiveSmallIntegerField(
        _("due within (days)"), default=30, validators=[MinValueValidator(1)],
        help_text=_("Days from the assignment (for joiners: from their start date) to the "
                    "due date."))
    categories = models.JSONField(
        _("person categories"), default=list, blank=True,
        help_text=_("Empty: every category."))
    departments = models.ManyToManyField(
        Department, blank=True, related_name="training_programmes",
        verbose_name=_("departments"),
        help_text=_("With every department below them. Empty: the whole company."))
    roles = models.JSONField(
        _("roles"), default=list, blank=True,
        help_text=_("Only people holding one of these roles. Empty: anyone."))
    handles_personal_data = models.BooleanField(
        _("people handling personal data"), default=False,
        help_text=_("Only people of departments owning assets that hold personal "
                    "information."))
    handles_card_data = models.BooleanField(
        _("people handling card data"), default=False,
        help_text=_("Only people of departments owning assets that hold payment-card data."))
    starts_on = models.DateField(_("starts on"), default=timezone.localdate)
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    objects = AuditedQuerySet.as_manager()
    scope = ProgrammeScope()

    class Meta:
        verbose_name = _("training programme")
        verbose_name_plural = _("training programmes")
        ordering = ["code"]

    def get_absolute_url(self):
        return reverse("training:programme_detail", args=[self.pk])

    def is_running(self, day: datetime.date) -> bool:
        return (self.is_active and self.starts_on <= day
                and (self.ends_on is None or day <= self.ends_on))

    def clean(self):
        errors = {}
        categories = self.categories if isinstance(self.categories, list) else None
        if categories is None or not set(categories) <= set(Person.Category.values):
            errors["categories"] = _("Choose person categories from the list.")
        roles = self.roles if isinstance(self.roles, list) else None
        if roles is None or not set(roles) <= set(self.Role.values):
            errors["roles"] = _("Choose roles from the list.")
        if self.ends_on and self.starts_on and self.ends_on < self.starts_on:
            errors["ends_on"] = _("The programme ends after it starts.")
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs):
        # Due dates of open assignments follow the programme's days in the same transaction;
        # who is assigned follows in the task queued with it (training.assign).
        from mamori.training import assign

        using = kwargs.get("using") or self._state.db or "default"
        with transaction.atomic(using=using):
            super().save(*args, **kwargs)
            assign.rederive_due_dates(self, using)
            assign.queue_programme(self)


class AssignmentQuerySet(AuditedQuerySet):
    def overdue_q(self, on: datetime.date | None = None) -> Q:
        return Q(status=Assignment.Status.OPEN, due_on__lt=on or timezone.localdate())


class AssignmentScope(ReadOnlyScope):
    """People see their own assignments, information managers their departments'; nobody
    writes them by hand, not even the CISO (they are derived)."""

    department_field = "department"
    own_person_field = "person"


class Assignment(AuditedModel):
    workflow_only = True

    class Status(models.TextChoices):
        OPEN = "open", _("Not yet done")
        COMPLETED = "completed", _("Completed")
        CANCELLED = "cancelled", _("Cancelled")

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT,
                                  related_name="assignments", verbose_name=_("programme"))
    person = models.ForeignKey(Person, on_delete=models.PROTECT,
                               related_name="training_assignments", verbose_name=_("person"))
    # The person's department and category, kept in step with the person (training.assign):
    # coverage counts and scopes read them from this table alone.
    department = models.ForeignKey(Department, on_delete=models.PROTECT, null=True,
                                   blank=True, related_name="+", verbose_name=_("department"))
    category = models.CharField(_("category"), max_length=20, choices=Person.Category.choices,
                                blank=True)
    cycle = models.PositiveIntegerField(
        _("fiscal year"), default=0, help_text=_("0 for a programme that is not yearly."))
    assigned_on = models.DateField(_("assigned on"))
    due_from = models.DateField(_("due counted from"))
    due_on = models.DateField(_("due on"))
    counts_from = models.DateField(
        _("completions count from"),
        help_text=_("A completion of the course on or after this day satisfies the "
                    "assignment."))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices,
                              default=Status.OPEN)
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    completion = models.ForeignKey("Completion", on_delete=models.SET_NULL, null=True,
                                   blank=True, related_name="assignments",
                                   verbose_name=_("completion"))
    cancelled_on = models.DateField(_("cancelled on"), null=True, blank=True)
    reminded_on = models.DateField(_("reminded on"), null=True, blank=True)
    escalated_on = models.DateField(_("escalated on"), null=True, blank=True)

    objects = AssignmentQuerySet.as_manager()
    scope = AssignmentScope()

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        ordering = ["due_on", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "person", "cycle"],
                                    name="training_one_assignment_per_cycle"),
        ]
        indexes = [
            models.Index(fields=["person", "status"]),
            models.Index(fields=["programme", "cycle", "category", "department", "status"],
                         name="training_assignment_coverage"),
            models.Index(fields=["department", "due_on"]),
            # Open assignments in due order, the id breaking ties: the list's overdue filter
            # and the escalation of overdue ones (along (due_on, id) alone, 640,000 completed
            # rows were read past first at ten times the company) and the range of open rows
            # not yet due the overdue filter's count subtracts.
            models.Index(fields=["status", "due_on", "id"], name="training_assignment_open_due"),
            # The list's default order and its filter by programme (issue 18 bench); the
            # second also gives the overdue assignments the Art 8 checks list, by programme
            # (training.conformance.overdue_share).
            models.Index(fields=["due_on", "id"], name="training_assignment_due"),
            models.Index(fields=["programme", "due_on", "id"],
                         name="training_assignment_prog_due"),
            models.Index(fields=["cycle", "due_on", "id"], name="training_assignment_cycle_due"),
        ]

    label_related = ("programme", "person")  # what __str__ reads (core.conformance.listed)

    def __str__(self):
        return f"{self.programme.code}: {self.person}"

    def get_absolute_url(self):
        return reverse("training:assignment_detail", args=[self.pk])

    @property
    def is_overdue(self) -> bool:
        return self.status == self.Status.OPEN and self.due_on < timezone.localdate()


class AssignmentTally(models.Model):
    """How many assignments there are per programme, cycle, person category, department and
    status: kept by triggers on the assignment table (migration 0002), so every write — the
    ORM, a bulk insert, raw SQL — counts, in the writing transaction. The Art 8 check reads it
    instead of counting up to millions of assignments. Bookkeeping, not a record: no page or
    API shows it, and it is not in the change log (`training.tally` checks it against the
    assignments)."""

    workflow_only = True

    programme = models.ForeignKey(Programme, on_delete=models.DO_NOTHING, db_constraint=False,
                                  related_name="+", verbose_name=_("programme"))
    cycle = models.PositiveIntegerField(_("fiscal year"))
    category = models.CharField(_("category"), max_length=20)
    department_key = models.BigIntegerField(_("department"), help_text="0: none")
    status = models.CharField(_("status"), max_length=10)
    count = models.BigIntegerField(_("count"), default=0)

    class Meta:
        verbose_name = _("assignment tally")
        verbose_name_plural = _("assignment tallies")
        constraints = [models.UniqueConstraint(
            fields=["programme", "cycle", "category", "department_key", "status"],
            name="training_assignment_tally_key")]
        # The check's sums per programme, category and status read this index alone.
        indexes = [models.Index(fields=["programme", "cycle", "status", "category", "count"],
                                name="training_tally_by_category"),
                   # An information manager's lists count their departments' rows.
                   models.Index(fields=["department_key"], name="training_tally_department")]

    def __str__(self):
        return f"{self.programme_id}/{self.cycle}/{self.category}/{self.status}: {self.count}"


class CompletionTally(models.Model):
    """How many completions there are per course, source and department, kept by triggers
    on the completion table (migration 0003) like the assignment tally: the completion list
    reads its total here instead of counting up to millions of completions."""

    workflow_only = True

    course = models.ForeignKey(Course, on_delete=models.DO_NOTHING, db_constraint=False,
                               related_name="+", verbose_name=_("course"))
    source = models.CharField(_("how completed"), max_length=16)
    department_key = models.BigIntegerField(_("department"), help_text="0: none")
    count = models.BigIntegerField(_("count"), default=0)

    class Meta:
        verbose_name = _("completion tally")
        verbose_name_plural = _("completion tallies")
        constraints = [models.UniqueConstraint(fields=["course", "source", "department_key"],
                                               name="training_completion_tally_key")]
        indexes = [models.Index(fields=["department_key"],
                                name="training_ctally_department")]

    def __str__(self):
        return f"{self.course_id}/{self.source}/{self.department_key}: {self.count}"


class CompletionScope(Scope):
    """The CISO records completions; information managers read their departments' and
    everyone their own."""

    department_field = "department"
    own_person_field = "person"

    def information_manager(self, roles, action):
        return super().information_manager(roles, action) if action == VIEW else None


class Completion(AuditedModel):
    class Source(models.TextChoices):
        QUIZ = "quiz", _("Quiz passed")
        CLASSROOM = "classroom", _("Attended a session")
        IMPORT = "import", _("Imported from the LMS")
        ACKNOWLEDGEMENT = "acknowledgement", _("Policy acknowledged")
        RECORDED = "recorded", _("Recorded by hand")

    person = models.ForeignKey(Person, on_delete=models.PROTECT,
                               related_name="training_completions", verbose_name=_("person"))
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="completions",
                               verbose_name=_("course"))
    completed_on = models.DateField(_("completed on"))
    score = models.PositiveSmallIntegerField(_("score (%)"), null=True, blank=True,
                                             validators=PERCENT)
    source = models.CharField(_("how completed"), max_length=16, choices=Source.choices,
                              default=Source.RECORDED)
    department = models.ForeignKey(Department, on_delete=models.PROTECT, null=True,
                                   blank=True, editable=False, related_name="+",
                                   verbose_name=_("department"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True, editable=False)
    attempt = models.OneToOneField("QuizAttempt", on_delete=models.PROTECT, null=True,
                                   blank=True, editable=False, related_name="completion",
                                   verbose_name=_("quiz attempt"))
    session = models.ForeignKey(ClassroomSession, on_delete=models.PROTECT, null=True,
                                blank=True, editable=False, related_name="completions",
                                verbose_name=_("classroom session"))
    acknowledgement = models.ForeignKey(Acknowledgement, on_delete=models.PROTECT, null=True,
                                        blank=True, editable=False, related_name="+",
                                        verbose_name=_("acknowledgement"))
    note = models.CharField(_("note"), max_length=200, blank=True)

    objects = AuditedQuerySet.as_manager()
    scope = CompletionScope()

    class Meta:
        verbose_name = _("completion")
        verbose_name_plural = _("completions")
        ordering = ["-completed_on", "-pk"]
        indexes = [
            models.Index(fields=["person", "course", "completed_on"]),
            models.Index(fields=["department", "completed_on"]),
            # The list's default order (newest first, read backwards) and its filters.
            models.Index(fields=["completed_on", "id"], name="training_completion_done"),
            models.Index(fields=["course", "completed_on", "id"],
                         name="training_completion_course"),
            models.Index(fields=["source", "completed_on", "id"],
                         name="training_completion_source"),
        ]

    label_related = ("course", "person")  # what __str__ reads (core.conformance.listed)

    def __str__(self):
        return f"{self.course.code}: {self.person} ({self.completed_on})"

    def get_absolute_url(self):
        return reverse("training:completion_detail", args=[self.pk])

    def clean(self):
        errors = {}
        if self.completed_on and self.completed_on > timezone.localdate():
            errors["completed_on"] = _("The completion date is in the future.")
        if (self.course_id and self.score is not None and self.source != self.Source.QUIZ
                and self.course.kind == Course.Kind.ACKNOWLEDGEMENT):
            errors["score"] = _("A read-and-acknowledge course has no score.")
        if errors:
            raise ValidationError(errors)

    def derive_fields(self, department_id=None) -> None:
        """The person's department (given when the caller read it) and the expiry."""
        if department_id is not None:
            self.department_id = department_id
        elif self.person_id:
            self.department_id = (Person.objects.filter(pk=self.person_id)
                                  .values_list("department_id", flat=True).first())
        months = self.course.validity_months if self.course_id else None
        self.valid_until = add_months(self.completed_on, months) if months else None

    def save(self, *args, **kwargs):
        # The assignments this completion satisfies are completed in the same transaction;
        # after a change (another date, person or course) those it completed are decided
        # again.
        from mamori.training import assign

        using = kwargs.get("using") or self._state.db or "default"
        with transaction.atomic(using=using):
            self.derive_fields()
            people = {self.person_id}
            if self.pk is not None:
                people |= set(self.reopen_assignments(using))
            super().save(*args, **kwargs)
            assign.complete_satisfied(person_ids=sorted(people), using=using)

    def delete(self, *args, **kwargs):
        from mamori.training import assign

        using = kwargs.get("using") or self._state.db or "default"
        with transaction.atomic(using=using):
            people = self.reopen_assignments(using)
            result = super().delete(*args, **kwargs)
            if people:
                assign.complete_satisfied(person_ids=people, using=using)
            return result

    def reopen_assignments(self, using: str) -> list[int]:
        """Open again the assignments this completion completed; returns their people."""
        completed = Assignment.objects.using(using).filter(completion_id=self.pk)
        people = list(completed.values_list("person_id", flat=True).distinct())
        completed.update(status=Assignment.Status.OPEN, completion=None, completed_on=None)
        return people


class QuizAttemptScope(ReadOnlyScope):
    """An attempt is its taker's; the CISO, administrators and auditors read them all.
    Nobody edits or deletes one (there is no page for it): the quiz writes them."""

    own_person_field = "person"


class QuizAttempt(AuditedModel):
    """One sitting of a course's quiz: the order its questions and choices were shown in,
    the answers, and once submitted its score and the hash of what was answered. A submitted
    attempt is evidence and is never changed or deleted."""

    workflow_only = True

    person = models.ForeignKey(Person, on_delete=models.PROTECT,
                               related_name="quiz_attempts", verbose_name=_("person"))
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="attempts",
                               verbose_name=_("course"))
    started_at = models.DateTimeField(_("started at"), default=timezone.now)
    # "submitted at" alone is already the review request's time (レビュー依頼日時).
    submitted_at = models.DateTimeField(pgettext_lazy("quiz", "submitted at"), null=True,
                                        blank=True)
    # [[question id, [choice index as shown first, second, …]], …] in the order shown.
    layout = models.JSONField(_("questions as shown"), default=list)
    # {question id: [chosen choice indexes, counted from 0 in the question's own order]}
    answers = models.JSONField(_("answers"), default=dict)
    score = models.PositiveSmallIntegerField(_("score (%)"), null=True, blank=True)
    passed = models.BooleanField(_("passed"), default=False)
    pass_mark = models.PositiveSmallIntegerField(_("pass mark (%)"), default=0)
    content_hash = models.CharField(_("hash of the questions"), max_length=64, blank=True)
    answers_hash = models.CharField(_("hash of the answers"), max_length=64, blank=True)

    objects = AuditedQuerySet.as_manager()
    scope = QuizAttemptScope()

    class Meta:
        verbose_name = _("quiz attempt")
        verbose_name_plural = _("quiz attempts")
        ordering = ["-started_at", "-pk"]
        indexes = [models.Index(fields=["person", "course", "started_at"]),
                   models.Index(fields=["started_at", "id"], name="training_attempt_started")]

    def __str__(self):
        started = timezone.localtime(self.started_at)
        return f"{self.course.code}: {self.person} ({started:%Y-%m-%d %H:%M})"

    def get_absolute_url(self):
        return reverse("training:quizattempt_detail", args=[self.pk])

    def save(self, *args, **kwargs):
        if self.pk is not None:
            stored = type(self)._base_manager.filter(pk=self.pk).values_list(
                "submitted_at", flat=True).first()
            if stored is not None:
                raise ValidationError(_("A submitted attempt is kept as it was."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self.submitted_at is not None:
            raise ValidationError(_("A submitted attempt is kept as it was."))
        return super().delete(*args, **kwargs)


def rederive_expiry(course: Course, using: str = "default") -> None:
    """Every completion's expiry from the course's validity (one UPDATE per distinct
    completion date)."""
    completions = Completion.objects.using(using).filter(course=course)
    for day in completions.values_list("completed_on", flat=True).distinct().order_by():
        on_day = completions.filter(completed_on=day)
        if course.validity_months:
            until = add_months(day, course.validity_months)
            on_day.exclude(valid_until=until).update(valid_until=until)
        else:
            on_day.filter(valid_until__isnull=False).update(valid_until=None)
