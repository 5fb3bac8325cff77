"""Requirement mappings between frameworks: through the shared UI/API/scope tests
(mamori.core.testing), and on a requirement's page, where the mappings both ways show the
mapped requirement's decision and controls."""

import pytest
from django.urls import reverse

from mamori.controls import tables
from mamori.controls.models import Requirement, RequirementMapping
from mamori.controls.tests.test_control_models import (
    make_control,
    make_framework,
    make_requirement,
)
from mamori.core.testing import (
    CisoChangesTests,
    ScopedModelTests,
    api_client,
    log_entries,
    query_count,
)

pytestmark = pytest.mark.django_db
API = "/api/controls/requirement-mappings/"


def make_mapping(source, target, **fields):
    values = {"relationship": "equal"}
    return RequirementMapping.objects.create(source=source, target=target,
                                             **{**values, **fields})


class WithRequirements:
    """Two frameworks with requirements exist before each test, so that building the data of
    a refused write adds nothing to the change log."""

    @pytest.fixture(autouse=True)
    def _requirements(self, org):
        for code in ("fw-a", "fw-b"):
            framework = make_framework(code)
            for ref in ("5.1", "5.2", "6.1"):
                make_requirement(framework, ref)

    def _requirement(self, uid):
        return Requirement.objects.get(uid=uid)


class TestRequirementMapping(WithRequirements, CisoChangesTests, ScopedModelTests):
    model = RequirementMapping
    api_path = API

    def in_scope_object(self, org):
        return make_mapping(self._requirement("fw-a:5.1"), self._requirement("fw-b:5.1"))

    def out_of_scope_object(self, org):
        return make_mapping(self._requirement("fw-a:5.2"), self._requirement("fw-b:5.2"),
                            relationship="subset", strength=4)

    def create_data(self, org):
        return {"source": self._requirement("fw-a:6.1").pk,
                "target": self._requirement("fw-b:6.1").pk, "relationship": "intersect",
                "strength": 7, "rationale": "semantic",
                "annotation": "どちらも教育の記録を求める"}

    def out_of_scope_create_data(self, org):
        return {**self.create_data(org), "target": self._requirement("fw-b:5.2").pk}

    def update_data(self, org, obj):
        return {"source": obj.source_id, "target": obj.target_id, "relationship": "superset",
                "strength": 3, "rationale": "functional", "annotation": "見直した"}

    def make_rows(self, org, n):
        framework = self._requirement("fw-b:5.1").framework
        start = Requirement.objects.count()
        rows = Requirement.objects.bulk_create(
            Requirement(framework=framework, ref=f"R{start + i}", uid=f"fw-b:R{start + i}",
                        sort_key=start + i, title_ja=f"要求{i}") for i in range(n))
        source = self._requirement("fw-a:6.1")
        RequirementMapping.objects.bulk_create(
            RequirementMapping(source=source, target=row, relationship="intersect")
            for row in rows)

    def resource(self):
        return tables.RequirementMappingResource()

    def bad_import_column(self):
        return "relationship"

    def test_staff_read_mappings_and_change_none(self, org):
        mapping = self.in_scope_object(org)
        client = org.client("staff")
        assert client.get(self.url("detail", mapping.pk)).status_code == 200
        assert client.get(self.url("update", mapping.pk)).status_code == 404
        assert client.get(self.url("create")).status_code == 403

    @pytest.mark.parametrize(("change", "field"), [
        ({"target": "fw-a:6.1"}, "target"),  # mapped to itself
        ({"strength": 11}, "strength"),
        ({"strength": 0}, "strength"),
        ({"relationship": "related"}, "relationship"),
    ])
    def test_invalid_mapping_is_refused(self, org, change, field):
        data = self.create_data(org)
        if "target" in change:
            change = {"target": self._requirement(change["target"]).pk}
        data.update(change)
        response = org.client("ciso").post(self.url("create"), self.form_data(data))
        assert response.status_code == 400 and field in response.context["form"].errors
        api = api_client(org.users["ciso"]).post(self.api_path, data, format="json")
        assert api.status_code == 400 and field in api.json()
        assert not RequirementMapping.objects.exists()

    def test_a_pair_is_mapped_once(self, org):
        existing = self.in_scope_object(org)
        data = {**self.create_data(org), "source": existing.source_id,
                "target": existing.target_id}
        response = org.client("ciso").post(self.url("create"), self.form_data(data))
        assert response.status_code == 400
        api = api_client(org.users["ciso"]).post(self.api_path, data, format="json")
        assert api.status_code == 400
        assert RequirementMapping.objects.count() == 1

    def test_the_mapping_set_is_the_imports_own(self, org):
        """A mapping entered by hand (or through the API) belongs to no library set, whatever
        the request says: a set's next import would otherwise remove it."""
        data = {**self.create_data(org), "mapping_set": "urn:x:set", "mapping_set_name": "x"}
        response = api_client(org.users["ciso"]).post(self.api_path, data, format="json")
        assert response.status_code == 201, response.json()
        created = RequirementMapping.objects.get(pk=response.json()["id"])
        assert (created.mapping_set, created.mapping_set_name) == ("", "")

    def test_filters(self, org):
        inside, outside = self.in_scope_object(org), self.out_of_scope_object(org)
        client = org.client("staff")

        def shown(query):
            response = client.get(self.url("list") + query)
            assert response.status_code == 200
            return {obj.pk for obj, _cells in response.context["rows"]}

        assert shown(f"?requirement={inside.target_id}") == {inside.pk}
        assert shown(f"?requirement={outside.source_id}") == {outside.pk}
        assert shown("?relationship=subset") == {outside.pk}
        assert shown(f"?framework={inside.source.framework_id}") == {inside.pk, outside.pk}
        api = api_client(org.users["staff"]).get(f"{self.api_path}?source={inside.source_id}")
        assert [row["id"] for row in api.json()["results"]] == [inside.pk]

    def test_deleting_a_requirement_removes_its_mappings_logged(self, org):
        mapping = self.in_scope_object(org)
        mapping.target.delete()
        assert not RequirementMapping.objects.exists()
        assert log_entries(mapping, "delete").count() == 1


