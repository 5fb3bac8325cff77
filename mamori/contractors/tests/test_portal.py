"""The vendor portal: a link opens its own screening and nothing else, is stored only as a
digest, expires, can be revoked, is rate-limited, and everything written through it is in the
change log under the link."""

import datetime
import re

import pytest
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from mamori.contractors import portal
from mamori.contractors.models import PortalLink, Screening, ScreeningRequirement, Tier
from mamori.contractors.tests.test_contractor_models import make_contractor
from mamori.core.models import ChangeLogEntry
from mamori.core.testing import log_entries

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_rate_counts():
    cache.clear()


@pytest.fixture
def screening(org):
    ScreeningRequirement.objects.exclude(code__in=("access-control", "staff")).update(
        min_tier=Tier.HIGH)
    return Screening.objects.create(contractor=make_contractor(org.sales, "K-1"))


def issue_through_page(org, screening, user="manager"):
    response = org.client(user).post(reverse("contractors:screening_issue_link",
                                              args=[screening.pk]), {"days": 7})
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    url = re.search(r'data-testid="portal-url">([^<]+)<', response.content.decode())[1]
    return url.split("/portal/", 1)[1].rstrip("/")


def portal_url(token):
    return reverse("portal:answers", args=[token])


def answers_post(screening, levels, comment="対応済み"):
    data = {}
    for answer in screening.answers.all():
        data[f"level_{answer.pk}"] = levels.get(answer.requirement.code, "")
        data[f"comment_{answer.pk}"] = comment
    return data


def test_the_link_is_shown_once_and_stored_as_a_digest(org, screening):
    token = issue_through_page(org, screening)
    link = PortalLink.objects.get()
    assert link.token_hash == portal.digest(token) and token not in link.token_hash
    assert len(token) >= 43  # 32 random bytes
    assert not ChangeLogEntry.objects.filter(after__icontains=token).exists()
    page = org.client("manager").get(link.get_absolute_url()).content.decode()
    assert token not in page


def test_the_contractor_answers_without_an_account(org, screening):
    token = issue_through_page(org, screening)
    anonymous = Client()
    page = anonymous.get(portal_url(token))
    assert page.status_code == 200 and page["Cache-Control"] == "no-store"
    html = page.content.decode()
    assert "アクセス権限の管理" in html or "Access control" in html
    response = anonymous.post(portal_url(token), answers_post(
        screening, {"access-control": "3", "staff": "2"}))
    assert response.status_code == 200
    assert 'data-testid="portal-saved"' in response.content.decode()
    screening.refresh_from_db()
    assert screening.status == Screening.Status.ANSWERED
    answer = screening.answers.get(requirement__code="access-control")
    assert answer.their_level == 3 and answer.their_comment == "対応済み"
    entry = log_entries(answer, "update").get()
    link = PortalLink.objects.get()
    assert entry.source == "portal" and entry.actor_id is None
    assert entry.actor_name == f"portal:{link.pk} K-1"


def test_a_wrong_or_dead_link_opens_nothing(org, screening):
    token = issue_through_page(org, screening)
    anonymous = Client()
    assert anonymous.get(portal_url(token[:-1] + ("A" if token[-1] != "A" else "B"))
                         ).status_code == 404
    link = PortalLink.objects.get()
    PortalLink.objects.filter(pk=link.pk).update(
        expires_at=timezone.now() - datetime.timedelta(seconds=1))
    assert anonymous.get(portal_url(token)).status_code == 404
    before = list(screening.answers.values_list("their_level", flat=True))
    assert anonymous.post(portal_url(token), answers_post(
        screening, {"access-control": "3"})).status_code == 404
    assert list(screening.answers.values_list("their_level", flat=True)) == before


def test_a_revoked_link_stops_at_once(org, screening):
    token = issue_through_page(org, screening)
    link = PortalLink.objects.get()
    with pytest.raises(PermissionDenied):
        portal.revoke(org.users["staff"], link)
    response = org.client("manager").post(reverse("contractors:portallink_revoke",
                                                  args=[link.pk]))
    assert response.status_code == 302
    assert Client().get(portal_url(token)).status_code == 404
    assert log_entries(link, "update").exists()


