"""Acknowledgement coverage: totals per document and department, who is pending or overdue,
the coverage page and its exports, and the reminders."""

import csv
import datetime
import html
import io
import re

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from mamori.core.testing import api_client, query_count
from mamori.org.models import Appointment, Person
from mamori.policies import coverage
from mamori.policies.models import Acknowledgement, PolicyDocument, PolicyVersion
from mamori.policies.tasks import send_acknowledgement_reminders
from mamori.policies.tests.conftest import make_draft, published_document

pytestmark = pytest.mark.django_db


def acknowledge(version, *people):
    for person in people:
        Acknowledgement.objects.create(person=person, version=version,
                                       content_hash=version.content_hash)


def add_people(org, n, department=None, **extra):
    start = Person.objects.count()
    Person.objects.bulk_create(
        Person(employee_no=f"N{start + i:05d}", name=f"追加 {i}", category="employee",
               department=department or org.sales_east, **extra) for i in range(n))


def coverage_url(document, query=""):
    return reverse("policies:coverage", args=[document.pk]) + query


def test_totals_per_document_and_department(org, published):
    document, version = published
    people = org.people
    # Neither contractor staff nor people who have left are in the policy's scope.
    Person.objects.create(employee_no="C001", name="委託 一郎", category="contractor",
                          department=org.sales)
    Person.objects.create(employee_no="E900", name="退職 花子", category="employee",
                          status="left", department=org.sales,
                          left_on=datetime.date(2025, 3, 31))
    acknowledge(version, people["staff"], people["it_staff"])
    cov = coverage.coverage(document)
    assert (cov.version, cov.total, cov.acknowledged, cov.pending, cov.overdue) == (
        version, 5, 2, 3, 0)
    assert cov.percent == 40.0
    assert set(coverage.pending_people(document)) == {people["ciso"], people["manager"],
                                                      people["auditor"]}
    rows = {row["department"].code: (row["total"], row["acknowledged"], row["pending"],
                                     row["percent"])
            for row in coverage.coverage_by_department(document)}
    assert rows == {"D000": (2, 0, 2, 0.0), "D100": (1, 0, 1, 0.0),
                    "D110": (1, 1, 0, 100.0), "D200": (1, 1, 0, 100.0)}


def test_audience_narrows_the_totals(org, published):
    document, version = published
    PolicyVersion.objects.filter(pk=version.pk).update(audience="categories",
                                                       audience_categories=["employee"])
    assert coverage.coverage(document).total == 3  # manager, staff, auditor
    PolicyVersion.objects.filter(pk=version.pk).update(audience="departments")
    version.audience_departments.set([org.sales])
    assert set(coverage.pending_people(document)) == {org.people["manager"],
                                                      org.people["staff"]}


def test_a_document_without_a_published_version(org, sales_doc):
    make_draft(sales_doc)
    cov = coverage.coverage(sales_doc)
    assert (cov.version, cov.total, cov.percent) == (None, 0, 100.0)
    assert not coverage.pending_people(sales_doc).exists()
    assert coverage.coverage_by_department(sales_doc) == []


@pytest.mark.parametrize(("days_ago", "overdue"), [(13, 0), (14, 0), (15, 4)])
def test_overdue_after_the_acknowledgement_days(org, published, days_ago, overdue):
    document, version = published
    assert document.acknowledgement_days == 14
    acknowledge(version, org.people["staff"])
    PolicyVersion.objects.filter(pk=version.pk).update(
        published_at=timezone.now() - datetime.timedelta(days=days_ago))
    assert coverage.coverage(document).overdue == overdue
    assert coverage.baseline_due_passed(document) == bool(overdue)


