"""What the compliance records do: a "not compliant" evaluation raises one nonconformity in
its own transaction; the model's rules refuse by field; an amendment raises the impact
assessments of what it affects, due the day it takes effect; regulatory actions are numbered
under simultaneous writers; evidence files are kept with their hash and downloaded only by
who may see them; an obligation import is all or nothing."""

import datetime
import hashlib
import io

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError
from django.urls import reverse

from mamori.compliance import tables
from mamori.compliance.models import (
    ComplianceException,
    Evaluation,
    ImpactAssessment,
    Obligation,
    RegulatoryAction,
    SourceVersion,
)
from mamori.compliance.tests.helpers import (
    days,
    evaluate,
    make_obligation,
    make_source,
    make_version,
    today,
)
from mamori.controls.tests.test_control_models import make_control
from mamori.core.testing import (
    api_client,
    concurrent_writes_possible,
    log_entries,
    run_at_once,
    signed_in_client,
)
from mamori.improvement.models import Nonconformity, Source

pytestmark = pytest.mark.django_db


@pytest.fixture
def appi(org):
    source = make_source("appi")
    make_version(source, "2020", datetime.date(2020, 6, 12))
    return source


@pytest.fixture
def kept(org, appi):
    """An obligation Sales East keeps (the manager's) and one IT keeps (not theirs)."""
    return {"east": make_obligation(appi, "APPI-23", org.sales_east),
            "it": make_obligation(appi, "APPI-26", org.it)}


def evaluation_data(org, obligation, **fields):
    return {"obligation": obligation.pk, "result": "compliant",
            "evaluated_on": days(-1).isoformat(), "evaluator": org.people["manager"].pk,
            "evidence": "委託先台帳を確認", "note": "", **fields}


def raised_from(evaluation):
    return Nonconformity.objects.filter(
        source_type=ContentType.objects.get_for_model(Evaluation), source_id=evaluation.pk)


# -- a "not compliant" result raises one nonconformity ---------------------------------------


def test_not_compliant_raises_exactly_one_nonconformity_from_the_page(org, kept):
    client = org.client("manager")
    data = evaluation_data(org, kept["east"], result="not_compliant",
                           evidence="委託先2社の監査記録がない")
    response = client.post(reverse("compliance:evaluation_create"), data)
    assert response.status_code == 302, response.context and response.context["form"].errors
    evaluation = Evaluation.objects.get()
    nonconformity = Nonconformity.objects.get()
    assert list(raised_from(evaluation)) == [nonconformity]
    assert nonconformity.source == Source.COMPLIANCE
    assert nonconformity.source_object() == evaluation
    assert nonconformity.department == org.sales_east
    assert nonconformity.raised_by == org.people["manager"]
    assert nonconformity.raised_on == evaluation.evaluated_on
    assert nonconformity.source_reference == "APPI-23"
    assert nonconformity.policy_article == "11"
    assert nonconformity.code.startswith("NC-")
    assert log_entries(nonconformity, "create").get().actor_name == "manager"
    # Saved again (a note added on the page, then by the model): still the one.
    response = client.post(reverse("compliance:evaluation_update", args=[evaluation.pk]),
                           {**data, "note": "再確認の予定"})
    assert response.status_code == 302
    evaluation.refresh_from_db()
    evaluation.save()
    assert Nonconformity.objects.count() == 1
    # Its page names what it raised.
    page = client.get(evaluation.get_absolute_url()).content.decode()
    assert nonconformity.get_absolute_url() in page


def test_a_result_changed_to_not_compliant_raises_it_then(org, kept):
    evaluation = evaluate(kept["east"], org.people["manager"], evaluated_on=days(-2))
    assert not Nonconformity.objects.exists()
    response = org.client("manager").post(
        reverse("compliance:evaluation_update", args=[evaluation.pk]),
        evaluation_data(org, kept["east"], result="not_compliant",
                        evaluated_on=days(-2).isoformat(), evidence="記録なし"))
    assert response.status_code == 302
    assert raised_from(evaluation).count() == 1


@pytest.mark.parametrize("result", ["compliant", "partial", "not_applicable"])
def test_other_results_raise_nothing(org, kept, result):
    evaluate(kept["east"], org.people["manager"], result=result)
    assert not Nonconformity.objects.exists()


