"""Documents, versions and reviews through the shared UI/API/scope tests
(mamori.core.testing.ScopedModelTests)."""

import datetime

import pytest
from django.urls import NoReverseMatch, reverse

from mamori.core.testing import ScopedModelTests, api_client
from mamori.policies import tables
from mamori.policies.models import PolicyDocument, PolicyReview, PolicyVersion
from mamori.policies.tests.conftest import BODY_EN, BODY_JA, make_document, make_draft


class NoImportPage:
    """Versions are made through the workflow and reviews one at a time: neither has an
    import page, so the mixin's import test is replaced by one showing there is none."""

    def test_import_is_all_or_nothing_with_row_errors(self, org):
        with pytest.raises(NoReverseMatch):
            self.url("import")
        path = reverse(f"policies:{self.model._meta.model_name}_list") + "import/"
        assert org.client("admin").get(path).status_code == 404
        response = org.client(self.in_scope_user).get(self.url("list"))
        assert response.context["can_import"] is False


class TestPolicyDocument(ScopedModelTests):
    model = PolicyDocument
    api_path = "/api/policies/documents/"
    out_of_scope_visible = True  # everyone may read the rules they must follow

    def in_scope_object(self, org):
        return make_document(org.sales_east, code="east-rules")

    def out_of_scope_object(self, org):
        return make_document(org.it, code="it-rules")

    def create_data(self, org):
        return {"code": "sales-handbook", "kind": "standard", "title_ja": "営業ハンドブック",
                "title_en": "Sales handbook", "owner_department": org.sales.pk,
                "approver": None, "review_interval_months": 12, "next_review_date": None,
                "acknowledgement_days": 14, "is_active": True}

    def out_of_scope_create_data(self, org):
        return {**self.create_data(org), "code": "it-handbook", "owner_department": org.it.pk}

    def update_data(self, org, obj):
        return {"code": obj.code, "kind": obj.kind, "title_ja": obj.title_ja + "（改）",
                "title_en": obj.title_en, "owner_department": obj.owner_department_id,
                "approver": None, "review_interval_months": 24, "next_review_date": None,
                "acknowledgement_days": 30, "is_active": True}

    def make_rows(self, org, n):
        start = PolicyDocument.objects.count()
        PolicyDocument.objects.bulk_create(
            PolicyDocument(code=f"doc-{start + i}", kind="procedure", title_ja=f"手順{i}",
                           owner_department=org.sales) for i in range(n))

    def resource(self):
        return tables.PolicyDocumentResource()

    def bad_import_column(self):
        return "kind"

    def test_staff_read_every_document_and_change_none(self, org):
        doc = make_document(org.it, code="it-rules")
        client = org.client("staff")
        assert client.get(self.url("detail", doc.pk)).status_code == 200
        assert client.get(self.url("update", doc.pk)).status_code == 404
        assert client.post(self.url("delete", doc.pk)).status_code == 404


class WithDocuments:
    """A Sales document and an IT one exist before each test, so that building the data
    of a refused write adds nothing to the change log."""

    @pytest.fixture(autouse=True)
    def _documents(self, org):
        make_document(org.sales, code="sales-rules")
        make_document(org.it, code="it-rules")

    def _doc(self, code):
        return PolicyDocument.objects.get(code=code)


