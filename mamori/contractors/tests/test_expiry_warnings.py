"""Contracts ending without renewal and certificates relied on are announced once per end
date to the contractor's information managers and the CISO, again when the date changes, and
listed on My page for those who keep the contractor."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from mamori.contractors.models import Certificate, Contract, ContractorSettings
from mamori.contractors.tasks import warn_contractor_expiries
from mamori.contractors.tests.test_agreements import make_certificate, make_contract
from mamori.contractors.tests.test_contractor_models import make_contractor
from mamori.org.models import Person

pytestmark = pytest.mark.django_db
DAYS = datetime.timedelta


@pytest.fixture
def records(org):
    Person.objects.filter(pk=org.people["ciso"].pk).update(email="ciso@example.jp")
    Person.objects.filter(pk=org.people["manager"].pk).update(email="manager@example.jp")
    today = timezone.localdate()
    sales = make_contractor(org.sales, "K-S")
    it = make_contractor(org.it, "K-I")
    return {
        "ending": make_contract(sales, starts_on=today - DAYS(300), ends_on=today + DAYS(30),
                                title="ENDING"),
        "renews": make_contract(sales, starts_on=today - DAYS(300), ends_on=today + DAYS(20),
                                renewal=Contract.Renewal.AUTOMATIC, title="RENEWS"),
        "far": make_contract(sales, starts_on=today - DAYS(300), ends_on=today + DAYS(200),
                             title="FAR"),
        "expiring": make_certificate(sales, expires_on=today + DAYS(10), number="EXPIRING"),
        "lapsed": make_certificate(it, expires_on=today - DAYS(3), number="LAPSED"),
        "not_relied": make_certificate(sales, expires_on=today + DAYS(5), relied_on=False,
                                       number="NOT-RELIED"),
    }


def test_each_is_announced_once_to_the_right_people(org, records):
    assert warn_contractor_expiries.call() == {"contracts": 1, "certificates": 2}
    by_subject_target = sorted((sorted(m.to), "ENDING" in m.body, "EXPIRING" in m.body,
                                "LAPSED" in m.body) for m in mail.outbox)
    assert by_subject_target == [
        (["ciso@example.jp"], False, False, True),  # IT's contractor: not the Sales manager
        (["ciso@example.jp", "manager@example.jp"], False, True, False),
        (["ciso@example.jp", "manager@example.jp"], True, False, False),
    ]
    assert all(records["ending"].get_absolute_url() in m.body or "ENDING" not in m.body
               for m in mail.outbox)
    assert warn_contractor_expiries.call() == {"contracts": 0, "certificates": 0}
    assert len(mail.outbox) == 3


def test_a_new_date_is_announced_again(org, records):
    warn_contractor_expiries.call()
    contract = records["ending"]
    contract.ends_on = timezone.localdate() + DAYS(40)  # extended, still within the period
    contract.save()
    assert warn_contractor_expiries.call() == {"contracts": 1, "certificates": 0}


def test_the_warning_period_is_a_setting(org, records):
    ContractorSettings.objects.update(expiry_warning_days=7)
    assert warn_contractor_expiries.call() == {"contracts": 0, "certificates": 1}  # lapsed


def test_my_page_lists_what_the_reader_keeps(org, records):
    page = org.client("manager").get(reverse("core:my_page"))
    panel = next(p for t, p in page.context["panels"] if t == "contractors/_my_page.html")
    assert [c.title for c in panel["ending"]] == ["ENDING"]
    assert [c.number for c in panel["expiring"]] == ["EXPIRING"]  # not IT's lapsed one
    assert panel["consent"] == []
    html = page.content.decode()
    assert "ENDING" in html and "LAPSED" not in html
    panel = next(p for t, p in org.client("ciso").get(reverse("core:my_page")).context[
        "panels"] if t == "contractors/_my_page.html")
    assert [c.number for c in panel["expiring"]] == ["LAPSED", "EXPIRING"]


def test_my_page_shows_nothing_to_someone_without_contractors(org, records):
    page = org.client("staff").get(reverse("core:my_page"))
    assert "contractors/_my_page.html" not in [t for t, p in page.context["panels"]]
    assert not Certificate.objects.filter(warned_for__isnull=False).exists()


def test_nothing_is_announced_for_a_contractor_the_company_no_longer_works_with(org, records):
    from mamori.contractors.models import Contractor

    Contractor.objects.filter(code__in=("K-S", "K-I")).update(status=Contractor.Status.ENDED)
    assert warn_contractor_expiries.call() == {"contracts": 0, "certificates": 0}
