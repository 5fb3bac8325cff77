"""The review records through the shared UI/API/scope tests (core.testing): measures (the
CISO's, read by information managers and auditors, a member of staff's own), measurements
(a department's values entered by its information manager), objectives, management reviews
and their decisions (the CISO's, read by those who sit in the review), and the rules each
adds: built-in measures and computed values stay Mamori's, a pack is never written by hand,
a held review is changed by nobody."""

import datetime
from decimal import Decimal

import pytest
from django.contrib import admin as admin_site
from django.test import RequestFactory

from mamori.core.audit import one_user_action
from mamori.core.models import ChangeLogEntry
from mamori.core.testing import (
    CisoChangesTests,
    ScopedModelTests,
    api_client,
    log_entries,
    signed_in_client,
)
from mamori.review import tables, workflow
from mamori.review.models import (
    ManagementReview,
    Measure,
    Measurement,
    Objective,
    ReviewDecision,
    ReviewPack,
)
from mamori.review.tests.helpers import (
    days,
    frozen_review,
    make_decision,
    make_measure,
    make_objective,
    make_review,
)

PERIOD = datetime.date(2025, 1, 1)


def shown(response) -> set[int]:
    assert response.status_code == 200, response.status_code
    return {obj.pk for obj, _cells in response.context["rows"]}


def ids(response) -> set[int]:
    assert response.status_code == 200, response.status_code
    return {row["id"] for row in response.json()["results"]}


def by_department(code="incident-drills", **fields) -> Measure:
    return make_measure(code, title_ja=fields.pop("title_ja", "訓練の実施率"),
                        by_department=True, **fields)


def measured(measure, department, value="80", period=PERIOD, **fields) -> Measurement:
    return Measurement.objects.create(measure=measure, department=department, period=period,
                                      value=Decimal(value), **fields)


def builtin() -> Measure:
    """A built-in measure (created after migrate from review.calculators)."""
    return Measure.objects.exclude(builtin="").order_by("code").first()


# -- measures ------------------------------------------------------------------------------


