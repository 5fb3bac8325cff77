"""Records raised at the same moment each get their own number, from real threads; a
nonconformity or improvement action raised from an incident starts from it and links to it,
only for those who may see the incident; the demo loads a register whose Art 7 check fails
on purpose; the pages and panels show each role only what it may open."""

import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from mamori.core.testing import concurrent_writes_possible, run_at_once, signed_in_client
from mamori.improvement.models import ImprovementAction, Nonconformity
from mamori.improvement.tests.test_improvement_models import make_action, make_nc
from mamori.incidents.models import Incident

WRITERS = 10


@pytest.mark.django_db(transaction=True)
def test_simultaneous_nonconformities_get_distinct_numbers(org):
    concurrent_writes_possible()
    year = timezone.localdate().year
    make_nc(org.sales, code=f"NC-{year}-0004")  # typed by hand earlier: never given again
    clients = [signed_in_client(org.users["manager"]) for _ in range(WRITERS)]
    statuses = []

    def raise_one(n):
        response = clients[n].post(reverse("improvement:nonconformity_create"), {
            "title": f"同時 {n}", "severity": "minor", "source": "self_identified",
            "department": org.sales.pk, "raised_on": "2026-04-01"})
        statuses.append(response.status_code)

    assert not run_at_once(raise_one, WRITERS)
    assert statuses == [302] * WRITERS
    codes = sorted(Nonconformity.objects.filter(title__startswith="同時").values_list(
        "code", flat=True))
    assert codes == [f"NC-{year}-{n:04d}" for n in range(5, 5 + WRITERS)]


@pytest.fixture
def incident(org):
    return Incident.objects.create(title="顧客名簿の誤送信", department=org.sales,
                                   noticed_at=timezone.now(),
                                   lessons_learned="送信前の宛先確認が徹底されていなかった")


@pytest.mark.django_db
def test_raised_from_an_incident(org, incident):
    client = org.client("manager")
    page = client.get(incident.get_absolute_url())
    hrefs = {name: url for _label, url, name in page.context["raise_links"]}
    assert set(hrefs) == {"nonconformity", "improvementaction"}
    form = client.get(hrefs["nonconformity"]).context["form"]
    assert form.initial["source"] == "incident"
    assert form.initial["source_reference"] == incident.code
    assert form.initial["department"] == org.sales.pk
    response = client.post(hrefs["nonconformity"], {
        "title": "宛先確認の不徹底", "severity": "minor", "source": "incident",
        "source_reference": incident.code, "department": org.sales.pk,
        "raised_on": timezone.localdate().isoformat()})
    assert response.status_code == 302
    nc = Nonconformity.objects.get()
    assert nc.source_object() == incident and nc.raised_by == org.people["manager"]
    detail = client.get(nc.get_absolute_url())
    assert detail.context["source_record"] == incident
    assert [r.pk for r in client.get(incident.get_absolute_url()).context[
        "raised_records"]] == [nc.pk]


@pytest.mark.django_db
def test_a_source_the_user_cannot_see_is_refused(org, incident):
    hidden = Incident.objects.create(title="障害", department=org.it, noticed_at=timezone.now())
    client = org.client("manager")
    url = reverse("improvement:improvementaction_raise", args=["incidents.incident", hidden.pk])
    assert client.get(url).status_code == 404
    assert client.get(reverse("improvement:improvementaction_raise",
                              args=["core.user", 1])).status_code == 404
    response = client.post(url, {
        "title": "x", "source": "incident", "department": org.sales.pk,
        "raised_on": "2026-04-01", "due_on": "2026-05-01", "status": "open"})
    assert response.status_code == 404
    assert not ImprovementAction.objects.exists()


@pytest.mark.django_db
def test_the_incident_page_offers_raising_only_to_those_who_may(org, incident):
    incident.reported_by = org.people["staff"]
    incident.save()
    page = org.client("staff").get(incident.get_absolute_url())
    assert page.context["raise_links"] == []
    assert b'data-testid="raise-' not in page.content


@pytest.mark.django_db
def test_my_page_lists_what_each_one_must_do(org):
    nc = make_nc(org.sales, raised_on=timezone.localdate() - datetime.timedelta(days=40))
    late = make_action(nc, org.people["staff"],
                       due_on=timezone.localdate() - datetime.timedelta(days=1))
    staff = org.client("staff").get(reverse("core:my_page"))
    panel = next(p for t, p in staff.context["panels"] if t == "improvement/_my_page.html")
    assert panel["corrective"] == [late] and panel["plans_due"] == []
    manager = org.client("manager").get(reverse("core:my_page"))
    panel = next(p for t, p in manager.context["panels"] if t == "improvement/_my_page.html")
    assert panel["plans_due"] == [nc] and panel["corrective"] == []
    it = org.client("it_staff").get(reverse("core:my_page"))
    assert "improvement/_my_page.html" not in [t for t, _p in it.context["panels"]]


@pytest.mark.django_db
@pytest.mark.slow
def test_the_demo_register(tmp_path):
    from mamori.core.demo import demo_steps
    from mamori.improvement.demo import load_improvement_demo
    from mamori.incidents.demo import load_incident_demo
    from mamori.org.demo import DEFAULT_SEED, load_demo

    steps = demo_steps()
    assert steps.index(load_improvement_demo) > steps.index(load_incident_demo)
    load_demo(tmp_path, io.StringIO())
    for step in steps:
        step(DEFAULT_SEED)
    own = Nonconformity.objects.get(source="self_identified")
    assert own.raised_by.user.username == "manager" and own.status == "open"
    raised = ImprovementAction.objects.get(source="incident")
    assert raised.source_object() is not None and raised.source_reference.startswith("INC-")
    for record in (*Nonconformity.objects.all(), *ImprovementAction.objects.all()):
        record.full_clean()
    assert load_improvement_demo(DEFAULT_SEED) == 0  # loaded once only


@pytest.mark.django_db
def test_the_search_reads_the_trigram_indexes_and_finds_what_icontains_finds(org):
    from mamori.core.tests.test_search_indexes import assert_same_as_icontains

    make_nc(org.sales, title="Core サーバの資産台帳", requirement="ISO/IEC 27001 A.5.9 (Tokyo)")
    make_nc(org.it, title='They say "hi"', requirement="100% a_b 品川)")
    done = make_nc(org.it, title="IMP-0000 r s")
    done.title = "nothing-like-this"  # the index follows an update
    done.save()
    ImprovementAction.objects.create(title="Core 基幹系サーバ", department=org.sales,
                                     raised_on=datetime.date(2026, 4, 1),
                                     due_on=datetime.date(2026, 5, 1))
    assert_same_as_icontains(Nonconformity)
    assert_same_as_icontains(ImprovementAction)
    page = org.client("ciso").get(reverse("improvement:nonconformity_list") + "?q=サーバ")
    assert [obj.title for obj, _cells in page.context["rows"]] == ["Core サーバの資産台帳"]
