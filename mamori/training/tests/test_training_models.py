"""Training's records through the shared UI/API/scope tests (mamori.core.testing), with the
rules each adds: questions carry their answers and are hidden from the people taking the quiz,
completions come from the LMS file all or nothing, and assignments and quiz attempts are
written by Mamori alone."""

import datetime

import pytest
from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from mamori.core.audit import one_user_action
from mamori.core.models import ChangeLogEntry
from mamori.core.testing import (
    CisoChangesTests,
    ScopedModelTests,
    api_client,
    log_entries,
    query_count,
)
from mamori.org.models import Person
from mamori.training import tables
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

DAY = datetime.date(2026, 4, 1)


def make_course(code="ISMS-BASIC", kind=Course.Kind.ELEARNING, **fields):
    fields.setdefault("title_ja", "情報セキュリティ基礎")
    fields.setdefault("body_ja", "本文" if kind == Course.Kind.ELEARNING else "")
    return Course.objects.create(code=code, kind=kind, **fields)


def make_question(course, position=1, **fields):
    fields.setdefault("text_ja", "パスワードは？")
    fields.setdefault("choices_ja", "共有する\n共有しない")
    fields.setdefault("correct", "2")
    return Question.objects.create(course=course, position=position, **fields)


def make_programme(course, code="ALL", **fields):
    fields.setdefault("title_ja", "全員研修")
    fields.setdefault("starts_on", DAY)
    fields.setdefault("recurrence", Programme.Recurrence.ONCE)
    departments = fields.pop("departments", ())
    # As a form saves it: the row and its links are one change-log entry.
    with transaction.atomic(), one_user_action():
        programme = Programme.objects.create(code=code, course=course, **fields)
        if departments:
            programme.departments.set(departments)
    return programme


def rows_shown(response):
    return {obj.pk for obj, _cells in response.context["rows"]}


def api_ids(response):
    return {row["id"] for row in response.json()["results"]}


class WithCourses:
    """An e-learning and a classroom course exist before each test."""

    @pytest.fixture(autouse=True)
    def _courses(self, org):
        make_course("ISMS-BASIC")
        make_course("ISMS-ROOM", kind=Course.Kind.CLASSROOM, title_ja="集合研修")

    def elearning(self):
        return Course.objects.get(code="ISMS-BASIC")

    def classroom(self):
        return Course.objects.get(code="ISMS-ROOM")


class TestCourse(CisoChangesTests, ScopedModelTests):
    model = Course
    api_path = "/api/training/courses/"
    reader = "staff"  # everyone reads the catalogue of courses

    def in_scope_object(self, org):
        return make_course("ISMS-BASIC")

    def out_of_scope_object(self, org):
        return make_course("PCI-DSS", title_ja="カード情報の取扱い")

    def create_data(self, org):
        return {"code": "NEW-COURSE", "kind": "elearning", "title_ja": "標的型メール訓練",
                "title_en": "Phishing", "summary_ja": "", "summary_en": "",
                "body_ja": "# 本文", "body_en": "", "policy_document": None,
                "duration_minutes": 20, "validity_months": 12, "pass_mark": 80,
                "is_active": True}

    def out_of_scope_create_data(self, org):
        return {**self.create_data(org), "code": "OTHER-COURSE"}

    def update_data(self, org, obj):
        return {"code": obj.code, "kind": obj.kind, "title_ja": obj.title_ja,
                "title_en": "Basics", "summary_ja": "改訂", "summary_en": "",
                "body_ja": obj.body_ja, "body_en": "", "policy_document": None,
                "duration_minutes": 45, "validity_months": None, "pass_mark": 70,
                "is_active": True}

    def make_rows(self, org, n):
        start = Course.objects.count()
        Course.objects.bulk_create(Course(code=f"C-{start + i}", title_ja=f"講座{i}",
                                          body_ja="本文") for i in range(n))

    def resource(self):
        return tables.CourseResource()

    def bad_import_column(self):
        return "kind"

    def file_value(self, org, name, value):
        if name == "code":
            return "FILE-COURSE"
        return super().file_value(org, name, value)

    @pytest.mark.parametrize("username", ["staff", "it_staff", "manager", "auditor"])
    def test_everyone_reads_the_courses(self, org, username):
        course = self.in_scope_object(org)
        assert org.client(username).get(self.url("detail", course.pk)).status_code == 200
        assert course.pk in api_ids(api_client(org.users[username]).get(self.api_path))


