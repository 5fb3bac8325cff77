"""The conformance registry and the organisation checks (Art 2, 3, 4), through the dashboard,
GET /api/conformance/ and `mamori conformance`."""

import datetime
import json

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import translation

from mamori.core import conformance
from mamori.core.conformance import SYSTEM
from mamori.core.testing import api_client
from mamori.org.models import Appointment, Department, Person


def outcome(code):
    for article in conformance.evaluate(SYSTEM):
        for o in article.outcomes:
            if o.check.code == code:
                return article, o.result
    raise AssertionError(f"no check {code}")


def run_command(*args):
    from io import StringIO

    out = StringIO()
    try:
        call_command("conformance", *args, stdout=out)
    except SystemExit as exc:
        return exc.code, out.getvalue()
    return 0, out.getvalue()


@pytest.mark.django_db
class TestOrgChecks:
    def test_all_pass_on_a_complete_organisation(self, org):
        # Every active department gets a manager, so Art 3 passes.
        for dept in (org.company, org.sales_east, org.it):
            Appointment.objects.create(person=org.people["ciso"], department=dept,
                                       role="information_manager",
                                       start_date=datetime.date(2024, 4, 1))
        for code in ("org.art2.person_classified", "org.art3.information_manager",
                     "org.art4.one_ciso"):
            assert outcome(code)[1].status == conformance.PASS, code
        _status, out = run_command("--json")
        org_checks = [c for a in json.loads(out) for c in a["checks"]
                      if c["code"].startswith("org.")]
        assert len(org_checks) == 3 and all(c["status"] == "pass" for c in org_checks)

    def test_art3_fails_naming_departments_without_manager(self, org):
        article, result = outcome("org.art3.information_manager")
        assert result.status == conformance.FAIL
        assert article.status == conformance.FAIL
        failing = result.failing_for(SYSTEM).objects
        assert {f.label for f in failing} == {str(org.company), str(org.sales_east), str(org.it)}
        assert result.failing_count == 3
        assert result.value == 25.0 and result.threshold == 100.0
        assert all(f.url.startswith("/org/departments/") for f in failing)

    def test_art3_ignores_ended_appointments_people_who_left_and_inactive_departments(self, org):
        mgr = Appointment.objects.get(department=org.sales)
        mgr.end_date = datetime.date(2024, 12, 31)
        mgr.save()
        assert str(org.sales) in {f.label for f in outcome(
            "org.art3.information_manager")[1].failing_for(SYSTEM).objects}
        mgr.end_date = None
        mgr.save()
        org.people["manager"].status = Person.Status.LEFT
        org.people["manager"].left_on = datetime.date(2025, 1, 1)
        org.people["manager"].save()
        assert str(org.sales) in {f.label for f in outcome(
            "org.art3.information_manager")[1].failing_for(SYSTEM).objects}
        Department.objects.filter(pk=org.it.pk).update(is_active=False)
        assert str(org.it) not in {f.label for f in outcome(
            "org.art3.information_manager")[1].failing_for(SYSTEM).objects}

    def test_art4_fails_without_ciso_and_with_two(self, org):
        Appointment.objects.filter(role="ciso").update(end_date=datetime.date(2024, 12, 31))
        _a, result = outcome("org.art4.one_ciso")
        assert (result.status, result.value, result.threshold) == (conformance.FAIL, 0, 1)
        # Two current CISOs can only arise from data written around validation (e.g. bulk).
        Appointment.objects.bulk_create([
            Appointment(person=org.people["ciso"], role="ciso",
                        start_date=datetime.date(2025, 1, 1)),
            Appointment(person=org.people["auditor"], role="ciso",
                        start_date=datetime.date(2025, 1, 1)),
        ])
        _a, result = outcome("org.art4.one_ciso")
        assert result.status == conformance.FAIL and result.value == 2
        assert result.failing_count == 2

    def test_art2_fails_for_people_without_category_or_department(self, org):
        assert outcome("org.art2.person_classified")[1].status == conformance.PASS
        Person.objects.create(employee_no="Z1", name="未分類 一郎", category="",
                              department=org.it)
        Person.objects.create(employee_no="Z2", name="無所属 二郎", category="employee")
        Person.objects.create(employee_no="Z3", name="退職 三郎", category="", status="left",
                              left_on=datetime.date(2024, 1, 1))
        _a, result = outcome("org.art2.person_classified")
        assert result.status == conformance.FAIL
        failing = result.failing_for(SYSTEM).objects
        assert {f.label for f in failing} == {"未分類 一郎", "無所属 二郎"}

    def test_articles_without_checks_say_so(self, org, monkeypatch):
        """An article whose module is not built has no checks: it is "not assessed yet",
        never "not applicable" (対象外), which says a check does not apply to the company.
        Every article has a module now, so one is taken away for the test: Art 10's."""
        monkeypatch.setattr(conformance, "_registry", {
            code: check for code, check in conformance._registry.items()
            if check.article != "10"})
        articles = {a.article: a for a in conformance.evaluate(SYSTEM)}
        assert list(articles) == [str(n) for n in range(1, 13)] + ["web"]
        assert articles["10"].status == conformance.NOT_ASSESSED
        assert not articles["10"].has_checks
        client = org.client("auditor")
        for language, label, wrong in (("en", "not assessed yet", "not applicable"),
                                       ("ja", "未評価", "対象外")):
            page = client.get("/dashboard/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
            card = page[page.index('data-article="10"'):]
            card = card[:card.index('data-testid="article-status"') + 80]
            assert label in card and wrong not in card, (language, card)
        api = api_client(org.users["auditor"]).get("/api/conformance/").json()
        assert next(a for a in api if a["article"] == "10")["status"] == "not_assessed"


@pytest.mark.django_db
class TestConformanceOutputs:
    def test_api_shape(self, org):
        response = api_client(org.users["auditor"]).get("/api/conformance/")
        assert response.status_code == 200
        data = response.json()
        assert [a["article"] for a in data] == [str(n) for n in range(1, 13)] + ["web"]
        art3 = next(a for a in data if a["article"] == "3")
        check = next(c for c in art3["checks"] if c["code"] == "org.art3.information_manager")
        assert set(check) == {"code", "title", "status", "value", "threshold", "unit",
                              "failing_count", "failing", "failing_outside_scope"}
        assert check["status"] == "fail" and check["failing_count"] == 3
        assert check["failing"][0]["url"].startswith("http")

    def test_staff_cannot_see_conformance(self, org):
        assert api_client(org.users["staff"]).get("/api/conformance/").status_code == 403
        assert org.client("staff").get("/dashboard/").status_code == 403

    def test_command_table_json_and_exit_status(self, org):
        with translation.override("en"):
            status, out = run_command()
        assert status == 1
        line = next(x for x in out.splitlines() if "org.art3.information_manager" in x)
        assert line.startswith("Article 3") and " fail " in line
        with translation.override("ja"):
            status, out = run_command()
        assert "不適合" in out and "第3条" in out
        status, out = run_command("--json")
        assert status == 1
        data = json.loads(out)
        assert {c["code"] for a in data for c in a["checks"]} >= {
            "org.art2.person_classified", "org.art3.information_manager", "org.art4.one_ciso"}

    def test_check_registration_rejects_unknown_article_and_duplicates(self):
        with pytest.raises(ValueError):
            conformance.register("x.bad", article="13", title="bad")(lambda: None)
        with pytest.raises(ValueError):
            conformance.register("org.art4.one_ciso", article="4", title="dup")(lambda: None)

    def test_dashboard_query_count_does_not_grow_with_data(self, org):
        from mamori.core.testing import query_count

        # The failing objects are listed only for a check that fails: make Art 2 fail from
        # the start, so what is measured is growth, not a check turning from pass to fail.
        Person.objects.create(employee_no="N-", name="名無し", department=org.it)
        client = org.client("auditor")
        client.get("/dashboard/")
        small = query_count(lambda: client.get("/dashboard/"))
        Department.objects.bulk_create(
            Department(code=f"N{i}", name_ja=f"新部署{i}", parent=org.company) for i in range(30))
        Person.objects.bulk_create(Person(employee_no=f"N{i}", name=f"名無し{i}")
                                   for i in range(30))
        assert query_count(lambda: client.get("/dashboard/")) == small


def test_tally_counts_columns_in_one_pass_and_a_subquery_apart(org):
    from django.db.models import Exists, OuterRef, Q

    from mamori.core.conformance import tally
    from mamori.core.testing import query_count
    from mamori.org.models import Appointment, Person

    people = Person.objects.all()
    unplaced = Q(department__isnull=True)
    assert query_count(lambda: tally(people, unplaced)) == 1
    assert tally(people, unplaced) == (people.count(), people.filter(unplaced).count())

    # A correlated EXISTS inside an aggregate's FILTER runs once per row on PostgreSQL:
    # such a condition is counted by a query of its own there. SQLite runs it once per row
    # in a WHERE too, so it keeps the one pass.
    apart = 2 if connection.vendor == "postgresql" else 1
    appointed = Q(Exists(Appointment.objects.filter(person=OuterRef("pk"))))
    assert query_count(lambda: tally(people, ~appointed)) == apart
    assert tally(people, ~appointed) == (people.count(), people.filter(~appointed).count())
    in_subquery = Q(pk__in=Appointment.objects.values("person_id"))
    assert query_count(lambda: tally(people, in_subquery)) == apart


def test_within_results_kept_each_check_runs_once(org):
    from mamori.core.testing import query_count

    def statuses():
        return {o.check.code: o.result.status
                for article in conformance.evaluate(SYSTEM) for o in article.outcomes}

    check = "org.art2.person_classified"
    with conformance.results_kept():
        first = statuses()
        assert first[check] == conformance.PASS
        Person.objects.create(employee_no="N-", name="名無し", department=org.it)
        # Read again inside the block: the same results, and no check runs again.
        assert query_count(statuses) == 0
        assert statuses() == first
        with conformance.results_kept():  # a block inside it reads the same evaluation
            assert statuses() == first
    # After the block, every evaluation runs the checks again and sees the change.
    assert statuses()[check] == conformance.FAIL


@pytest.mark.django_db
def test_failing_objects_of_every_model_are_named_in_one_query(tmp_path, settings):
    """The dashboard names up to FAILING_SHOWN failing objects per check: their labels and
    links must come with the one query that lists them (a model's `label_related`), or the
    page runs a query per object (at ten times the company: 68 for people of assignments,
    55 for the nonconformities of corrective actions)."""
    from django.apps import apps

    from mamori.core.testing import query_count

    settings.DATA_DIR = tmp_path
    call_command("demo", verbosity=0)
    scoped = [model for model in apps.get_models()
              if model.__module__.startswith("mamori") and getattr(model, "scope", None)]
    measured, extra = [], {}
    for model in scoped:
        rows = model._default_manager.all()
        if not rows.exists():
            continue
        measured.append(model)
        queries = query_count(lambda rows=rows: conformance.listed(rows))
        if queries != 1:
            extra[model._meta.label] = queries
    assert len(measured) >= 40  # the demo has rows of most models: the check is not empty
    # A section's link goes to its document's current version, looked up per section; no
    # check names sections, so the dashboard never lists them.
    extra.pop("policies.PolicySection", None)
    assert not extra, sorted(extra.items())
