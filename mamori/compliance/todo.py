"""What an information manager (or the CISO) should attend to in the compliance register, on
"My page": evaluations of the obligations they keep due within a month, overdue or never
done; impact assessments of amendments still open and due within two months or past;
regulatory actions still open whose response is due within two weeks or past; and, for the
CISO, the obligations found not compliant with neither an open action nor an accepted
exception. Each list is bounded and one query (the evaluations two: the intervals in use
first); each links to a record the reader may change, and so open."""

import datetime

from django.db.models import F
from django.utils import timezone

from mamori.compliance.models import ImpactAssessment, Obligation, RegulatoryAction
from mamori.compliance.reports import due_by_q, with_status, without_action_q
from mamori.contractors.workflow import decides_for_the_company
from mamori.core.scope import CHANGE, can

SHOWN = 10
EVALUATION_WARNING_DAYS = 30
ASSESSMENT_WARNING_DAYS = 60
RESPONSE_WARNING_DAYS = 14


def bounded(queryset) -> tuple[list, bool]:
    """The first SHOWN rows of `queryset`, and whether there are more."""
    rows = list(queryset[:SHOWN + 1])
    return rows[:SHOWN], len(rows) > SHOWN


def evaluations_due(user, today):
    """The obligations the user keeps that apply, never evaluated or due for evaluation
    within EVALUATION_WARNING_DAYS (or overdue): those never evaluated first, then the
    longest since evaluated."""
    kept = Obligation.objects.restrict(user, CHANGE).applicable()
    intervals = list(kept.order_by().values_list("interval_months", flat=True).distinct())
    limit = today + datetime.timedelta(days=EVALUATION_WARNING_DAYS)
    due = with_status(kept, today).filter(due_by_q(limit, intervals)).order_by(
        F("last_evaluated_on").asc(nulls_first=True), "code")
    obligations, more = bounded(due)
    for obligation in obligations:
        obligation.due_on = obligation.evaluation_due_on(obligation.last_evaluated_on)
    return obligations, more


def my_page_panel(request, person):
    user = request.user
    if not (can(user, Obligation, CHANGE) or can(user, ImpactAssessment, CHANGE)
            or can(user, RegulatoryAction, CHANGE)):
        return None  # staff and auditors: nothing here to act on, and no query asked
    today = timezone.localdate()
    evaluations, more_evaluations = evaluations_due(user, today)
    assessments, more_assessments = bounded(
        ImpactAssessment.objects.restrict(user, CHANGE).open()
        .filter(due_on__lte=today + datetime.timedelta(days=ASSESSMENT_WARNING_DAYS))
        .select_related("amendment__source", "obligation").order_by("due_on", "pk"))
    actions, more_actions = bounded(
        RegulatoryAction.objects.restrict(user, CHANGE)
        .filter(status=RegulatoryAction.Status.OPEN, response_due_on__lte=today
                + datetime.timedelta(days=RESPONSE_WARNING_DAYS))
        .order_by("response_due_on", "pk"))
    without_action, more_without_action = [], False
    if decides_for_the_company(user):
        without_action, more_without_action = bounded(
            with_status(Obligation.objects.restrict(user, CHANGE), today)
            .filter(without_action_q()).order_by("code"))
    if not (evaluations or assessments or actions or without_action):
        return None
    return {"evaluations": evaluations, "more_evaluations": more_evaluations,
            "assessments": assessments, "more_assessments": more_assessments,
            "actions": actions, "more_actions": more_actions,
            "without_action": without_action, "more_without_action": more_without_action,
            "today": today}
