from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from mamori.core import io
from mamori.core import roles as r
from mamori.core.audit import one_user_action
from mamori.core.roles import roles_for
from mamori.core.scope import ADD, VIEW, can
from mamori.core.tablebook import TableBook
from mamori.core.views import generic
from mamori.org.models import Person
from mamori.policies.markdown import render as render_markdown
from mamori.training import (
    attendance,
    certificate,
    coverage,
    filtersets,
    forms,
    quiz,
    tables,
    tally,
)
from mamori.training.models import (
    Assignment,
    ClassroomSession,
    Completion,
    Course,
    Programme,
    Question,
    QuizAttempt,
    TrainingSettings,
)

SHOWN = 20

# --- Course ----------------------------------------------------------------------


class CourseList(generic.ScopedListView):
    purpose = gettext_lazy(
        "The courses people take: e-learning with a quiz, classroom sessions, external "
        "LMS courses and policies to read and acknowledge."
    )
    model = Course
    filterset_class = filtersets.CourseFilterSet
    table_class = tables.CourseTable
    resource_class = tables.CourseResource


class CourseDetail(generic.ScopedDetailView):
    model = Course
    template_name = "training/course_detail.html"
    fields = [
        "code",
        "kind",
        "title_ja",
        "title_en",
        "summary_ja",
        "summary_en",
        "policy_document",
        "duration_minutes",
        "validity_months",
        "pass_mark",
        "is_active",
    ]

    def extra_context(self, obj):
        user = self.request.user
        may_view_questions = can(user, Question, VIEW)
        return {
            "body_html": render_markdown(obj.body),
            # Questions carry their answers: listed only to those who may read them.
            "questions": (list(Question.objects.restrict(user, VIEW).filter(course=obj)
                               .order_by("position", "pk")) if may_view_questions else None),
            "can_add_question": obj.kind == Course.Kind.ELEARNING and can(user, Question, ADD),
            "sessions": (list(ClassroomSession.objects.restrict(user, VIEW).filter(course=obj)
                              .order_by("-starts_at", "-pk")[:SHOWN])
                         if obj.kind == Course.Kind.CLASSROOM else None),
            "can_add_session": (obj.kind == Course.Kind.CLASSROOM
                                and can(user, ClassroomSession, ADD)),
            "programmes": list(Programme.objects.restrict(user, VIEW).filter(course=obj)
                               .order_by("code")),
            "can_take": (obj.kind == Course.Kind.ELEARNING and obj.is_active
                         and getattr(user, "person", None) is not None),
        }


class CourseHistory(generic.ObjectHistoryView):
    model = Course


class CourseCreate(generic.ScopedCreateView):
    model = Course
    form_class = forms.CourseForm


class CourseUpdate(generic.ScopedUpdateView):
    model = Course
    form_class = forms.CourseForm


class CourseDelete(generic.ScopedDeleteView):
    model = Course


class CourseBulkDelete(generic.ScopedBulkDeleteView):
    model = Course


class CourseImport(generic.ScopedImportView):
    model = Course
    form_class = forms.CourseForm
    resource_class = tables.CourseResource


# --- Question ----------------------------------------------------------------------


class QuestionList(generic.ScopedListView):
    purpose = gettext_lazy(
        "The quiz questions of the e-learning courses, with their correct answers."
    )
    model = Question
    filterset_class = filtersets.QuestionFilterSet
    table_class = tables.QuestionTable
    resource_class = tables.QuestionResource


class QuestionDetail(generic.ScopedDetailView):
    model = Question
    fields = [
        "course",
        "position",
        "multiple",
        "text_ja",
        "text_en",
        "choices_ja",
        "choices_en",
        "correct",
    ]


class QuestionHistory(generic.ObjectHistoryView):
    model = Question


class QuestionCreate(generic.ScopedCreateView):
    model = Question
    form_class = forms.QuestionForm
    prefill = {"course": "course"}


class QuestionUpdate(generic.ScopedUpdateView):
    model = Question
    form_class = forms.QuestionForm


class QuestionDelete(generic.ScopedDeleteView):
    model = Question


class QuestionBulkDelete(generic.ScopedBulkDeleteView):
    model = Question


class QuestionImport(generic.ScopedImportView):
    model = Question
    form_class = forms.QuestionForm
    resource_class = tables.QuestionResource


# --- ClassroomSession ----------------------------------------------------------------------


class ClassroomSessionList(generic.ScopedListView):
    purpose = gettext_lazy("Classroom sessions of the courses, with their attendance.")
    model = ClassroomSession
    filterset_class = filtersets.ClassroomSessionFilterSet
    table_class = tables.ClassroomSessionTable
    resource_class = tables.ClassroomSessionResource