class TestQuestion(WithCourses, CisoChangesTests, ScopedModelTests):
    model = Question
    api_path = "/api/training/questions/"
    reader = "auditor"  # reads them all, changes none

    def in_scope_object(self, org):
        return make_question(self.elearning(), 1)

    def out_of_scope_object(self, org):
        return make_question(self.elearning(), 2, text_ja="USBメモリは？")

    def create_data(self, org):
        return {"course": self.elearning().pk, "position": 3, "multiple": True,
                "text_ja": "正しいものを全て選べ", "text_en": "", "choices_ja": "A\nB\nC",
                "choices_en": "", "correct": "1,3"}

    def out_of_scope_create_data(self, org):
        return {**self.create_data(org), "position": 4}

    def update_data(self, org, obj):
        return {"course": obj.course_id, "position": obj.position, "multiple": False,
                "text_ja": "改訂した問い", "text_en": "Revised", "choices_ja": obj.choices_ja,
                "choices_en": "", "correct": "1"}

    def make_rows(self, org, n):
        course = self.elearning()
        Question.objects.bulk_create(
            Question(course=course, position=10 + i, text_ja=f"問{i}", choices_ja="A\nB",
                     correct="1") for i in range(n))

    def resource(self):
        return tables.QuestionResource()

    def bad_import_column(self):
        return "correct"

    def formula_columns(self):
        # The choices and the correct numbers are checked (two lines, numbers within them).
        return ["text_ja", "text_en"]

    @pytest.mark.parametrize("username", ["staff", "it_staff", "manager"])
    def test_the_people_taking_the_quiz_see_no_question(self, org, username):
        """The questions carry their answers: outside an attempt of their own, staff and
        information managers get nothing, in the UI, the API or an export."""
        question = self.in_scope_object(org)
        client = org.client(username)
        response = client.get(self.url("list"))
        assert response.status_code in (200, 403, 404)
        if response.status_code == 200:
            assert rows_shown(response) == set()
            export = client.get(self.url("list") + "?export=csv")
            assert "共有しない" not in export.content.decode("utf-8-sig")
        assert client.get(self.url("detail", question.pk)).status_code == 404
        assert client.get(self.url("history", question.pk)).status_code == 404
        api = api_client(org.users[username])
        listed = api.get(self.api_path)
        assert listed.status_code in (200, 403)
        if listed.status_code == 200:
            assert listed.json()["results"] == []
        assert api.get(f"{self.api_path}{question.pk}/").status_code in (403, 404)
        course = client.get(reverse("training:course_detail", args=[question.course_id]))
        assert course.status_code == 200
        assert "共有しない" not in course.content.decode()


class TestClassroomSession(WithCourses, CisoChangesTests, ScopedModelTests):
    model = ClassroomSession
    api_path = "/api/training/sessions/"

    def at(self, day, hour):
        return timezone.make_aware(datetime.datetime(2026, 5, day, hour))

    def in_scope_object(self, org):
        return ClassroomSession.objects.create(course=self.classroom(), starts_at=self.at(1, 10),
                                               ends_at=self.at(1, 12), place="本社会議室A")

    def out_of_scope_object(self, org):
        return ClassroomSession.objects.create(course=self.classroom(), starts_at=self.at(2, 10),
                                               ends_at=self.at(2, 12), place="大阪支社")

    def create_data(self, org):
        return {"course": self.classroom().pk, "starts_at": "2026-06-01T10:00",
                "ends_at": "2026-06-01T11:30", "place": "本社会議室B", "instructor": "情報太郎",
                "notes": ""}

    def out_of_scope_create_data(self, org):
        return {**self.create_data(org), "place": "名古屋"}

    def update_data(self, org, obj):
        return {"course": obj.course_id, "starts_at": "2026-05-01T13:00",
                "ends_at": "2026-05-01T15:00", "place": obj.place, "instructor": "講師",
                "notes": "時間変更"}

    def make_rows(self, org, n):
        course = self.classroom()
        ClassroomSession.objects.bulk_create(
            ClassroomSession(course=course, starts_at=self.at(10 + i % 15, 9),
                             ends_at=self.at(10 + i % 15, 17), place=f"会場{i}")
            for i in range(n))

    def resource(self):
        return tables.ClassroomSessionResource()

    def bad_import_column(self):
        return "starts_at"

    def test_a_session_is_held_for_a_classroom_course(self, org):
        data = {**self.create_data(org), "course": self.elearning().pk}
        response = org.client("ciso").post(self.url("create"), data)
        assert response.status_code in (200, 400)
        assert not ClassroomSession.objects.exists()


