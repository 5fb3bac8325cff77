"""Response times against the targets, per severity: how long incidents took to contain and
to recover, counted from awareness, and how many missed their target. One grouped query."""

from dataclasses import dataclass

from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Max, Q
from django.db.models.functions import Coalesce

from mamori.core import badges
from mamori.incidents.models import Incident, ResponseTarget, Severity


@dataclass
class Row:
    severity: str
    label: str
    target: ResponseTarget | None
    incidents: int = 0
    contained: int = 0
    recovered: int = 0
    contain_avg: object = None
    contain_max: object = None
    recover_avg: object = None
    recover_max: object = None
    contained_late: int = 0
    recovered_late: int = 0

    @property
    def badge(self):
        """The severity as the incident list shows it (core.badges)."""
        return badges.shown(Incident, "severity", self.severity, self.label)


def since_awareness(field: str):
    return ExpressionWrapper(F(field) - Coalesce("aware_at", "noticed_at"),
                             output_field=DurationField())


def response_times(incidents) -> list[Row]:
    """One row per severity for the given incidents (already scoped and filtered)."""
    grouped = incidents.order_by().values("severity").annotate(
        incidents=Count("pk"),
        contained=Count("pk", filter=Q(contained_at__isnull=False)),
        recovered=Count("pk", filter=Q(recovered_at__isnull=False)),
        contain_avg=Avg(since_awareness("contained_at")),
        contain_max=Max(since_awareness("contained_at")),
        recover_avg=Avg(since_awareness("recovered_at")),
        recover_max=Max(since_awareness("recovered_at")),
        contained_late=Count("pk", filter=Q(contained_at__gt=F("contain_due_at"))),
        recovered_late=Count("pk", filter=Q(recovered_at__gt=F("recover_due_at"))),
    )
    by_severity = {row.pop("severity"): row for row in grouped}
    targets = {t.severity: t for t in ResponseTarget.objects.all()}
    return [Row(severity=value, label=label, target=targets.get(value),
                **by_severity.get(value, {}))
            for value, label in reversed(Severity.choices)]