def test_not_compliant_through_the_api_raises_one_nonconformity(org, kept):
    response = api_client(org.users["manager"]).post(
        "/api/compliance/evaluations/",
        evaluation_data(org, kept["east"], result="not_compliant", evidence="記録なし"),
        format="json")
    assert response.status_code == 201, response.json()
    evaluation = Evaluation.objects.get(pk=response.json()["id"])
    assert raised_from(evaluation).get().department == org.sales_east
    assert Nonconformity.objects.count() == 1


def test_a_nonconformity_that_cannot_be_stored_leaves_no_evaluation(org, appi):
    """An obligation without an owning department (written past clean()): the nonconformity
    has no department to go to, and the evaluation is not kept without it."""
    orphan = make_obligation(appi, "APPI-X", None, applicability="undecided")
    with pytest.raises(IntegrityError):
        evaluate(orphan, org.people["ciso"], result="not_compliant")
    assert not Evaluation.objects.exists()
    assert not Nonconformity.objects.exists()


def test_a_failure_raising_the_nonconformity_rolls_the_page_save_back(org, kept,
                                                                       monkeypatch):
    def broken(self, *args, **kwargs):
        raise RuntimeError("numbering failed")

    monkeypatch.setattr(Nonconformity, "save", broken)
    with pytest.raises(RuntimeError):
        org.client("manager").post(reverse("compliance:evaluation_create"), evaluation_data(
            org, kept["east"], result="not_compliant", evidence="記録なし"))
    assert not Evaluation.objects.exists()
    assert not Nonconformity.objects.exists()


def test_a_save_refused_after_both_writes_leaves_neither(org, kept, monkeypatch):
    """The scope re-check at the end of the page's transaction refuses: the evaluation and
    the nonconformity it raised are rolled back together, and nothing is logged."""
    from mamori.core.models import ChangeLogEntry

    def refuse(obj, user, action="change"):
        assert Nonconformity.objects.exists()  # raised in the same transaction
        raise PermissionDenied("outside")

    monkeypatch.setattr("mamori.core.views.generic.ensure_in_scope", refuse)
    client = org.client("manager")
    logged = ChangeLogEntry.objects.count()
    response = client.post(reverse("compliance:evaluation_create"), evaluation_data(
        org, kept["east"], result="not_compliant", evidence="記録なし"))
    assert response.status_code == 400
    assert not Evaluation.objects.exists()
    assert not Nonconformity.objects.exists()
    assert ChangeLogEntry.objects.count() == logged


# -- the rules, by field ----------------------------------------------------------------------


def field_errors(obj) -> dict:
    with pytest.raises(ValidationError) as raised:
        obj.full_clean()
    return raised.value.message_dict


def test_an_evaluation_cannot_be_dated_in_the_future(org, kept):
    evaluation = Evaluation(obligation=kept["east"], result="compliant",
                            evaluator=org.people["manager"], evaluated_on=days(1))
    assert "evaluated_on" in field_errors(evaluation)
    evaluation.evaluated_on = today()
    evaluation.full_clean()


def test_an_obligation_without_a_department_is_not_evaluated(org, appi):
    orphan = make_obligation(appi, "APPI-X", None, applicability="undecided")
    evaluation = Evaluation(obligation=orphan, result="compliant",
                            evaluator=org.people["ciso"], evaluated_on=today())
    assert "obligation" in field_errors(evaluation)
    response = api_client(org.users["ciso"]).post("/api/compliance/evaluations/",
                                                  evaluation_data(org, orphan), format="json")
    assert response.status_code == 400
    assert "obligation" in response.json()
    response = org.client("ciso").post(reverse("compliance:evaluation_create"),
                                       evaluation_data(org, orphan))
    assert response.status_code == 400
    assert "obligation" in response.context["form"].errors
    assert not Evaluation.objects.exists()


@pytest.mark.parametrize("result", ["not_compliant", "partial"])
def test_not_met_needs_evidence(org, kept, result):
    evaluation = Evaluation(obligation=kept["east"], result=result, evidence="  ",
                            evaluator=org.people["manager"], evaluated_on=today())
    assert "evidence" in field_errors(evaluation)
    response = org.client("manager").post(reverse("compliance:evaluation_create"),
                                          evaluation_data(org, kept["east"], result=result,
                                                          evidence=""))
    assert response.status_code == 400
    assert "evidence" in response.context["form"].errors
    assert not Evaluation.objects.exists() and not Nonconformity.objects.exists()


