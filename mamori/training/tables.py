from mamori.core.tables import Column, DueColumn, Resource, Table
from mamori.training.models import (
    Assignment,
    ClassroomSession,
    Completion,
    Course,
    Programme,
    Question,
    QuizAttempt,
)


class CourseTable(Table):
    columns = [
        Column("code", link=True),
        Column("title_ja", link=True),
        Column("title_en"),
        Column("kind"),
        Column("duration_minutes"),
        Column("validity_months"),
        Column("is_active"),
    ]
    default_ordering = "code"


class CourseResource(Resource):
    model = Course
    fields = ["code", "kind", "title_ja", "title_en", "summary_ja", "summary_en", "body_ja",
              "body_en", "policy_document", "duration_minutes", "validity_months", "pass_mark",
              "is_active"]
    key = "code"
    natural_keys = {"policy_document": "code"}
    select_related = ("policy_document",)


class QuestionTable(Table):
    columns = [
        Column("course", order_by="course__code", link=True),
        Column("position", link=True),
        Column("text_ja"),
        Column("multiple"),
    ]
    select_related = ("course",)
    default_ordering = "position"


class QuestionResource(Resource):
    model = Question
    fields = ["course", "position", "multiple", "text_ja", "text_en", "choices_ja",
              "choices_en", "correct"]
    key = None
    natural_keys = {"course": "code"}
    select_related = ("course",)


class ClassroomSessionTable(Table):
    columns = [
        Column("course", order_by="course__code", link=True),
        Column("starts_at", link=True),
        Column("ends_at"),
        Column("place"),
        Column("instructor"),
    ]
    select_related = ("course",)
    default_ordering = "-starts_at"


class ClassroomSessionResource(Resource):
    model = ClassroomSession
    fields = ["course", "starts_at", "ends_at", "place", "instructor", "notes"]
    key = None
    natural_keys = {"course": "code"}
    select_related = ("course",)


class ProgrammeTable(Table):
    columns = [
        Column("code", link=True),
        Column("title_ja", link=True),
        Column("course", order_by="course__code"),
        Column("recurrence"),
        Column("due_days"),
        Column("mandatory"),
        Column("starts_on"),
        Column("is_active"),
    ]
    select_related = ("course",)
    default_ordering = "code"


class ProgrammeResource(Resource):
    model = Programme
    fields = ["code", "title_ja", "title_en", "course", "mandatory", "recurrence", "due_days",
              "handles_personal_data", "handles_card_data", "starts_on", "ends_on",
              "is_active"]
    key = "code"
    natural_keys = {"course": "code"}
    select_related = ("course",)


# The two lists that reach millions of rows (two million assignments at ten times the demo
# company) sort only by what an index serves (the due date, the completion date) or a nested
# loop over a unique index (person, course): sorting every row by a column no index serves
# took 0.3-0.5 s a page on PostgreSQL. Those columns are filters instead.
class AssignmentTable(Table):
    columns = [
        Column("person", order_by="person__employee_no", link=True),
        Column("programme", link=True, sortable=False),
        Column("category", sortable=False),
        Column("department", sortable=False),
        Column("cycle", sortable=False),
        Column("assigned_on", sortable=False),
        DueColumn("due_on", done="completed_on"),
        Column("status", sortable=False),
        Column("completed_on", sortable=False),
    ]
    select_related = ("person", "programme", "department")
    default_ordering = "due_on"


class AssignmentResource(Resource):
    model = Assignment
    fields = ["programme", "person", "category", "department", "cycle", "assigned_on",
              "due_on", "status", "completed_on", "cancelled_on"]
    key = None
    natural_keys = {"programme": "code", "person": "employee_no", "department": "code"}
    select_related = ("programme", "person", "department")


class CompletionTable(Table):
    columns = [
        Column("person", order_by="person__employee_no", link=True),
        Column("course", order_by="course__code", link=True),
        Column("completed_on"),
        Column("score", sortable=False),
        Column("source", sortable=False),
        Column("valid_until", sortable=False),
        Column("department", sortable=False),
    ]
    select_related = ("person", "course", "department")
    default_ordering = "-completed_on"


class CompletionResource(Resource):
    """The LMS file: staff number, course code, date and score."""

    model = Completion
    fields = ["person", "course", "completed_on", "score", "note"]
    key = None
    natural_keys = {"person": "employee_no", "course": "code"}
    select_related = ("person", "course")


class QuizAttemptTable(Table):
    columns = [
        Column("person", order_by="person__employee_no", link=True),
        Column("course", order_by="course__code", link=True),
        Column("started_at"),
        Column("submitted_at"),
        Column("score"),
        Column("passed"),
    ]
    select_related = ("person", "course")
    default_ordering = "-started_at"


class QuizAttemptResource(Resource):
    model = QuizAttempt
    fields = ["person", "course", "started_at", "submitted_at", "score", "passed",
              "answers_hash"]
    key = None
    natural_keys = {"person": "employee_no", "course": "code"}
    select_related = ("person", "course")