class TestMeasure(CisoChangesTests, ScopedModelTests):
    """The CISO and administrators define the measures; information managers and auditors
    read them all; a member of staff reads the measures they own."""

    model = Measure
    api_path = "/api/review/measures/"

    def in_scope_object(self, org):
        return make_measure("m-inside", owner=org.people["staff"])

    def out_of_scope_object(self, org):
        return make_measure("m-outside", title_ja="委託先監査の実施率")

    def create_data(self, org):
        return {"code": "vendor-audits", "title_ja": "委託先監査の実施率",
                "title_en": "Contractor audits done", "description": "年間計画に対する実施率",
                "unit": "percent", "direction": "higher", "target": "90.00",
                "frequency": "quarterly", "by_department": False,
                "owner": org.people["manager"].pk, "active": True}

    def out_of_scope_create_data(self, org):
        return self.create_data(org)

    def update_data(self, org, obj):
        return {"code": obj.code, "title_ja": obj.title_ja, "title_en": obj.title_en,
                "description": "changed", "unit": obj.unit, "direction": obj.direction,
                "target": "75.00", "frequency": obj.frequency,
                "by_department": obj.by_department, "owner": obj.owner_id, "active": True}

    def make_rows(self, org, n):
        start = Measure.objects.count()
        Measure.objects.bulk_create(Measure(code=f"row-{start + i}", title_ja=f"指標{i}")
                                    for i in range(n))

    def resource(self):
        return tables.MeasureResource()

    def bad_import_column(self):
        return "unit"

    def test_staff_read_only_the_measures_they_own(self, org):
        mine, other = self.in_scope_object(org), self.out_of_scope_object(org)
        client = org.client("staff")
        assert shown(client.get(self.url("list"))) == {mine.pk}
        assert ids(api_client(org.users["staff"]).get(self.api_path)) == {mine.pk}
        assert client.get(self.url("detail", other.pk)).status_code == 404
        assert client.get(self.url("update", mine.pk)).status_code == 404

    def test_a_builtin_measure_is_never_created_or_deleted(self, org):
        measure = builtin()
        assert measure is not None, "the built-in measures exist after migrate"
        for name in ("ciso", "admin"):
            client = org.client(name)
            assert client.get(self.url("detail", measure.pk)).context["can_delete"] is False
            assert client.post(self.url("delete", measure.pk)).status_code == 404
            assert client.post(self.url("bulk_delete"), {"pk": [measure.pk]}).status_code == 403
            api = api_client(org.users[name])
            assert api.delete(f"{self.api_path}{measure.pk}/").status_code == 404
            # "builtin" is Mamori's: a measure sent with one is an ordinary, manual measure.
            response = api.post(self.api_path, {**self.create_data(org), "code": f"x-{name}",
                                                "builtin": measure.builtin}, format="json")
            assert response.status_code == 201, response.json()
            assert Measure.objects.get(pk=response.json()["id"]).builtin == ""
        assert Measure.objects.filter(pk=measure.pk).exists()
        assert not log_entries(measure, "delete").exists()

    def test_a_builtin_measure_takes_only_what_the_company_decides(self, org):
        measure = builtin()
        client = org.client("ciso")
        form = client.get(self.url("update", measure.pk)).context["form"]
        fixed = {name for name, field in form.fields.items() if field.disabled}
        assert fixed == {"code", "title_ja", "title_en", "description", "unit", "direction",
                         "by_department"}
        other_unit = "days" if measure.unit == "hours" else "hours"
        data = {**self.update_data(org, measure), "title_ja": "書き換え", "unit": other_unit,
                "target": "50.00", "frequency": "yearly", "owner": org.people["manager"].pk,
                "active": False}
        response = client.post(self.url("update", measure.pk), self.form_data(data))
        assert response.status_code == 302
        stored = Measure.objects.get(pk=measure.pk)
        assert (stored.title_ja, stored.unit) == (measure.title_ja, measure.unit)
        assert (stored.target, stored.frequency, stored.active, stored.owner) == (
            Decimal("50.00"), "yearly", False, org.people["manager"])
        api = api_client(org.users["ciso"])
        path = f"{self.api_path}{measure.pk}/"
        response = api.patch(path, {"title_ja": "書き換え", "target": "60.00"}, format="json")
        assert response.status_code == 400 and "title_ja" in response.json()
        assert api.patch(path, {"target": "60.00"}, format="json").status_code == 200
        assert Measure.objects.get(pk=measure.pk).target == Decimal("60.00")

    def test_an_import_changes_no_builtin_definition(self, org):
        measure = builtin()
        resource = self.resource()
        row = [resource.export_value(measure, name) for name in resource.fields]
        row[resource.fields.index("title_ja")] = "書き換え"
        response = org.client("ciso").post(self.url("import"), {
            "file": self.csv_upload([resource.fields, row])})
        assert response.status_code == 400
        assert any(e.field == "title_ja" for e in response.context["result"].errors)
        assert Measure.objects.get(pk=measure.pk).title_ja == measure.title_ja


# -- measurements --------------------------------------------------------------------------


class WithMeasures:
    @pytest.fixture(autouse=True)
    def _measures(self, org):
        by_department("drills", owner=org.people["it_staff"])
        make_measure("company-only", title_ja="全社のみの指標")


def drills():
    return Measure.objects.get(code="drills")


