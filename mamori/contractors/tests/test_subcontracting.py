"""Subcontracting (再委託): the shared UI/API/scope tests, the CISO's consent or refusal per
link, the arrangement kept as decided, no chain that goes round in a circle, and the chain's
weakest verdict on the contractor's page."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from mamori.contractors import tables, workflow
from mamori.contractors.chain import NOT_SCREENED, chain_of
from mamori.contractors.models import Screening, ScreeningRequirement, Subcontracting
from mamori.contractors.tests.test_agreements import ContractorParts
from mamori.contractors.tests.test_contractor_models import make_contractor
from mamori.core.testing import ScopedModelTests, log_entries

pytestmark = pytest.mark.django_db
Verdict = Screening.Verdict


def make_link(contractor, subcontractor, **fields):
    return Subcontracting.objects.create(contractor=contractor, subcontractor=subcontractor,
                                         work=fields.pop("work", "発送業務"), **fields)


class TestSubcontracting(ContractorParts, ScopedModelTests):
    model = Subcontracting
    api_path = "/api/contractors/subcontracting/"

    @pytest.fixture(autouse=True)
    def _subcontractors(self, _contractors, org):
        for code in ("S-1", "S-2", "S-3"):
            make_contractor(org.sales, code)

    def in_scope_object(self, org):
        return make_link(self.contractor("K-EAST"), self.contractor("S-1"))

    def out_of_scope_object(self, org):
        return make_link(self.contractor("K-IT"), self.contractor("S-2"))

    def create_data(self, org):
        return {"contractor": self.contractor("K-SALES").pk,
                "subcontractor": self.contractor("S-3").pk, "work": "コールセンターの夜間対応",
                "information": "会員の氏名と電話番号", "requested_on": "2026-11-01"}

    def out_of_scope_create_data(self, org):
        return {**self.create_data(org), "contractor": self.contractor("K-IT").pk}

    def update_data(self, org, obj):
        return {"contractor": obj.contractor_id, "subcontractor": obj.subcontractor_id,
                "work": "変更後の業務", "information": "", "requested_on": "2026-11-02"}

    def make_rows(self, org, n):
        start = Subcontracting.objects.count()
        parent = self.contractor("K-SALES")
        subs = [make_contractor(org.sales, f"SUB-{start + i:04d}") for i in range(n)]
        Subcontracting.objects.bulk_create(
            Subcontracting(contractor=parent, subcontractor=sub, work="w") for sub in subs)

    def resource(self):
        return tables.SubcontractingResource()

    def bad_import_column(self):
        return "subcontractor"


# -- consent ---------------------------------------------------------------------------------

@pytest.fixture
def pair(org):
    return make_link(make_contractor(org.sales, "K-1"), make_contractor(org.sales, "K-2"))


def test_the_ciso_consents_and_the_step_is_logged(org, pair):
    response = org.client("ciso").post(reverse("contractors:subcontracting_decide",
                                               args=[pair.pk]),
                                       {"approve": "yes", "note": "年次監査を条件とする"})
    assert response.status_code == 302
    pair.refresh_from_db()
    assert pair.status == Subcontracting.Status.APPROVED
    assert pair.decided_on == timezone.localdate()
    assert pair.decided_by == org.people["ciso"]
    assert pair.decision_note == "年次監査を条件とする"
    assert log_entries(pair, "update")


def test_a_refusal_says_why(org, pair):
    with pytest.raises(ValidationError) as raised:
        workflow.decide_subcontracting(org.users["ciso"], pair, approve=False, note=" ")
    assert "note" in raised.value.message_dict
    pair.refresh_from_db()
    assert pair.status == Subcontracting.Status.REQUESTED
    workflow.decide_subcontracting(org.users["ciso"], pair, approve=False,
                                   note="再委託先の審査が未了")
    pair.refresh_from_db()
    assert pair.status == Subcontracting.Status.REFUSED


def test_only_the_ciso_decides(org, pair):
    with pytest.raises(PermissionDenied):
        workflow.decide_subcontracting(org.users["manager"], pair, approve=True)
    response = org.client("manager").post(
        reverse("contractors:subcontracting_decide", args=[pair.pk]), {"approve": "yes"})
    assert response.status_code == 403
    page = org.client("manager").get(pair.get_absolute_url())
    assert page.context["can_decide"] is False
    assert b'data-testid="decide-subcontracting"' not in page.content


def test_a_decision_is_taken_once(org, pair):
    workflow.decide_subcontracting(org.users["ciso"], pair, approve=True)
    with pytest.raises(ValidationError):
        workflow.decide_subcontracting(org.users["ciso"], pair, approve=False, note="x")


def test_a_decided_arrangement_is_kept_as_decided(org, pair):
    workflow.decide_subcontracting(org.users["ciso"], pair, approve=True)
    # The information manager keeps the contractor but no longer edits what was consented to.
    client = org.client("manager")
    assert client.get(reverse("contractors:subcontracting_update",
                              args=[pair.pk])).status_code == 404
    page = client.get(pair.get_absolute_url())
    assert page.context["can_change"] is False and page.context["can_delete"] is False
    assert page.context["can_end"] is True
    response = client.post(reverse("contractors:subcontracting_end", args=[pair.pk]))
    assert response.status_code == 302
    pair.refresh_from_db()
    assert pair.status == Subcontracting.Status.ENDED
    assert pair.ended_on == timezone.localdate()
    # Ended, the same pair may be asked for again.
    again = make_link(pair.contractor, pair.subcontractor)
    assert again.status == Subcontracting.Status.REQUESTED


def test_someone_outside_the_department_cannot_end_it(org):
    link = make_link(make_contractor(org.it, "K-IT1"), make_contractor(org.it, "K-IT2"))
    with pytest.raises(PermissionDenied):
        workflow.end_subcontracting(org.users["manager"], link)
    response = org.client("manager").post(reverse("contractors:subcontracting_end",
                                                  args=[link.pk]))
    assert response.status_code == 404


@pytest.mark.parametrize("which", ["self", "circle"])
def test_a_chain_cannot_go_round(org, which):
    a, b, c = (make_contractor(org.sales, code) for code in ("K-A", "K-B", "K-C"))
    make_link(a, b)
    make_link(b, c)
    link = Subcontracting(contractor=c, subcontractor=c if which == "self" else a, work="w")
    with pytest.raises(ValidationError) as raised:
        link.full_clean()
    assert "subcontractor" in raised.value.message_dict


def test_the_form_names_the_subcontractor_of_a_circle(org):
    a, b = make_contractor(org.sales, "K-A"), make_contractor(org.sales, "K-B")
    make_link(a, b)
    response = org.client("manager").post(reverse("contractors:subcontracting_create"), {
        "contractor": b.pk, "subcontractor": a.pk, "work": "w", "information": "",
        "requested_on": "2026-11-01"})
    assert response.status_code == 400
    assert "subcontractor" in response.context["form"].errors


# -- the chain's weakest verdict ---------------------------------------------------------------

def assessed(contractor, verdict, until=None, days_ago=10):
    """A screening with its verdict, as the CISO's step leaves it (set directly: the
    comparison itself is tested in test_screenings)."""
    screening = Screening.objects.create(contractor=contractor)
    Screening.objects.filter(pk=screening.pk).update(
        status=Screening.Status.ASSESSED, verdict=verdict, verdict_until=until,
        assessed_on=timezone.localdate() - datetime.timedelta(days=days_ago))
    return screening


@pytest.fixture
def chain(org):
    ScreeningRequirement.objects.all().delete()  # screenings without questions
    top, middle, bottom = (make_contractor(org.sales, code)
                           for code in ("K-TOP", "K-MID", "K-BOT"))
    for contractor in (top, middle, bottom):
        assessed(contractor, Verdict.EQUAL_OR_HIGHER)
    first, second = make_link(top, middle), make_link(middle, bottom)
    for link in (first, second):
        workflow.decide_subcontracting(org.users["ciso"], link, approve=True)
    return top, middle, bottom, second


def test_a_chain_of_consented_equal_parties_is_equal_or_higher(chain):
    top, _middle, _bottom, _link = chain
    result = chain_of(top)
    assert [(item.link.subcontractor.code, item.depth) for item in result.links] == [
        ("K-MID", 1), ("K-BOT", 2)]
    assert result.weakest == Verdict.EQUAL_OR_HIGHER


def test_the_weakest_party_down_the_chain_decides(chain):
    top, _middle, bottom, _link = chain
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    assessed(bottom, Verdict.GAPS_ACCEPTED, until=tomorrow, days_ago=1)
    assert chain_of(top).weakest == Verdict.GAPS_ACCEPTED
    # An acceptance that has expired no longer lets the work be entrusted.
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    assessed(bottom, Verdict.GAPS_ACCEPTED, until=yesterday, days_ago=0)
    assert chain_of(top).weakest == Verdict.NOT_ACCEPTABLE


def test_an_unscreened_subcontractor_weakens_the_chain(org, chain):
    top, _middle, bottom, _link = chain
    newcomer = make_contractor(org.sales, "K-NEW")
    link = make_link(bottom, newcomer)
    workflow.decide_subcontracting(org.users["ciso"], link, approve=True)
    assert chain_of(top).weakest == NOT_SCREENED


def test_a_link_without_consent_makes_the_chain_not_acceptable(org, chain):
    top, _middle, bottom, _link = chain
    make_link(bottom, make_contractor(org.sales, "K-NEW"))  # requested, not yet consented
    assert chain_of(top).weakest == Verdict.NOT_ACCEPTABLE


def test_an_ended_link_leaves_the_chain(org, chain):
    top, _middle, _bottom, second = chain
    workflow.end_subcontracting(org.users["manager"], second)
    assert [item.link.subcontractor.code for item in chain_of(top).links] == ["K-MID"]


def test_the_contractor_page_shows_the_chain(org, chain):
    top, *_rest = chain
    response = org.client("manager").get(top.get_absolute_url())
    assert response.status_code == 200
    assert response.content.count(b'data-testid="chain-link"') == 2
    assert response.context["chain"].weakest == Verdict.EQUAL_OR_HIGHER
    page = org.client("manager").get(_rest[0].get_absolute_url())  # the middle one
    assert b'data-testid="subcontracted-by"' in page.content


def test_a_request_waits_on_the_cisos_page_until_decided(org, pair):
    def consent(user):
        page = org.client(user).get(reverse("core:my_page"))
        panels = dict(page.context["panels"])
        return panels.get("contractors/_my_page.html", {}) or {}

    assert consent("ciso")["consent"] == [pair]
    assert consent("manager").get("consent", []) == []
    workflow.decide_subcontracting(org.users["ciso"], pair, approve=True)
    assert consent("ciso").get("consent", []) == []


def test_links_further_down_kept_by_another_department_are_named_not_linked(org, chain):
    top, middle, _bottom, second = chain
    # The middle contractor is kept by IT: its own subcontracting is outside Sales' scope.
    type(middle).objects.filter(pk=middle.pk).update(department=org.it)
    page = org.client("manager").get(top.get_absolute_url())
    html = page.content.decode()
    assert second.pk not in page.context["visible_links"]
    assert second.get_absolute_url() not in html and "K-BOT" in html
    assert org.client("manager").get(second.get_absolute_url()).status_code == 404
