"""How far a framework's requirements are met by the control catalogue, counted by one
aggregate query (never a loop over requirements)."""

from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q

from mamori.controls.models import Control, Requirement, Theme


@dataclass(frozen=True)
class Coverage:
    label: str
    requirements: int
    undecided: int
    applicable: int
    excluded: int
    mapped: int  # applicable and met by at least one control
    implemented: int  # applicable and met by at least one implemented control

    @property
    def percent_mapped(self) -> int:
        return round(100 * self.mapped / self.applicable) if self.applicable else 0

    @property
    def percent_implemented(self) -> int:
        return round(100 * self.implemented / self.applicable) if self.applicable else 0


def _annotated(framework):
    links = Requirement.controls.through.objects.filter(requirement=OuterRef("pk"))
    return (Requirement.objects.filter(framework=framework, is_group=False)
            .annotate(is_mapped=Exists(links),
                      is_implemented=Exists(links.filter(
                          control__status=Control.Status.IMPLEMENTED))))


# Aggregate names carry a prefix: "applicable" is also a field, which an aggregate may not
# shadow.
COUNTS = {
    "n_requirements": Count("pk"),
    "n_undecided": Count("pk", filter=Q(applicable__isnull=True)),
    "n_applicable": Count("pk", filter=Q(applicable=True)),
    "n_excluded": Count("pk", filter=Q(applicable=False)),
    "n_mapped": Count("pk", filter=Q(applicable=True, is_mapped=True)),
    "n_implemented": Count("pk", filter=Q(applicable=True, is_implemented=True)),
}


def _coverage(label, counts: dict) -> Coverage:
    return Coverage(label=label, **{name[2:]: counts[name] for name in COUNTS})


def framework_coverage(framework) -> Coverage:
    return _coverage(str(framework), _annotated(framework).aggregate(**COUNTS))


def coverage_by_theme(framework) -> list[Coverage]:
    labels = dict(Theme.choices)
    rows = _annotated(framework).order_by().values("theme").annotate(**COUNTS)
    return [_coverage(str(labels.get(row["theme"], "—")), row)
            for row in sorted(rows, key=lambda r: r["theme"])]
