"""How the days are counted, said for the rule actually applied: the "how the deadlines are
counted" panel on the assessment (with a worked example from that incident's awareness date),
on a rule (with its own effective date as the example) and on the list of rules (the rule in
force today)."""

import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from mamori.incidents import breach


def iso(day: datetime.date) -> str:
    return f"{day:%Y-%m-%d}"


def explain(rule, aware_on: datetime.date | None = None, grounds=(),
            example: bool = False) -> dict:
    """The panel's paragraphs for `rule` (a BreachRule, or None when no rule applies).

    `aware_on`: the day the company became aware, for the worked example; `grounds` decide
    which final-report period applies to it. `example`: `aware_on` is only an illustration
    (a rule's page), not an incident's awareness.
    """
    paragraphs = [_("The clock starts when the company became aware of the breach: when any "
                    "of its departments knew of it (PPC guideline, general rules 3-5-3-3). "
                    "Days are calendar days in Japan time, weekends and public holidays "
                    "included.")]
    if rule is None:
        paragraphs.append(_("No breach-reporting rule is in force for this date, so no "
                            "deadline can be counted; add a rule first."))
        return {"rule": None, "paragraphs": paragraphs}
    values = {"rule": str(rule), "since": iso(rule.effective_from),
              "target": rule.preliminary_target_days, "due": rule.preliminary_due_days,
              "final": rule.final_days, "wrongful": rule.final_days_wrongful}
    if rule.awareness_day_is_day_one:
        paragraphs.append(_("Under the rule applied (%(rule)s, in force from %(since)s) the "
                            "day of awareness is day 1, whatever the hour (guideline "
                            "3-5-3-4).") % values)
    else:
        paragraphs.append(_("Under the rule applied (%(rule)s, in force from %(since)s) the "
                            "day of awareness is day 0: counting begins on the next "
                            "day.") % values)
    paragraphs.append(_("Preliminary report: target day %(target)s (the guideline reads "
                        "\"promptly\" as about three to five days), due by day %(due)s at the "
                        "latest. Final report: by day %(final)s, or by day %(wrongful)s when a "
                        "wrongful purpose (Art 7 item 3) is among the grounds.") % values)
    if aware_on is not None:
        wrongful = breach.WRONGFUL in [int(g) for g in grounds]
        final_days = rule.final_days_wrongful if wrongful else rule.final_days
        first = breach.day_number(aware_on, 1, rule)
        worked = {
            "aware": iso(aware_on), "first": iso(first),
            "target": rule.preliminary_target_days,
            "target_on": iso(breach.day_number(aware_on, rule.preliminary_target_days, rule)),
            "due": rule.preliminary_due_days,
            "due_on": iso(breach.day_number(aware_on, rule.preliminary_due_days, rule)),
            "final": final_days, "final_on": iso(breach.day_number(aware_on, final_days, rule)),
        }
        if example:
            text = _("For example, awareness on %(aware)s makes %(first)s day 1; the "
                     "preliminary report's target (day %(target)s) is %(target_on)s, it is "
                     "due on %(due_on)s (day %(due)s), and the final report is due on "
                     "%(final_on)s (day %(final)s).")
        else:
            text = _("This incident: the company became aware on %(aware)s, so day 1 is "
                     "%(first)s; the preliminary report's target (day %(target)s) is "
                     "%(target_on)s, it is due on %(due_on)s (day %(due)s), and the final "
                     "report is due on %(final_on)s (day %(final)s, as the grounds "
                     "require).")
        paragraphs.append(text % worked)
    return {"rule": rule, "paragraphs": paragraphs}


def for_assessment(assessment) -> dict:
    from mamori.incidents.models import BreachRule

    aware_on = breach.awareness_date(assessment.incident.awareness)
    rule = assessment.rule or BreachRule.in_force_on(aware_on)
    return explain(rule, aware_on, assessment.grounds_list)


def for_rule(rule) -> dict:
    return explain(rule, rule.effective_from, example=True)


def in_force_today() -> dict:
    from mamori.incidents.models import BreachRule

    rule = BreachRule.in_force_on(timezone.localdate())
    return explain(rule, timezone.localdate() if rule else None, example=True)