class TestPolicyVersion(WithDocuments, NoImportPage, ScopedModelTests):
    model = PolicyVersion
    api_path = "/api/policies/versions/"

    def in_scope_object(self, org):
        return make_draft(self._doc("sales-rules"))

    def out_of_scope_object(self, org):
        return make_draft(self._doc("it-rules"))

    def create_data(self, org):
        return {"document": self._doc("sales-rules").pk, "is_material": True,
                "change_summary": "first text", "body_ja": BODY_JA, "body_en": BODY_EN,
                "audience": "categories", "audience_categories": ["employee"],
                "audience_departments": []}

    def out_of_scope_create_data(self, org):
        return {**self.create_data(org), "document": self._doc("it-rules").pk}

    def links(self, org):
        return {"audience_departments": [org.sales.pk]}

    def update_data(self, org, obj):
        return {"document": obj.document_id, "is_material": False,
                "change_summary": "wording", "body_ja": obj.body_ja + "\n追記。\n",
                "body_en": obj.body_en, "audience": "all", "audience_categories": [],
                "audience_departments": []}

    def make_rows(self, org, n):
        document = make_document(org.sales, code=f"rows-{PolicyVersion.objects.count()}")
        PolicyVersion.objects.bulk_create(
            PolicyVersion(document=document, number=i + 1, body_ja=f"本文{i}",
                          content_hash="0" * 64) for i in range(n))

    def test_only_drafts_are_edited_or_deleted(self, org):
        draft = self.in_scope_object(org)
        for status in ("in_review", "approved", "published", "superseded"):
            PolicyVersion.objects.filter(pk=draft.pk).update(status=status)
            for user in ("manager", "ciso", "admin"):
                client = org.client(user)
                data = self.form_data(self.update_data(org, draft))
                assert client.post(self.url("update", draft.pk), data).status_code == 404
                assert client.post(self.url("delete", draft.pk)).status_code == 404
            api = api_client(org.users["manager"])
            assert api.patch(f"{self.api_path}{draft.pk}/", {"change_summary": "x"},
                             format="json").status_code in (400, 404)
            assert api.delete(f"{self.api_path}{draft.pk}/").status_code in (403, 404)
        draft.refresh_from_db()
        assert draft.body_ja == BODY_JA and draft.change_summary == ""

    def test_staff_see_only_released_versions(self, org):
        document = self._doc("sales-rules")
        versions = {status: make_draft(document, status=status)
                    for status in ("draft", "in_review", "approved", "superseded")}
        published = make_draft(document, status="published")
        response = org.client("staff").get(self.url("list"))
        shown = {obj.pk for obj, _cells in response.context["rows"]}
        assert shown == {published.pk, versions["superseded"].pk}
        api = api_client(org.users["staff"]).get(self.api_path)
        assert {row["id"] for row in api.json()["results"]} == shown
        assert org.client("staff").get(
            self.url("detail", versions["draft"].pk)).status_code == 404

    def test_the_manager_sees_other_departments_released_versions_only(self, org):
        document = self._doc("it-rules")
        draft, published = make_draft(document), make_draft(document, status="published")
        client = org.client("manager")
        assert client.get(self.url("detail", draft.pk)).status_code == 404
        assert client.get(self.url("detail", published.pk)).status_code == 200

    def test_content_hash_and_number_are_set_on_save(self, org):
        document = self._doc("sales-rules")
        first, second = make_draft(document), make_draft(document, body_ja="別の本文")
        assert (first.number, second.number) == (1, 2)
        assert len(first.content_hash) == 64 and first.content_hash != second.content_hash
        assert first.content_hash == first.compute_hash()


class TestPolicyReview(WithDocuments, NoImportPage, ScopedModelTests):
    model = PolicyReview
    api_path = "/api/policies/reviews/"
    out_of_scope_visible = True  # reviews of the rules are readable by everyone

    def _review(self, org, code):
        return PolicyReview.objects.create(
            document=self._doc(code), reviewer=org.people["ciso"],
            reviewed_on=datetime.date(2025, 4, 1), outcome="no_change", reasons=["scheduled"],
            next_review_date=datetime.date(2026, 4, 1))

    def in_scope_object(self, org):
        return self._review(org, "sales-rules")

    def out_of_scope_object(self, org):
        return self._review(org, "it-rules")

    def create_data(self, org):
        return {"document": self._doc("sales-rules").pk, "reviewer": org.people["manager"].pk,
                "reviewed_on": "2025-06-01", "outcome": "revise",
                "reasons": ["regulation", "technology"], "notes": "APPI amendment",
                "next_review_date": "2026-06-01"}

    def out_of_scope_create_data(self, org):
        return {**self.create_data(org), "document": self._doc("it-rules").pk}

    def update_data(self, org, obj):
        return {"document": obj.document_id, "reviewer": obj.reviewer_id,
                "reviewed_on": obj.reviewed_on.isoformat(), "outcome": obj.outcome,
                "reasons": list(obj.reasons), "notes": "checked again",
                "next_review_date": "2026-03-31"}

    def make_rows(self, org, n):
        document = make_document(org.sales, code=f"rows-{PolicyReview.objects.count()}")
        PolicyReview.objects.bulk_create(
            PolicyReview(document=document, reviewer=org.people["ciso"],
                         reviewed_on=datetime.date(2024, 1, 1) + datetime.timedelta(days=i),
                         outcome="no_change", reasons=["scheduled"],
                         next_review_date=datetime.date(2026, 1, 1)) for i in range(n))

    def test_a_review_sets_the_documents_next_review_date(self, org):
        data = self.create_data(org)
        response = org.client("manager").post(self.url("create"), self.form_data(data))
        assert response.status_code == 302
        document = PolicyDocument.objects.get(pk=data["document"])
        assert document.next_review_date == datetime.date(2026, 6, 1)

    @pytest.mark.parametrize(("change", "field"), [
        ({"reasons": []}, "reasons"),
        ({"next_review_date": "2025-05-01"}, "next_review_date"),
    ])
    def test_invalid_review_is_refused_in_ui_and_api(self, org, change, field):
        data = {**self.create_data(org), **change}
        response = org.client("manager").post(self.url("create"), self.form_data(data))
        assert response.status_code == 400
        assert field in response.context["form"].errors
        api = api_client(org.users["manager"]).post(self.api_path, data, format="json")
        assert api.status_code == 400 and field in api.json()
        assert not PolicyReview.objects.exists()