class TestProgramme(WithCourses, CisoChangesTests, ScopedModelTests):
    model = Programme
    api_path = "/api/training/programmes/"
    reader = "manager"  # information managers read the programmes, change none

    def in_scope_object(self, org):
        return make_programme(self.elearning(), "ALL-2026")

    def out_of_scope_object(self, org):
        return make_programme(self.elearning(), "SALES-2026", departments=[org.sales])

    def create_data(self, org):
        return {"code": "NEW-PROG", "title_ja": "新任者研修", "title_en": "",
                "course": self.elearning().pk, "mandatory": True, "recurrence": "joiners",
                "due_days": 14, "categories": ["employee"], "roles": [],
                "handles_personal_data": False, "handles_card_data": False,
                "starts_on": "2026-04-01", "ends_on": None, "is_active": True}

    def out_of_scope_create_data(self, org):
        return {**self.create_data(org), "code": "OTHER-PROG"}

    def update_data(self, org, obj):
        return {"code": obj.code, "title_ja": obj.title_ja, "title_en": "Everyone",
                "course": obj.course_id, "mandatory": True, "recurrence": obj.recurrence,
                "due_days": 60, "categories": [], "roles": [],
                "handles_personal_data": False, "handles_card_data": False,
                "starts_on": obj.starts_on.isoformat(), "ends_on": None, "is_active": True}

    def links(self, org):
        return {"departments": [org.sales.pk]}

    def make_rows(self, org, n):
        start = Programme.objects.count()
        Programme.objects.bulk_create(
            Programme(code=f"P-{start + i}", title_ja=f"研修{i}", course=self.elearning(),
                      starts_on=DAY) for i in range(n))

    def resource(self):
        return tables.ProgrammeResource()

    def bad_import_column(self):
        return "recurrence"

    def file_value(self, org, name, value):
        if name == "code":
            return "FILE-PROG"
        return super().file_value(org, name, value)

    def free_for_deletion(self, org, obj):
        Assignment.objects.filter(programme=obj).delete()

    def test_staff_see_no_programme(self, org):
        self.in_scope_object(org)
        response = org.client("staff").get(self.url("list"))
        assert response.status_code in (403, 200)
        if response.status_code == 200:
            assert rows_shown(response) == set()
        assert api_ids(api_client(org.users["staff"]).get(self.api_path)) == set()


class TestCompletion(WithCourses, CisoChangesTests, ScopedModelTests):
    """The CISO records completions (by hand or from the LMS file); information managers read
    their departments', staff their own."""

    model = Completion
    api_path = "/api/training/completions/"
    reader = "manager"

    def reader_sees(self, which):
        return which == "inside"

    def in_scope_object(self, org):
        return Completion.objects.create(person=org.people["staff"], course=self.elearning(),
                                         completed_on=DAY, score=90)

    def out_of_scope_object(self, org):
        return Completion.objects.create(person=org.people["it_staff"], course=self.elearning(),
                                         completed_on=DAY, score=85)

    def create_data(self, org):
        return {"person": org.people["staff"].pk, "course": self.elearning().pk,
                "completed_on": "2026-04-10", "score": 95, "note": ""}

    def out_of_scope_create_data(self, org):
        return {**self.create_data(org), "person": org.people["it_staff"].pk}

    def update_data(self, org, obj):
        return {"person": obj.person_id, "course": obj.course_id,
                "completed_on": obj.completed_on.isoformat(), "score": 100, "note": "再採点"}

    def make_rows(self, org, n):
        Completion.objects.bulk_create(
            Completion(person=org.people["staff"], course=self.elearning(),
                       department=org.sales_east, completed_on=DAY, score=i % 100)
            for i in range(n))

    def resource(self):
        return tables.CompletionResource()

    def bad_import_column(self):
        return "completed_on"

    def test_reader_sees_but_cannot_add(self, org):
        inside, outside = self.in_scope_object(org), self.out_of_scope_object(org)
        for username, expected in (("manager", {inside.pk}), ("staff", {inside.pk}),
                                   ("it_staff", {outside.pk}),
                                   ("auditor", {inside.pk, outside.pk})):
            response = org.client(username).get(self.url("list"))
            assert response.status_code == 200
            assert rows_shown(response) == expected, username
            assert response.context["can_add"] is False
            assert api_ids(api_client(org.users[username]).get(self.api_path)) == expected

    def test_completion_takes_the_persons_department(self, org):
        completion = self.in_scope_object(org)
        assert completion.department == org.sales_east

    def import_lms(self, client, rows):
        header = ["person", "course", "completed_on", "score", "note"]
        upload = self.csv_upload([header, *rows])
        return client.post(self.url("import"), {"file": upload})

    @pytest.mark.parametrize(("bad_row", "field"), [
        (["P999", "ISMS-BASIC", "2026-04-10", "90", ""], "person"),
        (["P004", "NO-SUCH", "2026-04-10", "90", ""], "course"),
        (["P004", "ISMS-BASIC", "2026-13-45", "90", ""], "completed_on"),
        (["P004", "ISMS-BASIC", "2026-04-10", "190", ""], "score"),
    ])
    def test_lms_file_is_all_or_nothing_naming_row_and_field(self, org, bad_row, field):
        good = ["P003", "ISMS-BASIC", "2026-04-10", "90", ""]
        client = org.client("ciso")
        log_before = ChangeLogEntry.objects.count()
        response = self.import_lms(client, [good, bad_row])
        assert response.status_code == 400
        errors = response.context["result"].errors
        assert any(e.row == 2 and e.field == field for e in errors), [str(e) for e in errors]
        assert not Completion.objects.exists()
        assert ChangeLogEntry.objects.count() == log_before

    def test_lms_file_completes_open_assignments(self, org):
        programme = make_programme(self.elearning(), departments=[org.sales])
        from mamori.training import assign

        assign.sync_programme(programme, DAY)
        response = self.import_lms(org.client("ciso"),
                                   [["P003", "ISMS-BASIC", "2026-04-10", "90", ""]])
        assert response.status_code == 302
        completion = Completion.objects.get()
        assert completion.source == Completion.Source.IMPORT
        assignment = Assignment.objects.get(programme=programme, person=org.people["staff"])
        assert (assignment.status, assignment.completion_id) == ("completed", completion.pk)


