"""The demo company's policies: Mamori's model texts, published and approved by the CISO,
acknowledged by most (not all) staff, the basic policy reviewed, one rule overdue for review,
so that the Art 1, 2, 6 and 12 checks show both passes and failures."""

import datetime
import random

from django.db import transaction
from django.utils import timezone

from mamori.core.context import Actor, acting_as
from mamori.core.models import User
from mamori.org.models import Appointment, Department
from mamori.policies import coverage, workflow
from mamori.policies.model_policy import load_model_policies
from mamori.policies.models import Acknowledgement, PolicyDocument, PolicyReview, PolicyVersion

SECURITY_DEPARTMENT = "D700"
# Share of the audience that has acknowledged each document, and days since publication.
ACKNOWLEDGED = {"basic-policy": (0.91, 75), "asset-handling-rules": (0.83, 60),
                "access-control-rules": (0.76, 40), "incident-reporting-rules": (0.97, 120)}
OVERDUE_FOR_REVIEW = "access-control-rules"


def load_policy_demo(seed: int) -> int:
    """Returns the number of documents loaded (0 when they exist already)."""
    if PolicyDocument.objects.filter(code="basic-policy").exists():
        return 0
    owner = Department.objects.filter(code=SECURITY_DEPARTMENT).first()
    ciso = (Appointment.objects.current().filter(role=Appointment.Role.CISO)
            .select_related("person__user").first())
    if owner is None or ciso is None or ciso.person.user is None:
        return 0
    rng = random.Random(seed + 7)  # noqa: S311 -- demo data
    now = timezone.now()
    with acting_as(Actor(None, "command:demo", "command")), transaction.atomic():
        drafts = load_model_policies(owner)
        user = User.objects.get(pk=ciso.person.user_id)
        for draft in drafts:
            for step in ("submit", "approve", "publish"):
                workflow.STEPS[step].function(user, draft)
            share, days = ACKNOWLEDGED.get(draft.document.code, (0.8, 30))
            published = now - datetime.timedelta(days=days)
            PolicyVersion.objects.filter(pk=draft.pk).update(
                published_at=published, approved_at=published - datetime.timedelta(days=3))
            draft.refresh_from_db()
            acknowledge_share(draft, share, published, rng)
        review_documents(ciso.person, now.date())
    return len(drafts)


def acknowledge_share(version, share, since, rng) -> None:
    # The demo's `staff` login is left with everything to read, to try acknowledging.
    people = list(coverage.audience(version).exclude(user__username="staff").order_by("pk"))
    chosen = rng.sample(people, int(len(people) * share))
    span = max(1, int((timezone.now() - since).total_seconds()))
    Acknowledgement.objects.bulk_create(
        Acknowledgement(person=person, version=version, content_hash=version.content_hash,
                        acknowledged_at=since + datetime.timedelta(seconds=rng.randrange(span)),
                        user_agent="demo")
        for person in chosen)


def review_documents(reviewer, today) -> None:
    for document in PolicyDocument.objects.all():
        reviewed = today - datetime.timedelta(days=120)
        next_date = workflow.add_months(reviewed, document.review_interval_months)
        if document.code == OVERDUE_FOR_REVIEW:
            reviewed = today - datetime.timedelta(days=400)
            next_date = today - datetime.timedelta(days=10)
        PolicyReview.objects.create(
            document=document, reviewer=reviewer, reviewed_on=reviewed,
            outcome=PolicyReview.Outcome.NO_CHANGE,
            reasons=[PolicyReview.Reason.SCHEDULED, PolicyReview.Reason.REGULATION],
            notes="Annual review.", next_review_date=next_date)