class ClassroomSessionDetail(generic.ScopedDetailView):
    model = ClassroomSession
    template_name = "training/classroomsession_detail.html"
    fields = ["course", "starts_at", "ends_at", "place", "instructor", "notes"]

    attendance_form = None  # the attendance form sent back with its errors

    def extra_context(self, obj):
        return attendance_context(self.request.user, obj, self.attendance_form)


class ClassroomSessionHistory(generic.ObjectHistoryView):
    model = ClassroomSession


class ClassroomSessionCreate(generic.ScopedCreateView):
    model = ClassroomSession
    form_class = forms.ClassroomSessionForm
    prefill = {"course": "course"}


class ClassroomSessionUpdate(generic.ScopedUpdateView):
    model = ClassroomSession
    form_class = forms.ClassroomSessionForm


class ClassroomSessionDelete(generic.ScopedDeleteView):
    model = ClassroomSession


class ClassroomSessionBulkDelete(generic.ScopedBulkDeleteView):
    model = ClassroomSession


class ClassroomSessionImport(generic.ScopedImportView):
    model = ClassroomSession
    form_class = forms.ClassroomSessionForm
    resource_class = tables.ClassroomSessionResource


# --- Programme ----------------------------------------------------------------------


class ProgrammeList(generic.ScopedListView):
    purpose = gettext_lazy(
        "Which course is for whom and by when: the rules the assignments are derived from."
    )
    model = Programme
    filterset_class = filtersets.ProgrammeFilterSet
    table_class = tables.ProgrammeTable
    resource_class = tables.ProgrammeResource


class ProgrammeDetail(generic.ScopedDetailView):
    model = Programme
    template_name = "training/programme_detail.html"
    fields = [
        "code",
        "title_ja",
        "title_en",
        "course",
        "mandatory",
        "recurrence",
        "due_days",
        "categories",
        "departments",
        "roles",
        "handles_personal_data",
        "handles_card_data",
        "starts_on",
        "ends_on",
        "is_active",
    ]

    def field_rows(self, obj):
        # The audience's lists by their names (not a JSON list or a related manager), and
        # what an empty one means.
        categories = dict(Person.Category.choices)
        roles = dict(Programme.Role.choices)
        shown = {
            "categories": ", ".join(str(categories.get(c, c)) for c in obj.categories or ())
            or gettext("Every category"),
            "roles": ", ".join(str(roles.get(c, c)) for c in obj.roles or ())
            or gettext("Anyone"),
            "departments": ", ".join(str(d) for d in obj.departments.all())
            or gettext("The whole company"),
        }
        return [(label, shown.get(name, value)) for (label, value), name
                in zip(super().field_rows(obj), self.fields, strict=True)]

    def extra_context(self, obj):
        if not sees_coverage(self.request.user):
            return {}
        return {"coverage": coverage.grid(self.request.user, obj)}


class ProgrammeHistory(generic.ObjectHistoryView):
    model = Programme


class ProgrammeCreate(generic.ScopedCreateView):
    model = Programme
    form_class = forms.ProgrammeForm


class ProgrammeUpdate(generic.ScopedUpdateView):
    model = Programme
    form_class = forms.ProgrammeForm


class ProgrammeDelete(generic.ScopedDeleteView):
    model = Programme


class ProgrammeBulkDelete(generic.ScopedBulkDeleteView):
    model = Programme


class ProgrammeImport(generic.ScopedImportView):
    model = Programme
    form_class = forms.ProgrammeForm
    resource_class = tables.ProgrammeResource


# --- Assignment ----------------------------------------------------------------------


class AssignmentList(generic.ScopedListView):
    purpose = gettext_lazy(
        "Who is to take which programme's course, by when: derived from the "
        "programmes, never typed."
    )
    model = Assignment
    filterset_class = filtersets.AssignmentFilterSet
    table_class = tables.AssignmentTable
    resource_class = tables.AssignmentResource

    def known_count(self, filterset):
        # Filtered by the tally's columns only, as one who sees every assignment or their
        # departments': counted from the tally (counting two million took 240 ms).
        return tally.ASSIGNMENTS.count(self.request.user, filterset)


class AssignmentDetail(generic.ScopedDetailView):
    model = Assignment
    fields = [
        "programme",
        "person",
        "category",
        "department",
        "cycle",
        "assigned_on",
        "due_from",
        "due_on",
        "counts_from",
        "status",
        "completed_on",
        "completion",
        "cancelled_on",
        "reminded_on",
        "escalated_on",
    ]


class AssignmentHistory(generic.ObjectHistoryView):
    model = Assignment


# --- Completion ----------------------------------------------------------------------