def test_a_link_reaches_only_its_own_screening(org, screening):
    token = issue_through_page(org, screening)
    other = Screening.objects.create(contractor=make_contractor(org.it, "K-OTHER"))
    other_answer = other.answers.first()
    anonymous = Client()
    # Answers of another screening posted through this link are ignored, not written.
    data = answers_post(screening, {"access-control": "1"})
    data[f"level_{other_answer.pk}"] = "3"
    assert anonymous.post(portal_url(token), data).status_code == 200
    other_answer.refresh_from_db()
    assert other_answer.their_level is None
    page = anonymous.get(portal_url(token)).content.decode()
    assert "K-OTHER" not in page
    # And the link gives no session: the rest of Mamori still asks for a login.
    for path in (screening.get_absolute_url(), other.get_absolute_url(),
                 "/api/contractors/answers/"):
        assert anonymous.get(path).status_code in (302, 401, 403)


def test_an_assessed_screening_takes_no_more_answers(org, screening):
    from mamori.contractors import workflow

    token = issue_through_page(org, screening)
    Client().post(portal_url(token), answers_post(screening, {"access-control": "3",
                                                               "staff": "3"}))
    workflow.assess(org.users["ciso"], screening)
    response = Client().post(portal_url(token), answers_post(screening, {
        "access-control": "0", "staff": "0"}))
    assert response.status_code == 409
    assert set(screening.answers.values_list("their_level", flat=True)) == {3}
    with pytest.raises(Exception):  # noqa: B017 (ValidationError: no link for it either)
        portal.issue(org.users["manager"], Screening.objects.get(pk=screening.pk))


def test_guessing_is_rate_limited(org, screening):
    anonymous = Client()
    # Counted per minute: of 30 guesses, at least 15 (75 > 60) fall in one minute, even when
    # the minute turns while they are made.
    statuses = [anonymous.get(portal_url(f"guess-{i}")).status_code for i in range(30)]
    assert statuses[0] == 404 and 429 in statuses
    assert set(statuses) == {404, 429}


def test_only_those_who_keep_the_screening_issue_links(org, screening):
    it_screening = Screening.objects.create(contractor=make_contractor(org.it, "K-IT"))
    response = org.client("manager").post(reverse("contractors:screening_issue_link",
                                                  args=[it_screening.pk]))
    assert response.status_code == 404
    with pytest.raises(PermissionDenied):
        portal.issue(org.users["staff"], screening)
    assert not PortalLink.objects.exists()


def test_a_bad_level_is_named(org, screening):
    token = issue_through_page(org, screening)
    response = Client().post(portal_url(token), answers_post(screening, {
        "access-control": "9"}))
    assert response.status_code == 400
    assert not screening.answers.filter(their_level__isnull=False).exists()


def test_the_lists_of_answers_and_links_keep_their_query_count(org, screening):
    """Pages and the answers endpoint ask the same number of questions however many
    screenings, answers and links there are."""
    from mamori.core.testing import api_client, query_count

    def grow(n):
        for i in range(n):
            other = Screening.objects.create(contractor=make_contractor(
                org.sales, f"K-Q{Screening.objects.count()}-{i}"))
            portal.issue(org.users["manager"], other)

    pages = [reverse("contractors:screeninganswer_list"),
             reverse("contractors:portallink_list"), reverse("contractors:screening_list"),
             reverse("contractors:subcontracting_list")]
    admin, manager = org.client("admin"), org.client("manager")
    api = api_client(org.users["manager"])
    for client in (admin, manager):
        for page in pages:
            client.get(page)
    api.get("/api/contractors/answers/")
    grow(2)
    small = [query_count(lambda c=c, p=p: c.get(p)) for c in (admin, manager) for p in pages]
    small_api = query_count(lambda: api.get("/api/contractors/answers/"))
    grow(10)
    assert [query_count(lambda c=c, p=p: c.get(p)) for c in (admin, manager)
            for p in pages] == small
    assert query_count(lambda: api.get("/api/contractors/answers/")) == small_api
