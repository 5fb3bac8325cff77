"""Incidents for tests, written directly (as an import of earlier records would be), so a test
can set any stage date."""

from django.utils import timezone

from mamori.incidents.models import Incident


def make_incident(department, title, **fields):
    fields.setdefault("noticed_at", fields.get("aware_at") or timezone.now())
    return Incident.objects.create(department=department, title=title, **fields)
