"""The demo's policies (mamori.policies.demo) on top of the demo organisation: published and
mostly acknowledged, so that the Art 1, 2, 6 and 12 checks show passes and failures."""

import io

import pytest
from django.db.models import F
from django.utils import timezone

from mamori.core import changelog
from mamori.core.conformance import FAIL, PASS, SYSTEM
from mamori.core.models import ChangeLogEntry, User
from mamori.org.demo import DEFAULT_SEED, load_demo
from mamori.org.models import Appointment
from mamori.policies import conformance, coverage
from mamori.policies.demo import ACKNOWLEDGED, load_policy_demo
from mamori.policies.models import Acknowledgement, PolicyDocument, PolicyReview, PolicyVersion

pytestmark = pytest.mark.django_db
CODES = {"basic-policy", "asset-handling-rules", "access-control-rules",
         "incident-reporting-rules"}


@pytest.fixture
def demo(tmp_path):
    load_demo(tmp_path, io.StringIO())
    return load_policy_demo(DEFAULT_SEED)


def test_four_documents_published_by_the_ciso(demo):
    assert demo == 4
    assert set(PolicyDocument.objects.values_list("code", flat=True)) == CODES
    ciso = Appointment.objects.current().get(role=Appointment.Role.CISO).person
    for document in PolicyDocument.objects.all():
        assert document.owner_department.code == "D700"
        version = document.versions.get()
        assert version.status == PolicyVersion.Status.PUBLISHED
        assert version.approved_by_id == ciso.user_id
        assert version.approved_at < version.published_at < timezone.now()
        assert document.sections.filter(key="art-1").exists()
        assert document.reviews.exists() and document.next_review_date
    basic = PolicyDocument.objects.get(code="basic-policy")
    assert basic.sections.count() == 13


def test_coverage_matches_the_shares(demo):
    for code, (share, _days) in ACKNOWLEDGED.items():
        cov = coverage.coverage(PolicyDocument.objects.get(code=code))
        assert cov.total > 400
        assert abs(cov.percent - 100 * share) < 1.5, code
        assert cov.overdue == cov.pending  # every document was published weeks ago
    # Every acknowledgement is evidence of the text that was published.
    assert Acknowledgement.objects.exists()
    assert not Acknowledgement.objects.exclude(content_hash=F("version__content_hash")).exists()


def test_the_demo_staff_login_still_has_everything_to_read(demo):
    person = User.objects.get(username="staff").person
    assert len(coverage.documents_to_acknowledge(person)) == 4


def test_conformance_shows_passes_and_failures(demo):
    assert conformance.basic_policy_published().status == PASS
    art2 = conformance.basic_policy_acknowledged()
    assert art2.status == FAIL and 89.0 <= art2.value < 95.0
    assert art2.failing_count == coverage.coverage(
        PolicyDocument.objects.get(code="basic-policy")).pending
    art6 = conformance.internal_rules_current()
    assert art6.status == FAIL and (art6.value, art6.threshold) == (2, 3)
    assert [f.label for f in art6.failing_for(SYSTEM).objects] == [
        str(PolicyDocument.objects.get(code="access-control-rules"))]
    assert conformance.basic_policy_reviewed().status == PASS


def test_idempotent_and_the_change_log_verifies(demo):
    counts = (PolicyDocument.objects.count(), PolicyVersion.objects.count(),
              Acknowledgement.objects.count(), PolicyReview.objects.count(),
              ChangeLogEntry.objects.count())
    assert load_policy_demo(DEFAULT_SEED) == 0
    assert counts == (PolicyDocument.objects.count(), PolicyVersion.objects.count(),
                      Acknowledgement.objects.count(), PolicyReview.objects.count(),
                      ChangeLogEntry.objects.count())
    verdict = changelog.verify()
    assert verdict.ok, verdict.problem
    entry = ChangeLogEntry.objects.filter(model="policies.policyversion").first()
    assert (entry.actor_name, entry.source) == ("command:demo", "command")


def test_nothing_without_the_demo_organisation(org):
    assert load_policy_demo(DEFAULT_SEED) == 0  # no security department D700
    assert not PolicyDocument.objects.exists()