class CompletionList(generic.ScopedListView):
    purpose = gettext_lazy(
        "Who completed which course, when and how: quizzes passed, sessions attended, "
        "LMS imports and acknowledgements."
    )
    model = Completion
    filterset_class = filtersets.CompletionFilterSet
    table_class = tables.CompletionTable
    resource_class = tables.CompletionResource

    def known_count(self, filterset):
        # As for assignments (counting 1.6 million completions took 200 ms).
        return tally.COMPLETIONS.count(self.request.user, filterset)


class CompletionDetail(generic.ScopedDetailView):
    model = Completion
    template_name = "training/completion_detail.html"
    fields = [
        "person",
        "course",
        "completed_on",
        "score",
        "source",
        "valid_until",
        "department",
        "attempt",
        "session",
        "acknowledgement",
        "note",
    ]


class CompletionHistory(generic.ObjectHistoryView):
    model = Completion


class CompletionCreate(generic.ScopedCreateView):
    model = Completion
    form_class = forms.CompletionForm


class CompletionUpdate(generic.ScopedUpdateView):
    model = Completion
    form_class = forms.CompletionForm


class CompletionDelete(generic.ScopedDeleteView):
    model = Completion


class CompletionBulkDelete(generic.ScopedBulkDeleteView):
    model = Completion


class CompletionImport(generic.ScopedImportView):
    model = Completion
    form_class = forms.CompletionImportForm
    resource_class = tables.CompletionResource


# --- QuizAttempt ----------------------------------------------------------------------


class QuizAttemptList(generic.ScopedListView):
    purpose = gettext_lazy(
        "Every attempt at a quiz, kept with its answers; a submitted one is never changed."
    )
    model = QuizAttempt
    filterset_class = filtersets.QuizAttemptFilterSet
    table_class = tables.QuizAttemptTable
    resource_class = tables.QuizAttemptResource


class QuizAttemptDetail(generic.ScopedDetailView):
    model = QuizAttempt
    fields = [
        "person",
        "course",
        "started_at",
        "submitted_at",
        "score",
        "pass_mark",
        "passed",
        "content_hash",
        "answers_hash",
    ]


class QuizAttemptHistory(generic.ObjectHistoryView):
    model = QuizAttempt


# --- settings ----------------------------------------------------------------------


class TrainingSettingsList(generic.SettingsRowView):
    model = TrainingSettings


class TrainingSettingsDetail(generic.ScopedDetailView):
    model = TrainingSettings
    fields = ["completion_threshold", "reminder_days", "fiscal_year_start_month"]


class TrainingSettingsUpdate(generic.ScopedUpdateView):
    model = TrainingSettings
    form_class = forms.TrainingSettingsForm


class TrainingSettingsHistory(generic.ObjectHistoryView):
    model = TrainingSettings


def sees_coverage(user) -> bool:
    """The CISO, administrators and auditors (every department) and information managers
    (their departments'); staff see their own assignments on their page, not coverage."""
    roles = roles_for(user)
    return roles.has(r.ADMIN, r.CISO, r.AUDITOR, r.INFORMATION_MANAGER) and can(
        user, Assignment, VIEW)


class CoverageView(generic.ModelViewMixin, TemplateView):
    """Who has done each programme in its current cycle, per person category and
    department, for the departments the user sees; each cell opens the people not yet
    done."""

    model = Assignment
    template_name = "training/coverage.html"

    def get(self, request, *args, **kwargs):
        if not sees_coverage(request.user):
            raise PermissionDenied
        today = timezone.localdate()
        programmes = list(Programme.objects.restrict(request.user).select_related("course"))
        chosen = None
        wanted = request.GET.get("programme", "")
        if wanted.isdigit():
            chosen = next((p for p in programmes if p.pk == int(wanted)), None)
        chosen = chosen or coverage.default_programme(programmes, today)
        result = coverage.grid(request.user, chosen, today) if chosen else None
        export = request.GET.get("export")
        if result is not None and export in ("csv", "xlsx"):
            return self.export(result, export)
        if result is not None:
            coverage.render_cells(result, reverse("training:assignment_list"))
        return self.render_to_response(self.base_context(
            programmes=programmes, programme=chosen, grid=result))

    def export(self, result, fmt):
        headers, rows = coverage.export_rows(result)
        filename = (f"training-coverage-{result.programme.code}-"
                    f"{timezone.localtime():%Y%m%d-%H%M}")
        if fmt == "xlsx":
            book = TableBook()
            book.add_table(gettext("Training coverage"), headers, rows)
            return book.attachment(filename)
        return io.attachment("\ufeff" + io.csv_text(headers, rows),
                             "text/csv; charset=utf-8", f"{filename}.csv")


# --- Taking a course ---------------------------------------------------------------


def own_person(request):
    return getattr(request.user, "person", None)