def settings_row():
    return TrainingSettings.objects.order_by("pk").first() or TrainingSettings.objects.create()


SETTINGS_API = "/api/training/settings/"


@pytest.mark.django_db
class TestTrainingSettings:
    @pytest.mark.parametrize("username", ["staff", "manager", "auditor", "ciso"])
    def test_everyone_reads_the_settings(self, org, username):
        row = settings_row()
        response = org.client(username).get(
            reverse("training:trainingsettings_detail", args=[row.pk]))
        assert response.status_code == 200
        assert response.context["can_change"] is (username == "ciso")
        assert response.context["can_delete"] is False
        assert api_ids(api_client(org.users[username]).get(SETTINGS_API)) == {row.pk}

    @pytest.mark.parametrize("username", ["manager", "staff", "auditor"])
    def test_others_cannot_change_the_settings(self, org, username):
        row = settings_row()
        url = reverse("training:trainingsettings_update", args=[row.pk])
        data = {"completion_threshold": 50, "reminder_days": 3, "fiscal_year_start_month": 1}
        assert org.client(username).post(url, data).status_code == 404
        assert api_client(org.users[username]).patch(
            f"{SETTINGS_API}{row.pk}/", data, format="json").status_code in (403, 404)
        row.refresh_from_db()
        assert row.completion_threshold == 95
        assert not log_entries(row, "update").exists()

    def test_nobody_adds_or_deletes_a_settings_row(self, org):
        for action in ("create", "delete", "import", "bulk_delete"):
            with pytest.raises(NoReverseMatch):
                reverse(f"training:trainingsettings_{action}",
                        args=[1] if action == "delete" else [])
        row = settings_row()
        for username in ("ciso", "admin"):
            api = api_client(org.users[username])
            assert api.post(SETTINGS_API, {"reminder_days": 3},
                            format="json").status_code == 405
            assert api.delete(f"{SETTINGS_API}{row.pk}/").status_code == 405
        assert TrainingSettings.objects.count() == 1

    def test_ciso_changes_the_settings_and_it_is_logged(self, org):
        row = settings_row()
        response = org.client("ciso").post(
            reverse("training:trainingsettings_update", args=[row.pk]),
            {"completion_threshold": 90, "reminder_days": 5, "fiscal_year_start_month": 1})
        assert response.status_code == 302
        row.refresh_from_db()
        assert (row.completion_threshold, row.fiscal_year_start_month) == (90, 1)
        assert log_entries(row, "update").get().actor_name == "ciso"

    def test_month_out_of_range_is_refused(self, org):
        row = settings_row()
        response = api_client(org.users["ciso"]).patch(
            f"{SETTINGS_API}{row.pk}/", {"fiscal_year_start_month": 13}, format="json")
        assert response.status_code == 400
        row.refresh_from_db()
        assert row.fiscal_year_start_month == 4


# -- written by Mamori alone --------------------------------------------------------------


@pytest.fixture
def derived(org):
    """A programme for everyone, its assignments derived, and a quiz attempt of staff and
    of IT staff."""
    from mamori.training import assign

    course = make_course()
    programme = make_programme(course, starts_on=timezone.localdate())
    assign.sync_programme(programme)
    attempts = {name: QuizAttempt.objects.create(person=org.people[name], course=course)
                for name in ("staff", "it_staff")}
    return programme, attempts