def test_a_file_is_evidence_enough(org, kept, media):
    evaluation = Evaluation(obligation=kept["east"], result="not_compliant", evidence="",
                            evaluator=org.people["manager"], evaluated_on=today(),
                            file=SimpleUploadedFile("log.pdf", b"%PDF-1.4", "application/pdf"))
    evaluation.full_clean()


@pytest.mark.parametrize("applicability, reason, department, wrong", [
    ("applicable", "", "sales", {"applicability_reason"}),
    ("not_applicable", " ", "sales", {"applicability_reason"}),
    ("applicable", "貸金業者", None, {"department"}),
    ("applicable", "", None, {"applicability_reason", "department"}),
])
def test_an_obligation_decided_needs_a_reason_and_an_owner_if_it_applies(
        org, appi, applicability, reason, department, wrong):
    obligation = Obligation(code="APPI-1", source=appi, title_ja="義務",
                            applicability=applicability, applicability_reason=reason,
                            department=getattr(org, department) if department else None)
    assert set(field_errors(obligation)) == wrong


def test_an_obligation_undecided_or_not_applicable_needs_no_owner(org, appi):
    Obligation(code="APPI-1", source=appi, title_ja="義務").full_clean()
    Obligation(code="APPI-2", source=appi, title_ja="義務", applicability="not_applicable",
               applicability_reason="対象業務なし").full_clean()


def test_an_exception_lasts_a_year_at_most_and_ends_after_it_starts(org, kept):
    start = datetime.date(2026, 4, 1)
    exception = ComplianceException(obligation=kept["east"], reason="更改まで",
                                    accepted_on=start,
                                    expires_on=start + datetime.timedelta(days=367))
    assert set(field_errors(exception)) == {"expires_on"}
    exception.expires_on = start
    assert set(field_errors(exception)) == {"expires_on"}
    exception.expires_on = start + datetime.timedelta(days=366)
    exception.full_clean()
    response = api_client(org.users["ciso"]).post("/api/compliance/exceptions/", {
        "obligation": kept["east"].pk, "reason": "更改まで", "accepted_on": "2026-04-01",
        "expires_on": "2027-04-03"}, format="json")
    assert response.status_code == 400
    assert "expires_on" in response.json()
    assert not ComplianceException.objects.exists()


def test_a_version_takes_effect_after_it_is_promulgated(org, appi):
    version = SourceVersion(source=appi, version="2026", promulgated_on=days(10),
                            effective_on=days(5))
    assert "effective_on" in field_errors(version)


def test_a_regulatory_action_responded_needs_the_day(org):
    action = RegulatoryAction(kind="guidance", title="指導", regulator="金融庁",
                              description="x", department=org.sales, received_on=days(-5),
                              status="responded")
    assert "responded_on" in field_errors(action)
    action.responded_on = days(-6)
    assert "responded_on" in field_errors(action)


# -- amendments raise their impact assessments ----------------------------------------------


@pytest.fixture
def decided(org, appi):
    """Obligations of one source: one applying, one undecided, one not applying."""
    return {"applies": make_obligation(appi, "APPI-A", org.sales_east),
            "undecided": make_obligation(appi, "APPI-U", None, applicability="undecided"),
            "not": make_obligation(appi, "APPI-N", org.it, applicability="not_applicable")}


def assessed(version) -> set[str]:
    return set(version.impact_assessments.values_list("obligation__code", flat=True))


def test_the_first_version_of_a_source_raises_nothing(org):
    source = make_source("iba")
    make_obligation(source, "IBA-1", org.sales)
    first = make_version(source, "2024", days(30))
    assert not first.impact_assessments.exists()
    assert not ImpactAssessment.objects.exists()


def test_an_amendment_raises_one_assessment_per_obligation_that_may_apply(org, decided):
    amendment = make_version(decided["applies"].source, "2027", days(90))
    assert assessed(amendment) == {"APPI-A", "APPI-U"}
    for assessment in amendment.impact_assessments.all():
        assert assessment.due_on == days(90)
        assert assessment.status == "open" and assessment.assessed_on is None
        assert log_entries(assessment, "create").exists()
    amendment.save()  # saved again: nothing more
    assert ImpactAssessment.objects.count() == 2


def test_the_assessment_is_for_the_obligations_department(org, decided):
    make_version(decided["applies"].source, "2027", days(90))
    ids = {a["id"] for a in api_client(org.users["manager"]).get(
        "/api/compliance/impact-assessments/").json()["results"]}
    assert ids == {ImpactAssessment.objects.get(obligation=decided["applies"]).pk}