class CourseTake(generic.ModelViewMixin, TemplateView):
    """A person on their own: the course text, then a new attempt at its quiz."""

    model = Course
    template_name = "training/course_take.html"

    def get(self, request, *args, **kwargs):
        course = self.get_object(VIEW)
        return self.render_to_response(self.base_context(
            object=course, body_html=render_markdown(course.body),
            refusal=quiz.refusal(own_person(request), course)))

    def post(self, request, *args, **kwargs):
        course = self.get_object(VIEW)
        try:
            with transaction.atomic(), one_user_action():
                attempt = quiz.start(own_person(request), course)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return HttpResponseRedirect(reverse("training:course_take", args=[course.pk]))
        return HttpResponseRedirect(reverse("training:quizattempt_answer", args=[attempt.pk]))


class QuizAttemptAnswer(generic.ModelViewMixin, TemplateView):
    """The quiz of an open attempt, for its own person only; submitting scores it."""

    model = QuizAttempt
    template_name = "training/quiz_answer.html"

    def get_attempt(self):
        person = own_person(self.request)
        if person is None:
            raise Http404
        return get_object_or_404(
            QuizAttempt.objects.restrict(self.request.user, VIEW).select_related("course"),
            pk=self.kwargs["pk"], person=person, submitted_at__isnull=True)

    def get(self, request, *args, **kwargs):
        attempt = self.get_attempt()
        return self.render_to_response(self.base_context(
            object=attempt, questions=quiz.shown_questions(attempt)))

    def post(self, request, *args, **kwargs):
        attempt = self.get_attempt()
        try:
            with transaction.atomic(), one_user_action():
                attempt = quiz.submit(attempt, request.POST)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        return HttpResponseRedirect(reverse("training:quizattempt_result", args=[attempt.pk]))


class QuizAttemptResult(generic.ModelViewMixin, TemplateView):
    """A submitted attempt's score and the questions answered wrongly (never the answers)."""

    model = QuizAttempt
    template_name = "training/quiz_result.html"

    def get(self, request, *args, **kwargs):
        attempt = get_object_or_404(
            self.scoped(VIEW).select_related("course", "person"), pk=self.kwargs["pk"],
            submitted_at__isnull=False)
        person = own_person(request)
        mine = person is not None and attempt.person_id == person.pk
        completion = Completion.objects.restrict(request.user, VIEW).filter(
            attempt=attempt).first()
        return self.render_to_response(self.base_context(
            object=attempt, wrong=quiz.wrong_questions(attempt), completion=completion,
            can_retry=mine and not attempt.passed and quiz.refusal(person, attempt.course)
            is None))


# --- Certificates and attendance ----------------------------------------------------


class CompletionCertificate(generic.ModelViewMixin, TemplateView):
    model = Completion

    def get(self, request, *args, **kwargs):
        completion = get_object_or_404(
            self.scoped(VIEW).select_related("person", "course", "attempt"),
            pk=self.kwargs["pk"])
        return certificate.pdf_response(completion)


def attendance_context(user, session, form=None) -> dict:
    may_record = can(user, Completion, ADD)
    # The session's few attendees are read by its key alone and their people by theirs, then
    # sorted here. Joined to the people (to sort or select them), SQLite walked all 50,000
    # people at ten times the company (2.5 s): the session key is NULL for every e-learning
    # completion, so its statistics promise 800,000 rows for any one session.
    attendees = Completion.objects.restrict(user, VIEW).filter(session=session).order_by()
    return {
        "attendees": sorted(attendees.prefetch_related("person"),
                            key=lambda completion: completion.person.employee_no),
        "attendance_form": (form or forms.AttendanceForm()) if may_record else None,
    }


class ClassroomSessionAttendance(generic.ModelActionView):
    """Record who attended: all the staff numbers or none."""

    model = ClassroomSession

    def post(self, request, *args, **kwargs):
        session = self.get_object(VIEW)
        if not can(request.user, Completion, ADD):
            raise PermissionDenied
        form = forms.AttendanceForm(request.POST)
        if form.is_valid():
            try:
                with transaction.atomic(), one_user_action():
                    recorded = attendance.record(request.user, session,
                                                 form.cleaned_data["staff_numbers"])
            except ValidationError as exc:
                for message in exc.messages:
                    form.add_error("staff_numbers", message)
            else:
                messages.success(request, _("Recorded the attendance of %(count)d people.")
                                 % {"count": len(recorded)})
                return HttpResponseRedirect(session.get_absolute_url())
        # The session's own page again, with the form and its errors.
        detail = ClassroomSessionDetail(attendance_form=form)
        detail.setup(request, *args, **kwargs)
        response = detail.get(request, *args, **kwargs)
        response.status_code = 400
        return response