def mine(org, name, programme):
    return Assignment.objects.get(programme=programme, person=org.people[name]).pk


@pytest.mark.django_db
class TestWorkflowOnly:
    @pytest.mark.parametrize(("model", "api"), [(Assignment, "/api/training/assignments/"),
                                                (QuizAttempt, "/api/training/attempts/")])
    def test_nobody_creates_edits_or_deletes_them(self, org, derived, model, api):
        name = model._meta.model_name
        for action in ("create", "update", "delete", "import", "bulk_delete"):
            with pytest.raises(NoReverseMatch):
                reverse(f"training:{name}_{action}", args=[1] if action in (
                    "update", "delete") else [])
        row = model.objects.order_by("pk").first()
        clients = [api_client(org.users[username])
                   for username in ("ciso", "admin", "manager", "staff", "auditor")]
        before = model.objects.count()
        log_before = ChangeLogEntry.objects.count()
        for client in clients:
            assert client.post(api, {"person": org.people["staff"].pk},
                               format="json").status_code == 405
            assert client.patch(f"{api}{row.pk}/", {"status": "completed"},
                                format="json").status_code == 405
            assert client.put(f"{api}{row.pk}/", {}, format="json").status_code == 405
            assert client.delete(f"{api}{row.pk}/").status_code == 405
        assert model.objects.count() == before
        assert ChangeLogEntry.objects.count() == log_before

    def test_assignment_scopes(self, org, derived):
        programme, _attempts = derived
        every = set(Assignment.objects.values_list("pk", flat=True))
        url = reverse("training:assignment_list")
        api = "/api/training/assignments/"
        expected = {
            "staff": {mine(org, "staff", programme)},
            "it_staff": {mine(org, "it_staff", programme)},
            # Sales and below: the manager and staff, not IT's people.
            "manager": {mine(org, "manager", programme), mine(org, "staff", programme)},
            "auditor": every,
            "ciso": every,
        }
        for username, ids in expected.items():
            response = org.client(username).get(url)
            assert response.status_code == 200
            assert rows_shown(response) == ids, username
            assert api_ids(api_client(org.users[username]).get(api + "?limit=500")) == ids
        other = mine(org, "it_staff", programme)
        detail = reverse("training:assignment_detail", args=[other])
        assert org.client("manager").get(detail).status_code == 404
        assert org.client("staff").get(detail).status_code == 404
        assert org.client("auditor").get(detail).status_code == 200

    def test_quiz_attempt_scopes(self, org, derived):
        _programme, attempts = derived
        url = reverse("training:quizattempt_list")
        api = "/api/training/attempts/"
        both = {a.pk for a in attempts.values()}
        for username, ids in (("staff", {attempts["staff"].pk}),
                              ("it_staff", {attempts["it_staff"].pk}),
                              ("auditor", both), ("ciso", both)):
            response = org.client(username).get(url)
            assert response.status_code == 200
            assert rows_shown(response) == ids, username
            assert api_ids(api_client(org.users[username]).get(api)) == ids
        assert org.client("staff").get(reverse(
            "training:quizattempt_detail", args=[attempts["it_staff"].pk])).status_code == 404

    @pytest.mark.parametrize(("model", "api"), [(Assignment, "/api/training/assignments/"),
                                                (QuizAttempt, "/api/training/attempts/")])
    def test_list_query_counts_are_constant(self, org, derived, model, api):
        programme, _attempts = derived
        course = programme.course

        def more(n):
            start = Person.objects.count()
            people = Person.objects.bulk_create(
                Person(employee_no=f"X{start + i}", name=f"追加{i}", category="employee",
                       department=org.sales_east) for i in range(n))
            if model is Assignment:
                Assignment.objects.bulk_create(
                    Assignment(programme=programme, person=p, department=org.sales_east,
                               category="employee", assigned_on=DAY, due_from=DAY,
                               due_on=DAY, counts_from=DAY) for p in people)
            else:
                QuizAttempt.objects.bulk_create(QuizAttempt(person=p, course=course)
                                                for p in people)

        url = reverse(f"training:{model._meta.model_name}_list")
        for username in ("admin", "manager"):
            client, token = org.client(username), api_client(org.users[username])
            client.get(url)
            token.get(api)
            more(3)
            small = (query_count(lambda c=client: c.get(url)),
                     query_count(lambda t=token: t.get(api)))
            more(20)
            large = (query_count(lambda c=client: c.get(url)),
                     query_count(lambda t=token: t.get(api)))
            assert small == large, username