def test_a_new_effective_date_moves_the_due_dates_in_the_same_save(org, decided):
    amendment = make_version(decided["applies"].source, "2027", days(90))
    response = org.client("ciso").post(
        reverse("compliance:sourceversion_update", args=[amendment.pk]),
        {"source": amendment.source_id, "version": "2027", "promulgated_on": "",
         "effective_on": days(120).isoformat(), "summary_ja": "施行日延期", "summary_en": "",
         "affects_all": "on"})
    assert response.status_code == 302, response.context and response.context["form"].errors
    assert set(ImpactAssessment.objects.values_list("due_on", flat=True)) == {days(120)}
    moved = ImpactAssessment.objects.get(obligation=decided["applies"])
    entry = log_entries(moved, "update").get()
    assert {name for name, _b, _a in entry.changes()} == {"due_on"}
    # And by the model alone.
    amendment.refresh_from_db()
    amendment.effective_on = days(100)
    amendment.save()
    assert set(ImpactAssessment.objects.values_list("due_on", flat=True)) == {days(100)}


def version_data(source, **fields):
    return {"source": source.pk, "version": "2027", "promulgated_on": "",
            "effective_on": days(90).isoformat(), "summary_ja": "一部改正", "summary_en": "",
            **fields}


def test_an_amendment_of_chosen_obligations_through_the_page(org, decided):
    source = decided["applies"].source
    extra = make_obligation(source, "APPI-B", org.sales)
    response = org.client("ciso").post(reverse("compliance:sourceversion_create"),
                                       version_data(source, affected=[extra.pk,
                                                                      decided["not"].pk]))
    assert response.status_code == 302, response.context and response.context["form"].errors
    amendment = SourceVersion.objects.get(version="2027")
    assert amendment.affects_all is False
    assert assessed(amendment) == {"APPI-B"}  # the one chosen that applies
    # Choosing one more later raises its assessment too, and keeps the first.
    response = org.client("ciso").post(
        reverse("compliance:sourceversion_update", args=[amendment.pk]),
        version_data(source, affected=[extra.pk, decided["applies"].pk]))
    assert response.status_code == 302
    assert assessed(amendment) == {"APPI-A", "APPI-B"}


def test_an_amendment_of_chosen_obligations_through_the_api(org, decided):
    source = decided["applies"].source
    extra = make_obligation(source, "APPI-B", org.sales)
    client = api_client(org.users["ciso"])
    response = client.post("/api/compliance/versions/", {
        "source": source.pk, "version": "2027", "effective_on": days(90).isoformat(),
        "affects_all": False, "affected": [decided["undecided"].pk]}, format="json")
    assert response.status_code == 201, response.json()
    amendment = SourceVersion.objects.get(pk=response.json()["id"])
    assert assessed(amendment) == {"APPI-U"}
    response = client.patch(f"/api/compliance/versions/{amendment.pk}/",
                            {"affected": [decided["undecided"].pk, extra.pk]}, format="json")
    assert response.status_code == 200, response.json()
    assert assessed(amendment) == {"APPI-U", "APPI-B"}
    # Taken off the amendment, an obligation keeps the assessment already raised.
    response = client.patch(f"/api/compliance/versions/{amendment.pk}/",
                            {"affected": [extra.pk]}, format="json")
    assert response.status_code == 200
    assert assessed(amendment) == {"APPI-U", "APPI-B"}


def test_an_older_version_entered_later_raises_nothing(org, decided):
    source = decided["applies"].source  # in force since 2020
    older = make_version(source, "2015", datetime.date(2017, 5, 30))
    assert not older.impact_assessments.exists()
    response = api_client(org.users["ciso"]).post("/api/compliance/versions/", {
        "source": source.pk, "version": "2003", "effective_on": "2005-04-01",
        "affects_all": True, "affected": []}, format="json")
    assert response.status_code == 201
    assert not ImpactAssessment.objects.exists()


def test_a_version_entered_between_two_in_force_raises_nothing(org, decided):
    """History entered for the record, replaced by a version already in force, is not a
    change to assess: the newer one is the law now."""
    source = decided["applies"].source  # in force since 2020
    make_version(source, "2015", datetime.date(2017, 5, 30))
    between = make_version(source, "2018", datetime.date(2018, 6, 1))
    assert not between.impact_assessments.exists()
    newest = make_version(source, "2027", days(90))
    assert newest.impact_assessments.exists()