def test_coverage_page_by_role(org, published):
    document, version = published
    acknowledge(version, org.people["it_staff"])
    everyone_pending = {"P001", "P002", "P003", "P005"}
    for username in ("ciso", "auditor", "admin"):
        response = org.client(username).get(coverage_url(document))
        assert response.status_code == 200, username
        assert {p.employee_no for p in response.context["page"].object_list} == \
            everyone_pending
        assert response.context["coverage"].acknowledged == 1
        # Those who see everyone are told the count of the totals, without counting again.
        assert response.context["page"].paginator.count == len(everyone_pending)
    response = org.client("manager").get(coverage_url(document))
    assert response.status_code == 200
    assert {p.employee_no for p in response.context["page"].object_list} == {"P002", "P003"}
    assert response.context["page"].paginator.count == 2
    for username in ("staff", "it_staff"):
        assert org.client(username).get(coverage_url(document)).status_code == 403
    api = api_client(org.users["auditor"]).get(
        f"/api/policies/documents/{document.pk}/coverage/")
    assert api.json() == {"document": document.pk, "version": version.pk, "total": 5,
                          "acknowledged": 1, "pending": 4, "overdue": 0, "percent": 20.0}
    assert api_client(org.users["staff"]).get(
        f"/api/policies/documents/{document.pk}/coverage/").status_code == 403


def test_pending_people_export(org, published):
    document, version = published
    acknowledge(version, org.people["staff"])
    response = org.client("auditor").get(coverage_url(document, "?export=csv"))
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][0] == "従業者番号"  # headed in the reader's language (Japanese here)
    assert sorted(r[0] for r in rows[1:]) == ["P001", "P002", "P004", "P005"]
    response = org.client("manager").get(coverage_url(document, "?export=csv"))
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [r[0] for r in rows[1:]] == ["P002"]  # staff has acknowledged; others are not theirs
    xlsx = org.client("ciso").get(coverage_url(document, "?export=xlsx"))
    assert xlsx.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    assert sorted(row[0] for row in sheet.iter_rows(min_row=2, values_only=True)) == [
        "P001", "P002", "P004", "P005"]
    assert org.client("staff").get(coverage_url(document, "?export=csv")).status_code == 403


def test_send_reminders_enqueues_the_task(org, published):
    document, _version = published
    url = reverse("policies:remind", args=[document.pk])
    for username in ("staff", "auditor"):
        assert org.client(username).post(url).status_code == 403
    assert not DBTaskResult.objects.exists()
    response = org.client("manager").post(url)
    assert response.status_code == 302 and response.url == coverage_url(document)
    task = DBTaskResult.objects.get()
    assert task.task_path == "mamori.policies.tasks.send_acknowledgement_reminders"
    assert task.args_kwargs["kwargs"] == {"document_id": document.pk}


def test_reminders_reach_pending_people_with_an_address(org, published, mailoutbox):
    document, version = published
    emails = {"staff": "staff@example.com", "manager": "manager@example.com",
              "it_staff": "it@example.com", "ciso": ""}
    for username, email in emails.items():
        Person.objects.filter(pk=org.people[username].pk).update(email=email)
    acknowledge(version, org.people["it_staff"])
    other, _v = published_document(org, owner=org.it, code="it-rules")
    PolicyDocument.objects.filter(pk=other.pk).update(is_active=False)

    assert send_acknowledgement_reminders.call(document_id=document.pk) == 2
    assert sorted(m.to[0] for m in mailoutbox) == ["manager@example.com", "staff@example.com"]
    message = next(m for m in mailoutbox if m.to == ["staff@example.com"])
    japanese, english = message.body.split("\n----\n")
    assert document.title_ja in japanese and "Please read" not in japanese
    assert document.title_en in english and "Please read and acknowledge" in english
    assert f"(version {version.number})" in english and version.due_date.isoformat() in english
    assert document.title_ja in message.subject and "Please" not in message.subject

    mailoutbox.clear()
    assert send_acknowledgement_reminders.call() == 2  # the inactive document is skipped


def test_coverage_page_query_count_does_not_grow(org, published):
    document, version = published
    client = org.client("ciso")
    client.get(coverage_url(document))  # warm caches (content types, sessions)
    add_people(org, 5)
    small = query_count(lambda: client.get(coverage_url(document)))
    add_people(org, 50, department=org.it, email="x@example.com")
    acknowledge(version, *Person.objects.filter(department=org.it)[:10])
    response = None

    def get():
        nonlocal response
        response = client.get(coverage_url(document))

    large = query_count(get)
    assert response.context["coverage"].total == 60
    assert small == large


