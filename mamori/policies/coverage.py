"""Who must acknowledge a document, who has, and who is overdue — as aggregate queries, so the
coverage page and the Art 2 check stay fast with tens of thousands of people."""

from dataclasses import dataclass

from django.db.models import Count, Q
from django.utils import timezone

from mamori.core import roles as r
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
    """People who acknowledged the current material version or any later one. An
    uncorrelated IN (subquery) is computed once (PostgreSQL hashes it); a correlated EXISTS
    inside an aggregate ran once per person, about 5x slower with 45,000 people
    (bench/policies.py)."""
    baseline = document.acknowledgement_baseline()
    if baseline is None:
        return Q(pk__in=[])
    return Q(pk__in=Acknowledgement.objects.filter(
        version__document=document, version__number__gte=baseline.number).values("person_id"))


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


def coverage(document: PolicyDocument, by_department: list[dict] | None = None) -> Coverage:
    """The document's totals: summed from its by-department rows when the caller has them
    (every person of the audience is in exactly one row, the one without a department
    included), otherwise counted."""
    version = document.current_version()
    if version is None:
        return Coverage(document, None)
    if by_department is not None:
        total = sum(row["total"] for row in by_department)
        acknowledged = sum(row["acknowledged"] for row in by_department)
    else:
        counts = audience(version).aggregate(
            total=Count("pk"), acknowledged=Count("pk", filter=acknowledged_filter(document)))
        total, acknowledged = counts["total"], counts["acknowledged"]
    overdue = total - acknowledged if baseline_due_passed(document) else 0
    return Coverage(document, version, total, acknowledged, overdue)


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


@dataclass
class DepartmentRows:
    """The by-department table as one reader may see it."""

    rows: list[dict]  # per department, in full
    rest: dict | None = None  # every other department summed: one total, never per department


def coverage_by_department_for(document: PolicyDocument, user,
                                rows: list[dict] | None = None) -> DepartmentRows:
    """The CISO, administrators and auditors see every department's row. An information
    manager sees the rows of the departments they answer for (theirs and those below) and,
    for the rest of the company, only the sum: per-department figures of other departments
    (who lags behind in a department they do not manage) are not theirs to see. The same one
    grouped query (`rows`, when the caller has read them already); the split costs
    nothing."""
    if rows is None:
        rows = coverage_by_department(document)
    roles = r.roles_for(user)
    if roles.sees_everything:
        return DepartmentRows(rows)
    mine = roles.managed_department_ids
    shown, others = [], []
    for row in rows:
        department = row["department"]
        (shown if department is not None and department.pk in mine else others).append(row)
    if not others:
        return DepartmentRows(shown)
    total = sum(row["total"] for row in others)
    acknowledged = sum(row["acknowledged"] for row in others)
    return DepartmentRows(shown, {
        "total": total, "acknowledged": acknowledged, "pending": total - acknowledged,
        "percent": round(100.0 * acknowledged / total, 1) if total else 100.0})


def needs_acknowledgement(person: Person, version: PolicyVersion) -> bool:
    """Whether `person` must still acknowledge `version` (published, in its audience, not yet
    acknowledged in its material baseline or later). One person: direct lookups by person,
    not the set-wide subquery."""
    if version.status != PolicyVersion.Status.PUBLISHED:
        return False
    if not audience(version).filter(pk=person.pk).exists():
        return False
    baseline = version.document.acknowledgement_baseline()
    return not Acknowledgement.objects.filter(
        person=person, version__document_id=version.document_id,
        version__number__gte=baseline.number).exists()


def documents_to_acknowledge(person: Person) -> list[PolicyVersion]:
    """Published versions that `person` must still acknowledge (a few queries per published
    document; the number of documents is small, the number of people is not involved)."""
    versions = PolicyVersion.objects.published().select_related("document").filter(
        document__is_active=True).order_by("document__kind", "document__code")
    return [version for version in versions if needs_acknowledgement(person, version)]