def test_upcoming_amendments_entered_in_any_order_each_raise_assessments(org, decided):
    """A nearer amendment entered after a later one is still to assess: the later one is not
    in force yet."""
    source = decided["applies"].source
    later = make_version(source, "2028", days(400))
    nearer = make_version(source, "2027", days(90))
    assert later.impact_assessments.filter(obligation=decided["applies"]).exists()
    assert nearer.impact_assessments.filter(obligation=decided["applies"]).exists()


def test_a_version_in_force_that_nothing_replaced_is_assessed_late(org, decided):
    """A version in force entered late, with only older ones beside it, is the law the
    company is under: its assessments are raised, already due."""
    source = decided["applies"].source  # in force since 2020
    late = make_version(source, "2025", days(-30))
    assessment = late.impact_assessments.get(obligation=decided["applies"])
    assert assessment.due_on == days(-30)


def test_an_assessment_other_than_open_needs_text_and_is_stamped(org, decided):
    amendment = make_version(decided["applies"].source, "2027", days(90))
    assessment = amendment.impact_assessments.get(obligation=decided["applies"])
    url = reverse("compliance:impactassessment_update", args=[assessment.pk])
    client = org.client("manager")
    for status in ("no_change", "changes"):
        response = client.post(url, {"status": status, "assessment": " "})
        assert response.status_code == 400
        assert "assessment" in response.context["form"].errors
    assessment.refresh_from_db()
    assert (assessment.status, assessment.assessed_on) == ("open", None)
    response = client.post(url, {"status": "changes", "assessment": "報告様式を改める"})
    assert response.status_code == 302
    assessment.refresh_from_db()
    assert (assessment.status, assessment.assessed_on) == ("changes", today())
    # Reopened, it is no longer assessed.
    response = api_client(org.users["manager"]).patch(
        f"/api/compliance/impact-assessments/{assessment.pk}/", {"status": "open"},
        format="json")
    assert response.status_code == 200
    assert response.json()["assessed_on"] is None
    response = api_client(org.users["manager"]).patch(
        f"/api/compliance/impact-assessments/{assessment.pk}/",
        {"status": "no_change", "assessment": ""}, format="json")
    assert response.status_code == 400
    assert "assessment" in response.json()


# -- regulatory action numbers --------------------------------------------------------------

WRITERS = 10


@pytest.mark.django_db(transaction=True)
def test_simultaneous_regulatory_actions_get_distinct_numbers(org):
    concurrent_writes_possible()
    year = today().year
    RegulatoryAction.objects.create(code=f"RA-{year}-0003", kind="guidance", title="手入力",
                                    regulator="金融庁", description="x", department=org.sales)
    clients = [signed_in_client(org.users["manager"]) for _ in range(WRITERS)]
    statuses = []

    def record_one(n):
        response = clients[n].post(reverse("compliance:regulatoryaction_create"), {
            "code": "", "kind": "report_request", "title": f"同時 {n}", "regulator": "金融庁",
            "reference": "", "received_on": today().isoformat(), "description": "報告徴求",
            "department": org.sales.pk, "response_due_on": "", "responded_on": "",
            "response": "", "status": "open"})
        statuses.append(response.status_code)

    assert not run_at_once(record_one, WRITERS)
    assert statuses == [302] * WRITERS
    codes = sorted(RegulatoryAction.objects.filter(title__startswith="同時").values_list(
        "code", flat=True))
    assert codes == [f"RA-{year}-{n:04d}" for n in range(4, 4 + WRITERS)]


def test_the_number_follows_the_year_received(org):
    first = RegulatoryAction.objects.create(kind="guidance", title="a", regulator="金融庁",
                                            description="x", department=org.sales,
                                            received_on=datetime.date(2025, 12, 28))
    second = RegulatoryAction.objects.create(kind="guidance", title="b", regulator="金融庁",
                                             description="x", department=org.sales,
                                             received_on=datetime.date(2026, 1, 5))
    assert (first.code, second.code) == ("RA-2025-0001", "RA-2026-0001")


# -- evidence files -------------------------------------------------------------------------

CONTENT = b"%PDF-1.4\n% compliance evidence\n" + bytes(range(256)) * 4


