"""The review pages as each role reads them, in Japanese and English: the measures
dashboard, a measure's history, a management review with its steps, pack and decisions;
what each page offers (never a link or button the role would be refused); and the number of
queries of the dashboard, the history page and the lists, which stays the same as the
measures, months, departments and rows grow."""

import datetime
import re
from decimal import Decimal

import pytest
from django.urls import NoReverseMatch, reverse

from mamori.core.dates import add_months
from mamori.core.models import ChangeLogEntry
from mamori.core.testing import api_client, query_count
from mamori.org.models import Department
from mamori.review import workflow
from mamori.review.models import (
    ManagementReview,
    Measure,
    Measurement,
    Objective,
    ReviewDecision,
    ReviewPack,
    ReviewSettings,
)
from mamori.review.tests.helpers import (
    days,
    frozen_review,
    make_decision,
    make_measure,
    make_objective,
    make_review,
)

pytestmark = pytest.mark.django_db

ROLES = ("staff", "it_staff", "manager", "auditor", "ciso", "admin")
Status = ManagementReview.Status


def months(n: int, until: datetime.date | None = None) -> list[datetime.date]:
    """The first days of the `n` months up to `until` (this month by default)."""
    last = (until or days(0)).replace(day=1)
    return [add_months(last, -i) for i in range(n - 1, -1, -1)]


def series(measure, department=None, n=24, start=50, until=None) -> None:
    """Monthly values of `measure` (one query, as a calculator writes them)."""
    Measurement.objects.bulk_create(
        Measurement(measure=measure, department=department, period=period,
                    value=Decimal(start + i % 40)) for i, period in enumerate(months(n, until)))


@pytest.fixture
def measures(org):
    """A measure owned by the staff member, measured monthly for the company and per
    department (Sales East, IT); an inactive one; the built-in ones as migrate made them."""
    drills = make_measure("drills", title_ja="訓練の実施率", by_department=True,
                          target=Decimal("90"), owner=org.people["staff"])
    series(drills)
    series(drills, org.sales_east, start=60)
    series(drills, org.it, start=70)
    make_measure("retired", title_ja="廃止した指標", active=False)
    return {"drills": drills}


# -- the dashboard and a measure's page, as each role, in each language ----------------------