@pytest.fixture
def mapped(org):
    """fw-a:5.1 is a subset of iso:5.1 (met by an implemented control) and a superset of
    csf:GV.PO-01 (excluded, with a control of IT's)."""
    a, iso, csf = make_framework("fw-a"), make_framework("iso"), make_framework("csf")
    requirement = make_requirement(a, "5.1")
    wider = make_requirement(iso, "5.1", applicable=True)
    wider.controls.add(make_control(org.sales, "C-POLICY", status="implemented"))
    narrower = make_requirement(csf, "GV.PO-01", applicable=False, justification="対象外")
    narrower.controls.add(make_control(org.it, "C-IT"))
    return {
        "requirement": requirement, "wider": wider, "narrower": narrower,
        "out": make_mapping(requirement, wider, relationship="subset", strength=8),
        # Recorded from the other side: csf:GV.PO-01 is a subset of fw-a:5.1.
        "in": make_mapping(narrower, requirement, relationship="subset"),
    }


def test_a_requirement_shows_its_mappings_both_ways(org, mapped):
    page = org.client("staff").get(reverse("controls:requirement_detail",
                                           args=[mapped["requirement"].pk]))
    assert page.status_code == 200
    rows = page.context["mappings"]
    assert [(row["other"].uid, row["mapping"].relationship_from(mapped["requirement"]))
            for row in rows] == [("csf:GV.PO-01", "superset"), ("iso:5.1", "subset")]
    by_uid = {row["other"].uid: row for row in rows}
    assert [c.code for c in by_uid["iso:5.1"]["other"].visible_controls] == ["C-POLICY"]
    assert by_uid["iso:5.1"]["outgoing"] and not by_uid["csf:GV.PO-01"]["outgoing"]
    html = page.content.decode()
    for target in (mapped["wider"], mapped["narrower"], mapped["out"], mapped["in"]):
        assert target.get_absolute_url() in html
    assert reverse("controls:control_detail",
                   args=[mapped["wider"].controls.get().pk]) in html
    assert 'data-testid="add-mapping"' not in html  # staff may not add one

    # The other side reads the same mapping the other way round.
    page = org.client("staff").get(reverse("controls:requirement_detail",
                                           args=[mapped["wider"].pk]))
    assert [(row["other"].uid, row["relationship"]) for row in page.context["mappings"]] == [
        ("fw-a:5.1", RequirementMapping.Relationship.SUPERSET.label)]


def test_the_ciso_may_add_a_mapping_from_the_page(org, mapped):
    page = org.client("ciso").get(reverse("controls:requirement_detail",
                                          args=[mapped["requirement"].pk]))
    assert 'data-testid="add-mapping"' in page.content.decode()
    form = org.client("ciso").get(reverse("controls:requirementmapping_create")
                                  + f"?source={mapped['requirement'].pk}")
    assert form.context["form"].initial["source"] == mapped["requirement"].pk


def test_the_mappings_take_constant_queries(org, mapped):
    client = org.client("staff")
    path = reverse("controls:requirement_detail", args=[mapped["requirement"].pk])
    client.get(path)
    few = query_count(lambda: client.get(path))
    for index in range(5):
        other = make_requirement(mapped["wider"].framework, f"9.{index}")
        other.controls.add(make_control(org.sales, f"C-9{index}"))
        make_mapping(mapped["requirement"], other, relationship="intersect")
    assert query_count(lambda: client.get(path)) == few


def test_framework_pages_link_to_the_mappings(org, mapped):
    client = org.client("staff")
    listing = client.get(reverse("controls:framework_list")).content.decode()
    assert reverse("controls:requirementmapping_list") in listing
    assert reverse("controls:framework_import_library") not in listing  # staff may not
    detail = client.get(reverse("controls:framework_detail",
                                args=[mapped["requirement"].framework_id])).content.decode()
    assert f"{reverse('controls:requirementmapping_list')}?framework=" in detail
    ciso = org.client("ciso").get(reverse("controls:framework_list")).content.decode()
    assert reverse("controls:framework_import_library") in ciso
