"""Read-and-acknowledge courses reuse the policies app's acknowledgement: acknowledging the
document's current version (or a later one) is the completion, recorded with a link to the
acknowledgement itself rather than a copy of what was acknowledged."""

from django.db import transaction
from django.utils import timezone

from mamori.policies.models import Acknowledgement
from mamori.training.models import Completion, Course


def counts(acknowledgement: Acknowledgement, course: Course) -> bool:
    baseline = course.policy_document.acknowledgement_baseline()
    return baseline is not None and acknowledgement.version.number >= baseline.number


def complete_from(acknowledgement: Acknowledgement) -> list[Completion]:
    """A completion of every read-and-acknowledge course of the acknowledged document."""
    made = []
    courses = Course.objects.filter(kind=Course.Kind.ACKNOWLEDGEMENT, is_active=True,
                                    policy_document_id=acknowledgement.version.document_id)
    for course in courses.select_related("policy_document"):
        if not counts(acknowledgement, course):
            continue
        made.append(Completion.objects.create(
            person_id=acknowledgement.person_id, course=course,
            completed_on=timezone.localdate(acknowledgement.acknowledged_at),
            source=Completion.Source.ACKNOWLEDGEMENT, acknowledgement=acknowledgement))
    return made


def backfill(course: Course, chunk: int = 2000) -> int:
    """Completions for the acknowledgements made before the course existed (or before a
    new version became the baseline), without those already recorded."""
    baseline = course.policy_document.acknowledgement_baseline()
    if baseline is None:
        return 0
    pending = Acknowledgement.objects.filter(
        version__document_id=course.policy_document_id,
        version__number__gte=baseline.number).exclude(
        pk__in=Completion.objects.filter(course=course, acknowledgement__isnull=False)
        .values("acknowledgement_id")).order_by("pk")
    made = 0
    after = 0
    while True:
        rows = list(pending.filter(pk__gt=after).values_list(
            "pk", "person_id", "person__department_id", "acknowledged_at")[:chunk])
        if not rows:
            return made
        completions = []
        for pk, person_id, department_id, at in rows:
            completion = Completion(person_id=person_id, course=course, acknowledgement_id=pk,
                                    completed_on=timezone.localdate(at),
                                    source=Completion.Source.ACKNOWLEDGEMENT)
            completion.derive_fields(department_id=department_id)
            completions.append(completion)
        with transaction.atomic():
            Completion.objects.bulk_create(completions)
        made += len(rows)
        after = rows[-1][0]