@pytest.mark.parametrize("language", ["ja", "en"])
@pytest.mark.parametrize("role", ROLES)
def test_the_dashboard_and_measure_pages_render_for_each_role(org, measures, role, language):
    client = org.client(role)
    response = client.get(reverse("review:dashboard"), HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<html lang="{language}"' in html
    codes = {row["measure"].code for row in response.context["rows"]}
    visible = set(Measure.objects.restrict(org.users[role]).filter(active=True)
                  .values_list("code", flat=True))
    assert codes == visible and "retired" not in codes
    if role in ("staff",):
        assert codes == {"drills"}
    elif role == "it_staff":
        assert codes == set()
    else:
        assert "drills" in codes and len(codes) > 1  # the built-in ones too
    drills = measures["drills"]
    page = client.get(drills.get_absolute_url(), HTTP_ACCEPT_LANGUAGE=language)
    if "drills" not in codes:
        assert page.status_code == 404
        return
    assert page.status_code == 200
    assert 'data-testid="line-chart"' in page.content.decode()
    row = next(r for r in response.context["rows"] if r["measure"].code == "drills")
    assert row["measure"].latest_value == Decimal(50 + 23 % 40)
    assert row["meets"] is False and row["spark"]["d"]
    assert 'data-testid="not-met"' in html and 'data-testid="sparkline"' in html
    for measure in Measure.objects.restrict(org.users[role]):
        assert client.get(measure.get_absolute_url(),
                          HTTP_ACCEPT_LANGUAGE=language).status_code == 200


def test_a_measures_page_compares_a_department_the_reader_may_see(org, measures):
    drills = measures["drills"]
    url = drills.get_absolute_url()
    page = org.client("ciso").get(f"{url}?department={org.it.pk}")
    assert page.context["department"] == org.it
    assert [p["label"] for p in page.context["chart"]["paths"]] == ["", org.it.name]
    assert {m.department_id for m in page.context["page"].object_list} == {org.it.pk}
    # The information manager compares their departments, never IT.
    manager = org.client("manager")
    options = manager.get(url).context["department_options"]
    assert {int(pk) for pk, _name, _chosen in options} == {org.sales.pk, org.sales_east.pk}
    page = manager.get(f"{url}?department={org.it.pk}")
    assert page.context["department"] is None
    assert len(page.context["chart"]["paths"]) == 1
    assert org.it.pk not in {m.department_id for m in page.context["page"].object_list}
    page = manager.get(f"{url}?department={org.sales_east.pk}")
    assert page.context["department"] == org.sales_east
    for nonsense in ("x", "-1", "9" * 30):
        assert manager.get(f"{url}?department={nonsense}").context["department"] is None
    # The company's measure alone has no departments to compare.
    company = make_measure("company-only")
    assert org.client("ciso").get(company.get_absolute_url()).context[
        "department_options"] is None


def test_a_measures_history_is_paged(org, measures):
    drills = measures["drills"]
    series(drills, org.it, n=36, until=add_months(days(0), -24))
    url = drills.get_absolute_url()
    page = org.client("auditor").get(url)
    assert page.context["page"].paginator.count == 24  # the company's series
    assert {m.department_id for m in page.context["page"].object_list} == {None}
    first = org.client("auditor").get(f"{url}?department={org.it.pk}")
    assert first.context["page"].paginator.count == 60
    assert len(first.context["page"].object_list) == 50
    html = first.content.decode()
    assert f"department={org.it.pk}&amp;page=2" in html
    second = org.client("auditor").get(f"{url}?department={org.it.pk}&page=2")
    assert len(second.context["page"].object_list) == 10
    assert 'data-testid="line-chart"' in second.content.decode()


def test_a_measures_page_offers_values_only_to_who_enters_them(org, measures):
    drills = measures["drills"]
    builtin = Measure.objects.exclude(builtin="").first()
    for role, offered in (("staff", True), ("manager", True), ("ciso", True),
                          ("auditor", False), ("it_staff", None)):
        response = org.client(role).get(drills.get_absolute_url())
        if offered is None:
            assert response.status_code == 404
            continue
        assert ('data-testid="add-measurement"' in response.content.decode()) is offered, role
    html = org.client("ciso").get(builtin.get_absolute_url()).content.decode()
    assert 'data-testid="add-measurement"' not in html
    form = org.client("staff").get(
        f"{reverse('review:measurement_create')}?measure={drills.pk}").context["form"]
    assert form.initial["measure"] == drills.pk
    assert set(form.fields["measure"].queryset) == {drills}


# -- query counts ------------------------------------------------------------------------------


def grow(org, measures_count: int, month_count: int, department_count: int) -> None:
    """More measures, months and departments: what must not add queries."""
    start = Measure.objects.count()
    for i in range(measures_count):
        measure = make_measure(f"grow-{start + i}", by_department=True, target=Decimal(10))
        series(measure, n=month_count)
    drills = Measure.objects.get(code="drills")
    for i in range(department_count):
        department = Department.objects.create(code=f"G{start + i:04d}", name_ja=f"部{i}",
                                               parent=org.sales)
        series(drills, department, n=month_count)


@pytest.mark.parametrize("role", ["admin", "manager", "staff"])
def test_the_dashboard_runs_the_same_queries_however_many_measures_and_months(
        org, measures, role):
    client = org.client(role)
    url = reverse("review:dashboard")
    client.get(url)  # warm caches (content types, the session)
    small = query_count(lambda: client.get(url))
    grow(org, measures_count=5, month_count=60, department_count=3)
    if role == "staff":
        Measure.objects.filter(code__startswith="grow-").update(owner=org.people["staff"])
    response = client.get(url)
    assert len(response.context["rows"]) >= 6
    assert query_count(lambda: client.get(url)) == small


@pytest.mark.parametrize("role", ["admin", "manager"])
def test_a_measures_page_runs_the_same_queries_however_long_its_history(org, measures, role):
    drills = measures["drills"]
    client = org.client(role)
    url = f"{drills.get_absolute_url()}?department={org.sales_east.pk}"
    client.get(url)
    small = query_count(lambda: client.get(url))
    grow(org, measures_count=1, month_count=120, department_count=4)
    series(drills, org.sales_east, n=96, until=add_months(days(0), -24))
    response = client.get(url)
    assert len(response.context["chart"]["paths"][1]["d"].split("L")) == 120
    assert query_count(lambda: client.get(url)) == small


def test_the_packs_list_runs_the_same_queries_however_many_packs(org):
    api = api_client(org.users["admin"])
    api.get("/api/review/packs/")

    def more(n):
        for i in range(n):
            review = make_review(org, title=f"会議 {ReviewPack.objects.count()} {i}")
            ReviewPack.objects.create(review=review, data={"review": {"code": review.code}})

    more(2)
    small = query_count(lambda: api.get("/api/review/packs/"))
    more(8)
    assert len(api.get("/api/review/packs/").json()["results"]) == 10
    assert query_count(lambda: api.get("/api/review/packs/")) == small


# -- a management review's page: its steps, pack and decisions --------------------------------


def html_of(client, url, **headers) -> str:
    response = client.get(url, **headers)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


def test_the_ciso_freezes_records_decisions_and_holds_from_the_page(org):
    review = make_review(org, held_on=days(-1), feedback="顧客からの要望")
    url = review.get_absolute_url()
    ciso = org.client("ciso")
    html = html_of(ciso, url)
    assert 'data-testid="step-freeze"' in html and 'data-testid="add-decision"' not in html
    for role in ("manager", "auditor"):
        html = html_of(org.client(role), url)
        assert 'data-testid="step-' not in html and 'data-testid="add-decision"' not in html
    step = reverse("review:managementreview_step", args=[review.pk, "freeze"])
    assert ciso.get(step).status_code == 405
    assert org.client("manager").post(step).status_code == 403
    assert ciso.post(step).status_code == 302
    review.refresh_from_db()
    assert review.status == Status.FROZEN
    html = html_of(ciso, url)
    for testid in ("review-pack", "pack-pdf", "pack-xlsx", "add-decision", "hold-form"):
        assert f'data-testid="{testid}"' in html, testid
    html = html_of(org.client("manager"), url)  # an attendee reads the pack, decides nothing
    assert 'data-testid="review-pack"' in html and 'data-testid="add-decision"' not in html
    assert 'data-testid="hold-form"' not in html
    create = f"{reverse('review:reviewdecision_create')}?review={review.pk}"
    form = ciso.get(create).context["form"]
    assert form.initial["review"] == review.pk
    response = ciso.post(create, {"review": review.pk, "kind": "improvement",
                                  "decision": "委託先監査を四半期ごとにする",
                                  "department": org.it.pk, "owner": org.people["it_staff"].pk,
                                  "due_on": days(60).isoformat()})
    assert response.status_code == 302
    decision = ReviewDecision.objects.get(review=review)
    assert decision.action is not None
    assert decision.action.get_absolute_url() in html_of(ciso, url)
    hold = reverse("review:managementreview_step", args=[review.pk, "hold"])
    response = ciso.post(hold, {"minutes": "  "})
    assert response.status_code == 400 and response.context["form"].errors
    assert ciso.post(hold, {"minutes": "入力を確認し、決定を承認した"}).status_code == 302
    review.refresh_from_db()
    assert review.status == Status.HELD and review.minutes.startswith("入力を確認")
    html = html_of(ciso, url)
    for testid in ("step-", "add-decision", "hold-form"):
        assert f'data-testid="{testid}' not in html, testid
    assert f'href="{reverse("review:managementreview_update", args=[review.pk])}"' not in html


def test_the_page_says_what_a_step_waits_for(org):
    review = make_review(org, attendees=())
    html = html_of(org.client("ciso"), review.get_absolute_url())
    assert 'data-testid="step-waiting"' in html and 'data-testid="step-freeze"' not in html
    assert 'data-testid="step-waiting"' not in html_of(org.client("auditor"),
                                                        review.get_absolute_url())
    later = frozen_review(org, held_on=days(7), title="来週の会議")
    html = html_of(org.client("ciso"), later.get_absolute_url())
    assert 'data-testid="step-waiting"' in html and 'data-testid="hold-form"' not in html
    assert 'data-testid="add-decision"' in html


def test_those_who_freeze_preview_the_inputs_and_nothing_is_stored(org):
    review = make_review(org, feedback="顧客からの要望")
    url = reverse("review:managementreview_preview", args=[review.pk])
    ciso = org.client("ciso")
    assert f'href="{url}"' in html_of(ciso, review.get_absolute_url())
    entries = ChangeLogEntry.objects.count()
    for language, badge in (("ja", "プレビュー"), ("en", "preview: not frozen")):
        html = html_of(ciso, url, HTTP_ACCEPT_LANGUAGE=language)
        assert 'data-testid="pack-preview"' in html and badge in html
        assert 'data-testid="pack-section-conformance"' in html and "顧客からの要望" in html
        assert 'data-testid="pack-intact"' not in html and "SHA-256" not in html
    assert ChangeLogEntry.objects.count() == entries  # a read: nothing written
    assert not ReviewPack.objects.exists() and not Measurement.objects.exists()
    for role in ("manager", "auditor", "staff"):
        client = org.client(role)
        page = client.get(review.get_absolute_url())
        assert page.status_code == 404 or f'href="{url}"' not in page.content.decode()
        assert client.get(url).status_code in (403, 404), role
    workflow.freeze(org.users["ciso"], review)
    response = ciso.get(url)  # frozen: the pack itself is on the review's page
    assert response.status_code == 302 and response["Location"] == review.get_absolute_url()
    assert f'href="{url}"' not in html_of(ciso, review.get_absolute_url())


def test_the_pack_files_go_to_who_may_read_the_pack(org):
    review = frozen_review(org)
    for suffix, kind in (("pdf", "application/pdf"), ("xlsx", "spreadsheetml")):
        url = reverse(f"review:managementreview_pack_{suffix}", args=[review.pk])
        response = org.client("manager").get(url, HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 200 and kind in response["Content-Type"]
        assert org.client("staff").get(url).status_code == 404
    unfrozen = make_review(org, title="準備中")
    assert org.client("ciso").get(reverse("review:managementreview_pack_pdf",
                                          args=[unfrozen.pk])).status_code == 404
    assert 'data-testid="pack-pdf"' not in html_of(org.client("ciso"),
                                                   unfrozen.get_absolute_url())


# -- every page as each role: no link or button the role would be refused --------------------

HREF = re.compile(r'href="(/[^"]*)"')
SKIPPED = ("/accounts/logout/", "/i18n/", "/static/")
LIST_PAGES = ["measure", "measurement", "objective", "managementreview", "reviewdecision"]


def page_links(html: str) -> set[str]:
    html = html[html.index('<div class="page-wrapper">'):]
    return {h.replace("&amp;", "&") for h in HREF.findall(html)
            if not h.startswith(SKIPPED) and "export=" not in h and "sort=" not in h
            and not h.endswith((".pdf", ".xlsx"))}


@pytest.fixture
def records(org, measures):
    drills = measures["drills"]
    review = frozen_review(org)
    held = frozen_review(org, title="前回", attendees=("it_staff",), held_on=days(-200))
    decision = make_decision(org, review)
    other = make_decision(org, held, owner="it_staff", department=org.it)
    workflow.hold(org.users["ciso"], held, "承認")
    objective = make_objective(org, department=org.sales_east, owner="manager")
    objective.measures.add(drills)
    return {"drills": drills, "preparing": make_review(org, title="準備中の会議"),
            "value": Measurement.objects.filter(
        department=org.sales_east).first(), "it_value": Measurement.objects.filter(
        department=org.it).first(), "review": review, "held": held, "decision": decision,
        "other": other, "objective": objective,
        "it_objective": make_objective(org, department=org.it, owner="it_staff"),
        "settings": ReviewSettings.current()}


@pytest.mark.parametrize("role", ROLES)
def test_every_review_page_links_only_where_the_role_may_go(org, records, role):
    client = org.client(role)
    pages = [reverse("review:dashboard"), *(reverse(f"review:{n}_list") for n in LIST_PAGES)]
    for name in LIST_PAGES:
        try:
            create = reverse(f"review:{name}_create")
        except NoReverseMatch:
            continue
        status = client.get(create).status_code
        assert (status == 200) == client.get(reverse(f"review:{name}_list")).context[
            "can_add"], (name, status)
        if status == 200:
            pages.append(create)
    for record in records.values():
        response = client.get(record.get_absolute_url())
        assert response.status_code in (200, 404), (record, response.status_code)
        if response.status_code == 200:
            pages.append(record.get_absolute_url())
    links = set()
    for page in pages:
        response = client.get(page)
        assert response.status_code == 200, (page, response.status_code)
        links |= page_links(response.content.decode())
    refused = [(link, code) for link in sorted(links)
               if (code := client.get(link).status_code) >= 400]
    assert links and refused == [], refused


def test_the_objectives_page_and_list_as_each_role(org, records):
    for role, sees in (("manager", True), ("staff", False), ("auditor", True),
                       ("it_staff", False)):
        response = org.client(role).get(records["objective"].get_absolute_url())
        assert (response.status_code == 200) is sees, role
    assert Objective.objects.restrict(org.users["it_staff"]).get() == records["it_objective"]