def upload(org, obligation, name, username="manager", content=CONTENT):
    data = evaluation_data(org, obligation, result="not_compliant", evidence="",
                           file=SimpleUploadedFile(name, content, "application/pdf"))
    return org.client(username).post(reverse("compliance:evaluation_create"), data)


def download(org, username, evaluation):
    return org.client(username).get(reverse("compliance:evaluation_download",
                                            args=[evaluation.pk]))


def test_the_evidence_file_is_stored_with_its_hash(org, kept, media):
    page = org.client("manager").get(reverse("compliance:evaluation_create"))
    assert b'enctype="multipart/form-data"' in page.content
    response = upload(org, kept["east"], "委託先監査.pdf")
    assert response.status_code == 302, response.context and response.context["form"].errors
    evaluation = Evaluation.objects.get()
    assert evaluation.file_name == "委託先監査.pdf"
    assert evaluation.file_size == len(CONTENT)
    assert evaluation.file_sha256 == hashlib.sha256(CONTENT).hexdigest()
    [stored] = [p for p in media.rglob("*") if p.is_file()]
    assert stored.read_bytes() == CONTENT
    assert stored.name != "委託先監査.pdf"
    entry = log_entries(evaluation, "create").get()
    assert entry.after["file_sha256"] == evaluation.file_sha256
    detail = org.client("auditor").get(evaluation.get_absolute_url()).content.decode()
    assert evaluation.file_sha256 in detail
    assert reverse("compliance:evaluation_download", args=[evaluation.pk]) in detail
    api = api_client(org.users["auditor"]).get(f"/api/compliance/evaluations/{evaluation.pk}/")
    assert api.json()["file_sha256"] == evaluation.file_sha256


def test_the_evidence_file_is_downloaded_only_by_who_may_see_it(org, kept, media):
    upload(org, kept["east"], "report.pdf")
    evaluation = Evaluation.objects.get()
    for username in ("staff", "it_staff"):
        assert download(org, username, evaluation).status_code == 404, username
    for username in ("manager", "auditor", "ciso", "admin"):
        response = download(org, username, evaluation)
        assert response.status_code == 200, username
        assert b"".join(response.streaming_content) == CONTENT
        assert response["Content-Disposition"].startswith("attachment;")
        assert response["Content-Type"] == "application/octet-stream"
    it_evaluation = evaluate(kept["it"], org.people["it_staff"],
                             file=SimpleUploadedFile("it.pdf", CONTENT, "application/pdf"))
    assert download(org, "manager", it_evaluation).status_code == 404
    assert download(org, "ciso", it_evaluation).status_code == 200


def test_a_disallowed_file_is_refused(org, kept, media):
    response = upload(org, kept["east"], "run.exe")
    assert response.status_code == 400
    assert "file" in response.context["form"].errors
    assert not Evaluation.objects.exists() and not Nonconformity.objects.exists()
    assert [p for p in media.rglob("*") if p.is_file()] == []


def test_no_file_no_download(org, kept, media):
    evaluation = evaluate(kept["east"], org.people["manager"])
    assert download(org, "manager", evaluation).status_code == 404


# -- importing obligations --------------------------------------------------------------------

HEADER = tables.ObligationResource.fields


def obligation_row(code, **fields):
    values = {"code": code, "source": "appi", "article": "第1条", "title_ja": f"義務 {code}",
              "title_en": "", "summary_ja": "", "summary_en": "", "applicability": "applicable",
              "applicability_reason": "貸金業者", "department": "D100", "interval_months": "12"}
    values.update(fields)
    return [values[name] for name in HEADER]


def xlsx_upload(rows):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    for row in [HEADER, *rows]:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile("obligations.xlsx", buffer.getvalue())


def csv_upload(rows):
    import csv

    buffer = io.StringIO()
    csv.writer(buffer).writerows([HEADER, *rows])
    return SimpleUploadedFile("obligations.csv", buffer.getvalue().encode("utf-8-sig"),
                              "text/csv")


def import_file(org, upload, username="manager"):
    return org.client(username).post(reverse("compliance:obligation_import"),
                                     {"file": upload})


def errors_of(response) -> set[tuple[int, str]]:
    return {(e.row, e.field) for e in response.context["result"].errors}


