"""Who must acknowledge a document, who has, and who is overdue — as aggregate queries, so the
coverage page and the Art 2 check stay fast with tens of thousands of people."""

from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from mamori.org.models import Department, Person, subtree_ids
from mamori.policies.models import Acknowledgement, PolicyDocument, PolicyVersion


def people_in_policy_scope():
    """Art 2: officers, executive officers, employees and dispatched workers still with us."""
    return Person.objects.exclude(status=Person.Status.LEFT).filter(
        category__in=Person.POLICY_SCOPE)


def audience(version: PolicyVersion):
    """The people who must acknowledge `version` (a queryset)."""
    people = people_in_policy_scope()
    if version.audience == PolicyVersion.Audience.CATEGORIES:
        return people.filter(category__in=version.audience_categories)
    if version.audience == PolicyVersion.Audience.DEPARTMENTS:
        roots = version.audience_departments.values_list("pk", flat=True)
        return people.filter(department__in=subtree_ids(roots))
    return people


def acknowledged_filter(document: PolicyDocument) -> Q:
    """People who acknowledged the current material version or any later one."""
    baseline = document.acknowledgement_baseline()
    if baseline is None:
        return Q(pk__in=[])
    acks = Acknowledgement.objects.filter(
        person=OuterRef("pk"), version__document=document, version__number__gte=baseline.number)
    return Q(Exists(acks))


@dataclass
class Coverage:
    document: PolicyDocument
    version: PolicyVersion | None
    total: int = 0
    acknowledged: int = 0
    overdue: int = 0

    @property
    def pending(self) -> int:
        return self.total - self.acknowledged

    @property
    def percent(self) -> float:
        return round(100.0 * self.acknowledged / self.total, 1) if self.total else 100.0


def baseline_due_passed(document: PolicyDocument) -> bool:
    baseline = document.acknowledgement_baseline()
    return bool(baseline and baseline.due_date and baseline.due_date < timezone.localdate())


def coverage(document: PolicyDocument) -> Coverage:
    version = document.current_version()
    if version is None:
        return Coverage(document, None)
    counts = audience(version).aggregate(
        total=Count("pk"), acknowledged=Count("pk", filter=acknowledged_filter(document)))
    overdue = counts["total"] - counts["acknowledged"] if baseline_due_passed(document) else 0
    return Coverage(document, version, counts["total"], counts["acknowledged"], overdue)


def pending_people(document: PolicyDocument):
    """People in the audience who have not acknowledged (a queryset)."""
    version = document.current_version()
    if version is None:
        return Person.objects.none()
    return audience(version).exclude(acknowledged_filter(document))


def coverage_by_department(document: PolicyDocument) -> list[dict]:
    """One row per department with people in the audience: total and acknowledged."""
    version = document.current_version()
    if version is None:
        return []
    rows = (audience(version).values("department")
            .annotate(total=Count("pk"),
                      acknowledged=Count("pk", filter=acknowledged_filter(document)))
            .order_by("department"))
    names = {d.pk: d for d in Department.objects.all()}
    result = []
    for row in rows:
        total, acknowledged = row["total"], row["acknowledged"]
        result.append({
            "department": names.get(row["department"]),
            "total": total,
            "acknowledged": acknowledged,
            "pending": total - acknowledged,
            "percent": round(100.0 * acknowledged / total, 1) if total else 100.0,
        })
    return result


def documents_to_acknowledge(person: Person) -> list[PolicyVersion]:
    """Published versions whose audience includes `person` and that they have not yet
    acknowledged (in its material baseline or later)."""
    pending = []
    versions = PolicyVersion.objects.published().select_related("document").filter(
        document__is_active=True)
    for version in versions:
        if not audience(version).filter(pk=person.pk).exists():
            continue
        if not people_in_policy_scope().filter(pk=person.pk).filter(
                acknowledged_filter(version.document)).exists():
            pending.append(version)
    return pending