def test_manager_coverage_page_query_count_does_not_grow(org, published):
    document, _version = published
    client = org.client("manager")
    client.get(coverage_url(document))
    add_people(org, 5)
    small = query_count(lambda: client.get(coverage_url(document)))
    add_people(org, 50)
    assert query_count(lambda: client.get(coverage_url(document))) == small


def test_documents_to_acknowledge_skips_inactive_documents(org, published):
    document, _version = published
    assert [v.document for v in coverage.documents_to_acknowledge(org.people["staff"])] == [
        document]
    PolicyDocument.objects.filter(pk=document.pk).update(is_active=False)
    assert coverage.documents_to_acknowledge(org.people["staff"]) == []


def by_department_table(response) -> list[tuple[str, str]]:
    """The rows of the page's by-department table (its first): (department, "acknowledged /
    total")."""
    body = re.search(r"<tbody[^>]*>(.*?)</tbody>", response.content.decode(), re.S).group(1)
    return [(html.unescape(name), figures) for name, figures in re.findall(
        r'<tr[^>]*><td>(.*?)</td><td class="text-end">(.*?)</td>', body)]


def test_a_manager_sees_their_departments_rows_and_only_a_total_for_the_rest(org, published):
    document, version = published
    acknowledge(version, org.people["it_staff"], org.people["staff"])
    response = org.client("manager").get(coverage_url(document), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    # Sales and Sales East are theirs; the head office (2 people) and IT (1, acknowledged)
    # are summed into one row, with no department named.
    assert by_department_table(response) == [
        ("Sales", "0 / 1"), ("Sales East", "1 / 1"), ("Rest of the company (total)", "1 / 3")]
    # The company-wide totals are the same for every reader.
    assert (response.context["coverage"].total, response.context["coverage"].acknowledged) == (
        5, 2)
    for username in ("ciso", "auditor", "admin"):
        response = org.client(username).get(coverage_url(document), HTTP_ACCEPT_LANGUAGE="en")
        assert by_department_table(response) == [
            ("Head office", "0 / 2"), ("Sales", "0 / 1"), ("Sales East", "1 / 1"),
            ("IT", "1 / 1")], username
    # The API gives the company's totals only, to every reader who may see coverage: nothing
    # per department, as on the page.
    api = api_client(org.users["manager"]).get(
        f"/api/policies/documents/{document.pk}/coverage/")
    assert api.json() == {"document": document.pk, "version": version.pk, "total": 5,
                          "acknowledged": 2, "pending": 3, "overdue": 0, "percent": 40.0}
    # Appointed for the head office too, they answer for every department: every row.
    Appointment.objects.create(person=org.people["manager"], department=org.company,
                               role="information_manager", start_date=datetime.date(2024, 4, 1))
    response = org.client("manager").get(coverage_url(document), HTTP_ACCEPT_LANGUAGE="en")
    assert [name for name, _figures in by_department_table(response)] == [
        "Head office", "Sales", "Sales East", "IT"]


def test_the_rest_of_the_company_row_in_japanese(org, published):
    document, _version = published
    response = org.client("manager").get(coverage_url(document), HTTP_ACCEPT_LANGUAGE="ja")
    names = [name for name, _figures in by_department_table(response)]
    assert names[:2] == ["営業部", "東日本営業課"]
    assert names[2:] == ["その他の部署（合計）"]


def test_pending_people_export_keeps_formula_text_as_text(org, published):
    from mamori.core.testing import formula_free_workbook

    document, _version = published
    Person.objects.filter(pk=org.people["manager"].pk).update(
        name='=HYPERLINK("http://x","y")', name_latin="+1")
    response = org.client("ciso").get(coverage_url(document, "?export=csv"))
    rows = {r[0]: r for r in csv.reader(io.StringIO(response.content.decode("utf-8-sig")))}
    assert rows["P002"][1:3] == ["'=HYPERLINK(\"http://x\",\"y\")", "'+1"]
    xlsx = org.client("ciso").get(coverage_url(document, "?export=xlsx"))
    sheet = formula_free_workbook(xlsx.content).active
    row = next(r for r in sheet.iter_rows(min_row=2) if r[0].value == "P002")
    assert [c.value for c in row[1:3]] == ['=HYPERLINK("http://x","y")', "+1"]
    assert row[1].quotePrefix and row[2].quotePrefix
