"""What the compliance register adds to the pages of the apps it builds on (core.views.
generic's detail panels): on an incident, the regulatory actions that concern it; on a
breach-reporting rule, the obligations it implements; on a control, the obligations it
meets. Each shows only what the reader may see, and nothing when there is none."""

from django.utils.translation import gettext_lazy as _

from mamori.compliance.models import Obligation, RegulatoryAction
from mamori.core.scope import VIEW, can

# A panel lists at most this many records, with a link to the register for the rest.
SHOWN = 50


def incident_panel(view, incident) -> dict | None:
    user = view.request.user
    if not can(user, RegulatoryAction, VIEW):
        return None
    actions = list(RegulatoryAction.objects.restrict(user, VIEW).filter(incidents=incident)
                   .order_by("-received_on", "-pk")[:SHOWN])
    if not actions:
        return None
    return {"actions": actions}


def obligations_panel(title, field: str):
    """The panel of the obligations linked to the page's object through `field` (an
    Obligation many-to-many: breach_rules, controls)."""

    def panel(view, obj) -> dict | None:
        user = view.request.user
        if not can(user, Obligation, VIEW):
            return None
        rows = list(Obligation.objects.restrict(user, VIEW).filter(**{field: obj})
                    .select_related("source", "department").order_by("code")[:SHOWN + 1])
        if not rows:
            return None
        return {"title": title, "obligations": rows[:SHOWN], "more": len(rows) > SHOWN,
                "testid": f"obligations-{field.replace('_', '-')}"}

    return panel


breach_rule_panel = obligations_panel(_("Obligations this rule implements"), "breach_rules")
control_panel = obligations_panel(_("Obligations this control meets"), "controls")