@pytest.mark.parametrize("make_upload", [xlsx_upload, csv_upload])
def test_an_obligation_import_is_all_or_nothing_naming_row_and_field(org, appi,
                                                                     make_upload):
    response = import_file(org, make_upload([
        obligation_row("APPI-101"),
        obligation_row("APPI-102", department="D200"),  # IT: not the manager's
        obligation_row("APPI-103", applicability="applies"),
        obligation_row("APPI-104", applicability_reason=""),
        obligation_row("APPI-105", source="nosuch"),
    ]))
    assert response.status_code == 400
    assert errors_of(response) == {(2, "department"), (3, "applicability"),
                                   (4, "applicability_reason"), (5, "source")}
    assert not Obligation.objects.exists()
    response = import_file(org, make_upload([obligation_row("APPI-101"),
                                             obligation_row("APPI-102", department="D110")]))
    assert response.status_code == 302
    assert dict(Obligation.objects.values_list("code", "department__code")) == {
        "APPI-101": "D100", "APPI-102": "D110"}
    created = Obligation.objects.get(code="APPI-101")
    assert log_entries(created, "create").get().source == "ui"


def test_an_import_updates_by_code_and_keeps_the_mappings_it_does_not_name(org, appi):
    control = make_control(org.sales, "C-1")
    obligation = make_obligation(appi, "APPI-101", org.sales, interval_months=12)
    obligation.controls.add(control)
    response = import_file(org, xlsx_upload([obligation_row("APPI-101",
                                                            interval_months="6")]))
    assert response.status_code == 302, [str(e) for e in response.context["result"].errors]
    obligation.refresh_from_db()
    assert obligation.interval_months == 6
    assert list(obligation.controls.all()) == [control]


def test_an_import_cannot_touch_an_obligation_outside_scope(org, appi):
    make_obligation(appi, "APPI-IT", org.it)
    response = import_file(org, csv_upload([obligation_row("APPI-IT", department="D100")]))
    assert response.status_code == 400
    assert errors_of(response) == {(1, "code")}
    assert Obligation.objects.get(code="APPI-IT").department == org.it


# -- links the editor cannot see are kept ---------------------------------------------------


def test_the_manager_editing_an_action_keeps_the_links_they_cannot_see(org, kept):
    """The CISO linked IT's obligation and incident to a Sales action; the manager, who sees
    neither, edits the action on its page and through a file: both links stay."""
    from mamori.incidents.tests.factories import make_incident

    action = RegulatoryAction.objects.create(
        kind="inspection", title="立入検査", regulator="金融庁", description="x",
        department=org.sales, received_on=days(-5))
    it_incident = make_incident(org.it, "サーバ停止")
    action.obligations.set([kept["east"], kept["it"]])
    action.incidents.set([it_incident])
    data = {"code": action.code, "kind": "inspection", "title": "立入検査（指摘あり）",
            "regulator": "金融庁", "reference": "", "received_on": days(-5).isoformat(),
            "description": "x", "department": org.sales.pk, "response_due_on": "",
            "responded_on": "", "response": "", "status": "open",
            "obligations": [kept["east"].pk], "incidents": []}
    response = org.client("manager").post(
        reverse("compliance:regulatoryaction_update", args=[action.pk]), data)
    assert response.status_code == 302, response.context and response.context["form"].errors
    assert set(action.obligations.all()) == {kept["east"], kept["it"]}
    assert list(action.incidents.all()) == [it_incident]
    # The manager takes off the obligation they see: it goes, the unseen one stays.
    response = org.client("manager").post(
        reverse("compliance:regulatoryaction_update", args=[action.pk]),
        {**data, "obligations": []})
    assert response.status_code == 302
    assert list(action.obligations.all()) == [kept["it"]]
    # A file names no links: an update by file keeps them all.
    header = tables.RegulatoryActionResource.fields
    values = {**data, "title": "立入検査（回答済）", "department": "D100",
              "responded_on": days(-1).isoformat(), "status": "responded"}
    row = [values[name] if values[name] is not None else "" for name in header]
    import csv

    buffer = io.StringIO()
    csv.writer(buffer).writerows([header, row])
    response = org.client("manager").post(reverse("compliance:regulatoryaction_import"), {
        "file": SimpleUploadedFile("actions.csv", buffer.getvalue().encode(), "text/csv")})
    assert response.status_code == 302, [str(e) for e in response.context["result"].errors]
    action.refresh_from_db()
    assert action.status == "responded"
    assert list(action.obligations.all()) == [kept["it"]]
    assert list(action.incidents.all()) == [it_incident]
