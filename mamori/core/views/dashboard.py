"""The conformance dashboard: every article, its checks, and each article's trend."""

import datetime

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.views.generic import TemplateView

from mamori.core import conformance
from mamori.core.models import ConformanceSnapshot

TREND_DAYS = 30


def can_see_conformance(user) -> bool:
    """The API's rule, imported when a page asks: the apps register their panels here while
    Django starts, and every command would otherwise load the REST framework first."""
    from mamori.core.api.views import can_see_conformance as rule

    return rule(user)


def trend_start(days: int = TREND_DAYS) -> datetime.date:
    """The first of the last `days` days, today included."""
    return timezone.localdate() - datetime.timedelta(days=days - 1)


def article_trends(days: int = TREND_DAYS) -> dict[str, list[tuple[datetime.date, str]]]:
    """Per article, one status per day for the last `days` days (one aggregate query)."""
    start = trend_start(days)
    rows = (ConformanceSnapshot.objects.filter(day__gte=start)
            .values("article", "day")
            .annotate(failed=Count("pk", filter=Q(status=conformance.FAIL)),
                      passed=Count("pk", filter=Q(status=conformance.PASS))))
    by_key = {(row["article"], row["day"]): row for row in rows}
    trends = {}
    for article, _title in conformance.ARTICLES:
        series = []
        for offset in range(days):
            day = start + datetime.timedelta(days=offset)
            row = by_key.get((article, day))
            if row is None:
                status = "none"
            elif row["failed"]:
                status = conformance.FAIL
            elif row["passed"]:
                status = conformance.PASS
            else:
                status = conformance.NOT_APPLICABLE
            series.append((day, status))
        trends[article] = series
    return trends


def start_page(user) -> str:
    """Where a user starts: the conformance dashboard for who may see it, else My page."""
    return reverse("core:dashboard" if can_see_conformance(user) else "core:my_page")


class HomeView(LoginRequiredMixin, TemplateView):
    def get(self, request, *args, **kwargs):
        return redirect(start_page(request.user))


class DashboardView(LoginRequiredMixin, TemplateView):
    template_name = "core/dashboard.html"

    def get_context_data(self, **kwargs):
        if not can_see_conformance(self.request.user):
            raise PermissionDenied
        articles = conformance.evaluate(self.request.user)
        trends = article_trends()
        counts = {s: sum(1 for a in articles for o in a.outcomes if o.result.status == s)
                  for s in (conformance.PASS, conformance.FAIL)}
        return super().get_context_data(
            articles=[(a, trends[a.article]) for a in articles],
            counts=counts,
            panels=panels_for(DASHBOARD_PANELS, self.request),
            status_labels=conformance.STATUS_LABELS,
            **kwargs,
        )


class ConformanceCheckView(LoginRequiredMixin, TemplateView):
    """One check: its verdict, what it measures and its failing objects, named as far as the
    reader's scope goes. The dashboard loads a check's failing objects from here when the
    reader opens them (`?part=failing`, the list alone): naming and counting them for every
    failing check at once was most of the dashboard's time at ten times the company."""

    template_name = "core/conformance_check.html"
    part_template_name = "core/_failing.html"

    def get_template_names(self):
        if self.request.GET.get("part") == "failing":
            return [self.part_template_name]
        return [self.template_name]

    def get_context_data(self, **kwargs):
        if not can_see_conformance(self.request.user):
            raise PermissionDenied
        outcome = conformance.evaluate_check(kwargs["code"], self.request.user)
        if outcome is None:
            raise Http404
        check = outcome.check
        history = ConformanceSnapshot.objects.filter(
            check_code=check.code, day__gte=trend_start()).order_by("-day")
        return super().get_context_data(
            outcome=outcome,
            history=history,
            article=conformance.article_label(check.article),
            article_title=conformance.ARTICLE_TITLES[check.article],
            status_labels=conformance.STATUS_LABELS,
            **kwargs,
        )


# Panels other apps put above the dashboard's articles (deadlines that must not slip, such as
# overdue breach reports): the same (template name, function) pairs as "My page".
DASHBOARD_PANELS: list[tuple[str, object]] = []


def register_dashboard_panel(template_name: str, context_function) -> None:
    if (template_name, context_function) not in DASHBOARD_PANELS:
        DASHBOARD_PANELS.append((template_name, context_function))


def panels_for(registered, request, person=None) -> list[tuple[str, dict]]:
    panels = []
    for template_name, context_function in registered:
        context = context_function(request, person)
        if context is not None:
            panels.append((template_name, context))
    return panels


# Panels other apps add to "My page" (what to acknowledge, training to take…): each is
# (template name, function(request, person) -> context dict, or None to hide the panel).
MY_PAGE_PANELS: list[tuple[str, object]] = []


def register_my_page_panel(template_name: str, context_function) -> None:
    if (template_name, context_function) not in MY_PAGE_PANELS:
        MY_PAGE_PANELS.append((template_name, context_function))


# Actions other apps offer at the top of "My page" (report an incident…): each is
# (label, url name, function(user) -> whether the user may take it, as the target view asks).
MY_PAGE_ACTIONS: list[tuple[object, str, object]] = []


def register_my_page_action(label, url_name: str, allowed) -> None:
    if (label, url_name, allowed) not in MY_PAGE_ACTIONS:
        MY_PAGE_ACTIONS.append((label, url_name, allowed))


def actions_for(user) -> list[tuple[str, str]]:
    return [(str(label), reverse(url_name)) for label, url_name, allowed in MY_PAGE_ACTIONS
            if allowed(user)]


class MyPageView(LoginRequiredMixin, TemplateView):
    """The staff view: a person's own record, what they can do first, and what each module
    asks of them."""

    template_name = "core/my_page.html"

    def get_context_data(self, **kwargs):
        person = getattr(self.request.user, "person", None)
        panels = panels_for(MY_PAGE_PANELS, self.request, person) if person is not None else []
        return super().get_context_data(person=person, panels=panels,
                                        actions=actions_for(self.request.user), **kwargs)