class TestMeasurement(WithMeasures, ScopedModelTests):
    """An information manager enters their departments' values of manual measures and reads
    the company's; a measure's owner enters and reads its values; auditors read all."""

    model = Measurement
    api_path = "/api/review/measurements/"
    no_permission_user = "staff"

    def in_scope_object(self, org):
        return measured(drills(), org.sales_east, "70")

    def out_of_scope_object(self, org):
        return measured(drills(), org.it, "90")

    def create_data(self, org):
        return {"measure": drills().pk, "period": "2025-02-17", "department": org.sales.pk,
                "category": "", "value": "82.50", "note": "訓練記録より"}

    def out_of_scope_create_data(self, org):
        return {**self.create_data(org), "department": org.it.pk}

    def update_data(self, org, obj):
        return {"measure": obj.measure_id, "period": obj.period.isoformat(),
                "department": obj.department_id, "category": obj.category, "value": "71.00",
                "note": "訂正"}

    def make_rows(self, org, n):
        start = Measurement.objects.count()
        measure = drills()
        Measurement.objects.bulk_create(
            Measurement(measure=measure, department=org.sales,
                        period=datetime.date(1990 + (start + i) // 12, (start + i) % 12 + 1, 1),
                        value=Decimal(i)) for i in range(n))

    def resource(self):
        return tables.MeasurementResource()

    def bad_import_column(self):
        return "value"

    def test_a_value_travels_as_text(self, org):
        response = api_client(org.users["manager"]).post(
            self.api_path, {**self.create_data(org), "value": 82.5}, format="json")
        assert response.status_code == 400 and "value" in response.json()
        assert not Measurement.objects.exists()

    def test_the_period_is_stored_as_its_first_day(self, org):
        response = org.client("manager").post(self.url("create"),
                                              self.form_data(self.create_data(org)))
        assert response.status_code == 302
        assert Measurement.objects.get(department=org.sales).period == datetime.date(2025, 2, 1)

    def test_the_manager_reads_the_company_and_their_departments_only(self, org):
        company = measured(make_measure("company-rate"), None, "95")
        mine, other = self.in_scope_object(org), self.out_of_scope_object(org)
        seen = ids(api_client(org.users["manager"]).get(self.api_path))
        assert seen == {company.pk, mine.pk}
        assert shown(org.client("manager").get(self.url("list"))) == seen
        assert org.client("manager").get(self.url("detail", other.pk)).status_code == 404
        # The company's value is read, not changed.
        assert org.client("manager").get(self.url("update", company.pk)).status_code == 404

    def test_a_measures_owner_enters_and_reads_its_values(self, org):
        inside, outside = self.in_scope_object(org), self.out_of_scope_object(org)
        other = measured(make_measure("other"), None, "1")
        api = api_client(org.users["it_staff"])
        assert ids(api.get(self.api_path)) == {inside.pk, outside.pk}
        response = api.post(self.api_path, {**self.create_data(org), "department": None},
                            format="json")
        assert response.status_code == 201, response.json()
        response = api.post(self.api_path, {
            **self.create_data(org), "measure": Measure.objects.get(code="other").pk,
            "department": None, "period": "2025-03-01"}, format="json")
        assert response.status_code in (400, 403)
        assert org.client("it_staff").get(self.url("detail", other.pk)).status_code == 404
        # An owner enters values; deleting one is the CISO's or the department's.
        assert api.delete(f"{self.api_path}{outside.pk}/").status_code in (403, 404)

    def test_staff_who_own_no_measure_are_offered_no_create(self, org):
        client = org.client("staff")
        page = client.get(self.url("list"))
        assert page.context["can_add"] is False and page.context["can_import"] is False
        assert client.get(self.url("import")).status_code == 403
        assert org.client("it_staff").get(self.url("list")).context["can_add"] is True

    def test_a_computed_value_is_changed_and_deleted_by_nobody(self, org):
        measure = builtin()
        value = Measurement.objects.create(measure=measure, period=PERIOD, value=Decimal("50"),
                                           computed=True)
        data = self.form_data({**self.update_data(org, value), "value": "99"})
        for name in ("ciso", "admin", "manager", "auditor"):
            client = org.client(name)
            assert client.get(self.url("detail", value.pk)).status_code == 200
            assert client.post(self.url("update", value.pk), data).status_code == 404
            assert client.post(self.url("delete", value.pk)).status_code == 404
            api = api_client(org.users[name])
            path = f"{self.api_path}{value.pk}/"
            assert api.patch(path, {"value": "99"}, format="json").status_code == 404
            assert api.delete(path).status_code == 404
        assert Measurement.objects.get(pk=value.pk).value == Decimal("50")
        assert not log_entries(value).filter(action__in=("update", "delete")).exists()

    def test_a_computed_measure_takes_no_value_by_hand(self, org):
        data = {**self.create_data(org), "measure": builtin().pk, "department": ""}
        response = org.client("ciso").post(self.url("create"), data)
        assert response.status_code == 400
        response = api_client(org.users["ciso"]).post(
            self.api_path, {**data, "department": None}, format="json")
        assert response.status_code == 400 and "measure" in response.json()
        assert not Measurement.objects.exists()


# -- objectives ----------------------------------------------------------------------------


class TestObjective(WithMeasures, ScopedModelTests):
    """An information manager sets their departments' objectives and reads the company's;
    only the CISO and administrators delete one; an owner records its progress."""

    model = Objective
    api_path = "/api/review/objectives/"

    def in_scope_object(self, org):
        return make_objective(org, title="東日本の訓練", department=org.sales_east,
                              owner="manager")

    def out_of_scope_object(self, org):
        return make_objective(org, title="システム部の訓練", department=org.it, owner="it_staff")

    def create_data(self, org):
        return {"code": "", "title": "営業部の訓練実施率 100%", "description": "",
                "owner": org.people["manager"].pk, "department": org.sales.pk,
                "measures": [], "target_on": days(120).isoformat(), "status": "planned",
                "achieved_on": None, "replan_reason": ""}

    def out_of_scope_create_data(self, org):
        return {**self.create_data(org), "department": org.it.pk}

    def links(self, org):
        return {"measures": [drills().pk]}

    def update_data(self, org, obj):
        return {"code": obj.code, "title": obj.title + "（改）", "description": "進捗あり",
                "owner": obj.owner_id, "department": obj.department_id, "measures": [],
                "target_on": obj.target_on.isoformat(), "status": "in_progress",
                "achieved_on": None, "replan_reason": ""}

    def make_rows(self, org, n):
        start = Objective.objects.count()
        Objective.objects.bulk_create(
            Objective(code=f"OBJ-ROW-{start + i}", title=f"目的{i}", owner=org.people["manager"],
                      department=org.sales, target_on=days(30), first_target_on=days(30))
            for i in range(n))

    def resource(self):
        return tables.ObjectiveResource()

    def bad_import_column(self):
        return "status"

    def test_delete_in_scope_is_logged(self, org):
        """Replaced: the information manager deletes none; the CISO does."""
        obj = self.in_scope_object(org)
        assert org.client("manager").post(self.url("delete", obj.pk)).status_code == 404
        assert org.client("ciso").post(self.url("delete", obj.pk)).status_code == 302
        assert log_entries(obj, "delete").get().actor_name == "ciso"

    def test_api_create_update_delete_in_scope(self, org):
        client = api_client(org.users["manager"])
        response = client.post(self.api_path, self.create_data(org), format="json")
        assert response.status_code == 201, response.json()
        created = Objective.objects.get(pk=response.json()["id"])
        response = client.patch(f"{self.api_path}{created.pk}/",
                                self.update_data(org, created), format="json")
        assert response.status_code == 200, response.json()
        assert client.delete(f"{self.api_path}{created.pk}/").status_code in (403, 404)
        ciso = api_client(org.users["ciso"])
        assert ciso.delete(f"{self.api_path}{created.pk}/").status_code == 204
        assert [e.action for e in log_entries(created).order_by("seq")] == [
            "create", "update", "delete"]

    def test_the_manager_reads_the_company_and_their_departments_only(self, org):
        company = make_objective(org, title="全社")
        mine, other = self.in_scope_object(org), self.out_of_scope_object(org)
        seen = ids(api_client(org.users["manager"]).get(self.api_path))
        assert seen == {company.pk, mine.pk}
        assert shown(org.client("manager").get(self.url("list"))) == seen
        assert org.client("manager").get(self.url("detail", other.pk)).status_code == 404
        assert org.client("manager").get(self.url("update", company.pk)).status_code == 404

    def test_an_owner_records_progress_and_nothing_else(self, org):
        obj = self.out_of_scope_object(org)  # IT's, owned by it_staff
        client = org.client("it_staff")
        assert shown(client.get(self.url("list"))) == {obj.pk}
        form = client.get(self.url("update", obj.pk)).context["form"]
        assert form.fields["target_on"].disabled and not form.fields["status"].disabled
        data = {**self.update_data(org, obj), "title": "書き換え", "target_on":
                days(400).isoformat(), "replan_reason": "延期"}
        assert client.post(self.url("update", obj.pk), self.form_data(data)).status_code == 302
        obj.refresh_from_db()
        assert (obj.status, obj.title, obj.replanned_count) == (
            "in_progress", "システム部の訓練", 0)
        api = api_client(org.users["it_staff"])
        response = api.patch(f"{self.api_path}{obj.pk}/", {"target_on": days(400).isoformat(),
                                                           "replan_reason": "延期"},
                             format="json")
        assert response.status_code == 400 and "target_on" in response.json()
        assert api.patch(f"{self.api_path}{obj.pk}/", {"status": "achieved",
                                                       "achieved_on": days(0).isoformat()},
                         format="json").status_code == 200
        assert api.delete(f"{self.api_path}{obj.pk}/").status_code in (403, 404)
        assert client.get(self.url("create")).status_code == 403
        # A company-wide objective's owner records its progress too.
        company = make_objective(org, title="全社の目的", owner="it_staff")
        data = {**self.update_data(org, company), "department": None}
        assert client.post(self.url("update", company.pk),
                           self.form_data(data)).status_code == 302
        assert Objective.objects.get(pk=company.pk).status == "in_progress"

    def test_the_detail_shows_the_linked_measures_latest_values(self, org):
        obj = self.in_scope_object(org)
        rate = make_measure("rate", target=Decimal("90"))
        obj.measures.add(rate, drills())
        measured(rate, None, "85", period=datetime.date(2024, 12, 1))
        measured(rate, None, "93", period=PERIOD)
        response = org.client("manager").get(self.url("detail", obj.pk))
        rows = {row["measure"].code: row for row in response.context["measures"]}
        assert rows["rate"]["measure"].latest_value == Decimal("93")
        assert rows["rate"]["meets"] is True
        assert rows["drills"]["measure"].latest_value is None


# -- management reviews ----------------------------------------------------------------------


class TestManagementReview(CisoChangesTests, ScopedModelTests):
    """The CISO and administrators prepare and hold reviews; auditors read them; the chair
    and the attendees read the reviews they sit in."""

    model = ManagementReview
    api_path = "/api/review/reviews/"

    def reader_sees(self, which):
        return which == "inside"  # the manager attends the one, not the other

    def in_scope_object(self, org):
        with one_user_action():  # the review and its attendees: one entry
            return make_review(org, title="2025 年度 第 1 回")

    def out_of_scope_object(self, org):
        with one_user_action():
            return make_review(org, title="2025 年度 臨時", attendees=("it_staff",))

    def create_data(self, org):
        return {"code": "", "title": "2026 年度マネジメントレビュー",
                "held_on": days(20).isoformat(), "chair": org.people["ciso"].pk,
                "attendees": [], "period_start": None, "feedback": "顧客からの要望",
                "opportunities": "委託先管理の自動化"}

    def out_of_scope_create_data(self, org):
        return self.create_data(org)

    def links(self, org):
        return {"attendees": [org.people["manager"].pk, org.people["staff"].pk]}

    def update_data(self, org, obj):
        return {"code": obj.code, "title": obj.title + "（改）",
                "held_on": obj.held_on.isoformat(), "chair": obj.chair_id, "attendees": [],
                "period_start": None, "feedback": "changed", "opportunities": ""}

    def make_rows(self, org, n):
        start = ManagementReview.objects.count()
        ManagementReview.objects.bulk_create(
            ManagementReview(code=f"MR-ROW-{start + i}", title=f"会議{i}", held_on=days(-i),
                             chair=org.people["ciso"]) for i in range(n))

    def resource(self):
        return tables.ManagementReviewResource()

    def bad_import_column(self):
        return "held_on"

    def test_staff_read_only_the_reviews_they_attend(self, org):
        inside, outside = self.in_scope_object(org), self.out_of_scope_object(org)
        for name, expected in (("staff", set()), ("it_staff", {outside.pk})):
            assert shown(org.client(name).get(self.url("list"))) == expected
            assert ids(api_client(org.users[name]).get(self.api_path)) == expected
        assert org.client("staff").get(self.url("detail", inside.pk)).status_code == 404

    def test_the_chair_must_be_an_officer(self, org):
        data = {**self.create_data(org), "chair": org.people["manager"].pk}
        response = org.client("ciso").post(self.url("create"), self.form_data(data))
        assert response.status_code == 400
        response = api_client(org.users["ciso"]).post(self.api_path, data, format="json")
        assert response.status_code == 400 and "chair" in response.json()

    def test_the_frozen_inputs_are_refused_through_every_door(self, org):
        review = frozen_review(org, feedback="当初の意見")
        client = org.client("ciso")
        form = client.get(self.url("update", review.pk)).context["form"]
        assert all(form.fields[name].disabled for name in ManagementReview.PACK_INPUTS)
        data = {**self.update_data(org, review), "attendees": [org.people["manager"].pk]}
        assert client.post(self.url("update", review.pk),
                           self.form_data(data)).status_code == 302
        review.refresh_from_db()
        assert review.feedback == "当初の意見" and review.title.endswith("（改）")
        response = api_client(org.users["ciso"]).patch(
            f"{self.api_path}{review.pk}/", {"feedback": "書き換え"}, format="json")
        assert response.status_code == 400 and "feedback" in response.json()
        resource = self.resource()
        row = [resource.export_value(review, name) for name in resource.fields]
        row[resource.fields.index("opportunities")] = "書き換え"
        response = client.post(self.url("import"), {
            "file": self.csv_upload([resource.fields, row])})
        assert response.status_code == 400
        assert ManagementReview.objects.get(pk=review.pk).feedback == "当初の意見"

    def test_a_held_review_is_changed_by_nobody(self, org, root):
        review = frozen_review(org)
        workflow.hold(org.users["ciso"], review, "承認した")
        logged = log_entries(review).count()
        for name in ("ciso", "admin", "manager", "auditor", "staff"):
            client = org.client(name)
            data = self.form_data(self.update_data(org, review))
            assert client.get(self.url("update", review.pk)).status_code == 404
            assert client.post(self.url("update", review.pk), data).status_code == 404
            assert client.post(self.url("delete", review.pk)).status_code == 404
            api = api_client(org.users[name])
            path = f"{self.api_path}{review.pk}/"
            assert api.patch(path, {"title": "x"}, format="json").status_code == 404
            assert api.delete(path).status_code == 404
            assert api.post(f"{path}hold/", {"minutes": "x"},
                            format="json").status_code in (400, 403, 404)
        request = RequestFactory().get("/admin/")
        request.user = root
        model_admin = admin_site.site.get_model_admin(ManagementReview)
        assert model_admin.get_queryset(request).filter(pk=review.pk).exists()
        assert not model_admin.has_change_permission(request, review)
        assert not model_admin.has_delete_permission(request, review)
        response = signed_in_client(root).post(
            f"/admin/review/managementreview/{review.pk}/change/", {"title": "x"})
        assert response.status_code == 403
        assert ManagementReview.objects.get(pk=review.pk).title == review.title
        assert log_entries(review).count() == logged


@pytest.fixture
def root(db):
    from mamori.core.models import User

    return User.objects.create_superuser("root", password="x-root-pw-1",
                                         system_role=User.SystemRole.ADMIN)


# -- decisions and packs ---------------------------------------------------------------------


class TestReviewDecision(CisoChangesTests, ScopedModelTests):
    """The CISO and administrators record decisions while the review's inputs are frozen;
    those who sit in the review and each action's owner read them."""

    model = ReviewDecision
    api_path = "/api/review/decisions/"

    @pytest.fixture(autouse=True)
    def _review(self, org):
        self.review = frozen_review(org)

    def in_scope_object(self, org):
        return make_decision(org, self.review, decision="教育計画を見直す")

    def out_of_scope_object(self, org):
        return make_decision(org, self.review, decision="委託先監査を増やす", owner="it_staff",
                             department=org.it)

    def create_data(self, org):
        return {"review": self.review.pk, "kind": "resources", "decision": "監視要員を増やす",
                "department": org.it.pk, "owner": org.people["it_staff"].pk,
                "due_on": days(60).isoformat()}

    def out_of_scope_create_data(self, org):
        return self.create_data(org)

    def update_data(self, org, obj):
        return {"review": obj.review_id, "kind": obj.kind, "decision": obj.decision + "（改）",
                "department": obj.department_id, "owner": obj.owner_id,
                "due_on": obj.due_on.isoformat()}

    def make_rows(self, org, n):
        start = ReviewDecision.objects.count()
        ReviewDecision.objects.bulk_create(
            ReviewDecision(review=self.review, number=start + i + 100, decision=f"決定{i}",
                           department=org.sales, owner=org.people["manager"], due_on=days(30))
            for i in range(n))

    def resource(self):
        return tables.ReviewDecisionResource()

    def test_import_is_all_or_nothing_with_row_errors(self, org):
        pytest.skip("decisions are recorded on the review's page, not imported")

    # A decision is part of the minutes, and the action it raised may be under way: it is
    # corrected, never deleted. These two replace the shared tests that expect a delete.
    def test_delete_in_scope_is_logged(self, org):
        decision = self.in_scope_object(org)
        for name in ("ciso", "admin"):
            response = org.client(name).post(self.url("delete", decision.pk))
            assert response.status_code in (403, 404)
        assert ReviewDecision.objects.filter(pk=decision.pk).exists()
        assert not log_entries(decision, "delete").exists()

    def test_api_create_update_delete_in_scope(self, org):
        client = api_client(org.users[self.in_scope_user])
        response = client.post(self.api_path, self.create_data(org), format="json")
        assert response.status_code == 201, response.json()
        created = ReviewDecision.objects.get(pk=response.json()["id"])
        assert log_entries(created, "create").get().source == "api"
        response = client.patch(f"{self.api_path}{created.pk}/",
                                self.update_data(org, created), format="json")
        assert response.status_code == 200, response.json()
        assert client.delete(f"{self.api_path}{created.pk}/").status_code in (403, 404)
        assert ReviewDecision.objects.filter(pk=created.pk).exists()

    def test_staff_read_the_decisions_they_own(self, org):
        inside, outside = self.in_scope_object(org), self.out_of_scope_object(org)
        assert shown(org.client("it_staff").get(self.url("list"))) == {outside.pk}
        assert shown(org.client("staff").get(self.url("list"))) == set()
        assert org.client("it_staff").get(self.url("detail", inside.pk)).status_code == 404

    def test_the_action_is_linked_only_for_who_may_open_it(self, org):
        decision = self.out_of_scope_object(org)  # IT's action, owned by it_staff
        action_url = decision.action.get_absolute_url()
        for name, linked in (("ciso", True), ("it_staff", True), ("manager", False)):
            html = org.client(name).get(self.url("detail", decision.pk)).content.decode()
            assert (action_url in html) is linked, name
            html = org.client(name).get(self.review.get_absolute_url()).content.decode()
            assert (action_url in html) is (linked and name != "it_staff"), name

    def test_no_decision_once_the_review_is_held(self, org):
        decision = self.in_scope_object(org)
        ManagementReview.objects.filter(pk=self.review.pk).update(held_on=days(-1))
        workflow.hold(org.users["ciso"], ManagementReview.objects.get(pk=self.review.pk), "済")
        client = org.client("ciso")
        response = client.post(self.url("create"), self.form_data(self.create_data(org)))
        assert response.status_code == 400
        assert client.get(self.url("update", decision.pk)).status_code == 404
        api = api_client(org.users["ciso"])
        assert api.post(self.api_path, self.create_data(org), format="json").status_code in (
            400, 403)
        assert api.patch(f"{self.api_path}{decision.pk}/", {"decision": "x"},
                         format="json").status_code == 404
        assert ReviewDecision.objects.count() == 1


def test_nobody_writes_a_pack_through_the_api_or_the_admin(org, root):
    review = frozen_review(org)
    pack = ReviewPack.objects.get(review=review)
    for name in ("admin", "ciso", "manager", "auditor"):
        api = api_client(org.users[name])
        assert pack.pk in ids(api.get("/api/review/packs/")) or name == "staff"
        assert api.post("/api/review/packs/", {"review": review.pk, "data": {}},
                        format="json").status_code == 405
        path = f"/api/review/packs/{pack.pk}/"
        assert api.patch(path, {"data": {}}, format="json").status_code == 405
        assert api.put(path, {"review": review.pk, "data": {}},
                       format="json").status_code == 405
        assert api.delete(path).status_code == 405
    assert ids(api_client(org.users["staff"]).get("/api/review/packs/")) == set()
    request = RequestFactory().get("/admin/")
    request.user = root
    model_admin = admin_site.site.get_model_admin(ReviewPack)
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request, pack)
    assert not model_admin.has_delete_permission(request, pack)
    client = signed_in_client(root)
    assert client.post(f"/admin/review/reviewpack/{pack.pk}/delete/",
                       {"post": "yes"}).status_code == 403
    assert ReviewPack.objects.get(pk=pack.pk).data == pack.data
    assert [e.action for e in log_entries(pack)] == ["create"]


@pytest.mark.parametrize("name", ["auditor"])
def test_the_auditor_reads_every_review_record_and_writes_none(org, name):
    review = frozen_review(org)
    decision = make_decision(org, review)
    measure = by_department("drills")
    value = measured(measure, org.it)
    objective = make_objective(org, department=org.it, owner="it_staff")
    api = api_client(org.users[name])
    client = org.client(name)
    api.get("/api/review/measures/")  # the token's first use is recorded
    records = {"measures": measure, "measurements": value, "objectives": objective,
               "reviews": review, "decisions": decision, "packs": review.pack}
    before = ChangeLogEntry.objects.count()
    for path, record in records.items():
        assert record.pk in ids(api.get(f"/api/review/{path}/")), path
        assert client.get(record.get_absolute_url()).status_code == 200, path
        assert api.patch(f"/api/review/{path}/{record.pk}/", {}, format="json").status_code in (
            403, 404, 405), path
        assert api.delete(f"/api/review/{path}/{record.pk}/").status_code in (403, 404, 405)
    for path in ("measures", "measurements", "objectives", "reviews", "decisions"):
        assert api.post(f"/api/review/{path}/", {}, format="json").status_code in (
            400, 403, 405)
    assert ChangeLogEntry.objects.count() == before
