"""Conformance checks for policy Art 5 (the measures are in place and proven)."""

from django.db.models import Exists, Q
from django.utils.translation import gettext_lazy as _

from mamori.controls.models import Control, current_evidence_of_outer_control
from mamori.core.conformance import Result, every_row_passes, register


@register(
    "controls.art5.implemented_have_evidence",
    article="5",
    title=_("Every implemented control has current evidence"),
    description=_("A control said to be implemented is shown to work by evidence that has not "
                  "expired."),
)
def implemented_controls_have_evidence() -> Result:
    return every_row_passes(Control.objects.implemented(),
                            ~Q(Exists(current_evidence_of_outer_control())),
                            _("No control is recorded as implemented."))
