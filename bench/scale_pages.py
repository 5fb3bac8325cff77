"""Every page of Mamori that lists or shows data, enumerated from the code (bench/scale.py).

Lists are the URL patterns whose view is a ScopedListView (each measured in its default order,
with each filter of its filterset_class given a value taken from the data, sorted by each
sortable column of its table_class, at page 50 and at its last page); API lists are the
router's routes whose GET is `list` (default, each filter, each `?ordering=` the API accepts,
a deep offset and the last one); details are the ScopedDetailView and history patterns (one
object per model, the one with the most related rows); then the dashboard and conformance,
and the change log. A new module's pages join without a change here; the test
(core/tests/test_bench_scale.py) fails when one is left out.
"""

import datetime
import math
import statistics
import time
from collections import Counter
from dataclasses import dataclass, field

GOAL_PAGE_MS = 100  # lists and details (issue 15)
GOAL_REPORT_MS = 500  # dashboard and conformance
GOAL_CHECKS_MS = 200  # the checks of the audits and the improvement register, together


@dataclass
class Page:
    kind: str  # list, api, detail, report, changelog
    name: str  # what it is: url name and variant
    url: str = ""
    call: object = None  # a function to time instead of a URL
    goal: int = GOAL_PAGE_MS
    times: list = field(default_factory=list)
    queries: int = 0
    status: int = 0
    note: str = ""

    def quantile(self, share: float) -> float:
        if not self.times:
            return float("nan")
        ordered = sorted(self.times)
        return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


# -- what the code declares -------------------------------------------------------------------

def url_patterns():
    """(route, full name, callback) of every URL pattern."""
    from django.urls import URLResolver, get_resolver

    def walk(patterns, prefix, namespace):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
            elif pattern.name:
                yield prefix + str(pattern.pattern), namespace + pattern.name, pattern.callback

    return list(walk(get_resolver().url_patterns, "", ""))


def list_views() -> dict:
    """URL name -> view class of every list page."""
    from mamori.core.views.generic import ScopedListView

    return {name: callback.view_class for _, name, callback in url_patterns()
            if issubclass(getattr(callback, "view_class", type), ScopedListView)}


def detail_views() -> dict:
    """URL name -> view class of every page showing one object (details and history)."""
    from mamori.core.views.generic import ObjectHistoryView, ScopedDetailView

    return {name: callback.view_class for _, name, callback in url_patterns()
            if issubclass(getattr(callback, "view_class", type),
                          (ScopedDetailView, ObjectHistoryView))}


def api_lists() -> dict:
    """URL name -> viewset class of every list route of the API."""
    return {name: callback.cls for route, name, callback in url_patterns()
            if getattr(callback, "actions", {}).get("get") == "list"
            and "format" not in route}


# -- values taken from the data ----------------------------------------------------------------

def visible(model, user):
    from mamori.core.scope import VIEW

    manager = model._default_manager
    return manager.restrict(user, VIEW) if hasattr(manager.all(), "restrict") else manager.all()


def resolve(model, path: str):
    """The model field at the end of `path` (a__b__c), or None."""
    from django.core.exceptions import FieldDoesNotExist

    field_ = None
    for part in path.split("__"):
        try:
            field_ = model._meta.get_field(part)
        except FieldDoesNotExist:
            return None
        if field_.is_relation and field_.related_model is not None:
            model = field_.related_model
    return field_


def text_for_search(model, rows) -> str:
    for name in ("code", "employee_no", "name", "title_ja", "name_ja", "title", "host"):
        if resolve(model, name) is not None:
            value = rows.order_by("pk").values_list(name, flat=True).first()
            if value:
                value = str(value)
                return value[-4:] if len(value) > 4 else value
    return "a"


def as_text(value, date_only=False) -> str | None:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if date_only else value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, (list, dict)):
        return None
    return None if value is None else str(value)


def filter_value(model, rows, name, filter_) -> str:
    """A realistic value for one filter: the commonest among the first rows (by primary key,
    so that both phases and every run ask for the same value) that have one."""
    import django_filters

    if isinstance(filter_, django_filters.BooleanFilter):
        return "true"
    is_date = isinstance(filter_, django_filters.DateFilter)
    target = resolve(model, filter_.field_name or name)
    if target is not None and getattr(target, "concrete", True):
        path = filter_.field_name or name
        sample = [as_text(v, is_date) for v in rows.order_by("pk").filter(
            **{f"{path}__isnull": False}).values_list(path, flat=True)[:200]]
        sample = [v for v in sample if v not in (None, "")]
        if sample:
            return Counter(sample).most_common(1)[0][0]
    if is_date:
        return (datetime.date.today() - datetime.timedelta(days=365)).isoformat()
    choices = getattr(filter_, "extra", {}).get("choices")
    if choices and not callable(choices):
        return str(next(iter(choices))[0])
    if isinstance(filter_, django_filters.CharFilter):
        return text_for_search(model, rows)
    return "1"


def api_orderings(viewset, user) -> list[str]:
    from rest_framework.request import Request
    from rest_framework.test import APIRequestFactory

    from mamori.core.api.ordering import ExposedFieldOrdering

    request = Request(APIRequestFactory().get("/"))
    request.user = user
    view = viewset(request=request, action="list", kwargs={}, format_kwarg=None)
    try:
        return list(ExposedFieldOrdering().columns(view, {"request": request}))
    except Exception:  # a viewset without a serializer: no ordering
        return list(getattr(viewset, "ordering_fields", None) or [])


def richest(model):
    """The object with the most rows pointing at it (by its largest relation)."""
    from django.db.models import Count

    best, most = None, -1
    for relation in model._meta.related_objects:
        if relation.one_to_many:
            rows, column = relation.related_model._base_manager, relation.field.attname
        elif relation.many_to_many and relation.through is not None:
            through = relation.through
            column = next((f.attname for f in through._meta.concrete_fields
                           if f.is_relation and f.related_model is model), None)
            if column is None:
                continue
            rows = through._base_manager
        else:
            continue
        top = rows.exclude(**{column: None}).values(column).annotate(
            n=Count("pk")).order_by("-n").values_list(column, "n").first()
        if top and top[1] > most:
            best, most = top[0], top[1]
    return best if best is not None else model._base_manager.order_by("pk").values_list(
        "pk", flat=True).first()


# -- the pages ---------------------------------------------------------------------------------

def enumerate_pages(user) -> list[Page]:
    from django.urls import NoReverseMatch, reverse
    from django.utils.http import urlencode

    from mamori.core import conformance
    from mamori.core.filtersets import ChangeLogFilterSet
    from mamori.core.models import ChangeLogEntry

    pages = []
    for name, view in list_views().items():
        base = reverse(name)
        model = view.model
        rows = visible(model, user)
        count = rows.count()
        pages.append(Page("list", f"{name} default", base))
        for filter_name, filter_ in (view.filterset_class.base_filters.items()
                                     if view.filterset_class else []):
            value = filter_value(model, rows, filter_name, filter_)
            pages.append(Page("list", f"{name} filter {filter_name}={value}",
                              f"{base}?{urlencode({filter_name: value})}"))
        for column in view.table_class.columns if view.table_class else []:
            if column.sortable:
                pages.append(Page("list", f"{name} sort {column.field}",
                                  f"{base}?{urlencode({'sort': column.field})}"))
        per_page = view.table_class.per_page if view.table_class else 50
        pages.append(Page("list", f"{name} page 50", f"{base}?page=50"))
        last = max(1, math.ceil(count / per_page))
        pages.append(Page("list", f"{name} last page ({last})", f"{base}?page={last}"))

    for name, viewset in api_lists().items():
        base = reverse(name)
        model = getattr(viewset, "model", None) or viewset.serializer_class.Meta.model
        rows = visible(model, user)
        count = rows.count()
        pages.append(Page("api", f"{name} default", base))
        filterset = getattr(viewset, "filterset_class", None)
        for filter_name, filter_ in (filterset.base_filters.items() if filterset else []):
            value = filter_value(model, rows, filter_name, filter_)
            if filter_name in ("before_seq", "after_seq"):
                value = str(count // 2)
            pages.append(Page("api", f"{name} filter {filter_name}={value}",
                              f"{base}?{urlencode({filter_name: value})}"))
        for ordering in api_orderings(viewset, user):
            pages.append(Page("api", f"{name} ordering {ordering}",
                              f"{base}?{urlencode({'ordering': ordering})}"))
        pages.append(Page("api", f"{name} offset {count // 2}", f"{base}?offset={count // 2}"))
        pages.append(Page("api", f"{name} offset last ({max(0, count - 50)})",
                          f"{base}?offset={max(0, count - 50)}"))

    chosen = {}
    for name, view in detail_views().items():
        model = view.model
        if model not in chosen:
            chosen[model] = richest(model)
            shown = visible(model, user)
            if chosen[model] is not None and not shown.filter(pk=chosen[model]).exists():
                # Out of this user's scope (an information manager's sweep): the first one
                # they may open, not a page that answers 404.
                chosen[model] = shown.order_by("pk").values_list("pk", flat=True).first()
        if chosen[model] is None:
            continue
        try:
            url = reverse(name, args=[chosen[model]])
        except NoReverseMatch:
            continue
        pages.append(Page("detail", f"{name} #{chosen[model]}", url))

    for name in ("core:dashboard", "core:my_page"):
        pages.append(Page("report", name, reverse(name), goal=GOAL_REPORT_MS))
    pages.append(Page("report", "api:conformance", reverse("api:conformance"),
                      goal=GOAL_REPORT_MS))
    pages.append(Page("report", "conformance.evaluate(SYSTEM)",
                      call=lambda: conformance.evaluate(conformance.SYSTEM),
                      goal=GOAL_REPORT_MS))
    # Each check on its own; those of the audits and the improvement register together too
    # (issue 17: at most 200 ms for its four checks).
    for check in conformance.checks():
        pages.append(Page("check", check.code, call=check.function, goal=GOAL_REPORT_MS))
    # Each check's page as the dashboard loads it when its failing objects are opened: the
    # check run again, its failing objects named and counted for the reader.
    for check in conformance.checks():
        url = reverse("core:conformance_check", args=[check.code]) + "?part=failing"
        pages.append(Page("report", f"core:conformance_check {check.code}", url,
                          goal=GOAL_REPORT_MS))
    audit_checks = [c.function for c in conformance.checks()
                    if c.code.startswith(("audits.", "improvement."))]
    pages.append(Page("check", "audits.* and improvement.* together",
                      call=lambda: [function() for function in audit_checks],
                      goal=GOAL_CHECKS_MS))
    training_checks = [c.function for c in conformance.checks()
                       if c.code.startswith("training.")]
    pages.append(Page("check", "training.* together",
                      call=lambda: [function() for function in training_checks],
                      goal=GOAL_CHECKS_MS))

    base = reverse("core:changelog")
    newest = ChangeLogEntry.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
    logged = ChangeLogEntry.objects.all()
    pages.append(Page("changelog", "changelog default", base))
    pages.append(Page("changelog", f"changelog before={newest // 2}",
                      f"{base}?before={newest // 2}"))
    pages.append(Page("changelog", "changelog oldest (after=0)", f"{base}?after=0"))
    for filter_name, filter_ in ChangeLogFilterSet.base_filters.items():
        value = filter_value(ChangeLogEntry, logged, filter_name, filter_)
        pages.append(Page("changelog", f"changelog filter {filter_name}={value}",
                          f"{base}?{urlencode({filter_name: value})}"))
    return pages


# -- timing -----------------------------------------------------------------------------------

# When the page being timed started (for the SQLite progress handler); infinity between pages,
# so that only the pages' own queries are stopped.
_started = [float("inf")]


def limit_queries(seconds: float) -> None:
    """Stop any query after `seconds` (0: never), so that one page of minutes does not hold
    the whole run: PostgreSQL's statement_timeout, a progress handler on SQLite."""
    from django.db import connection
    from django.db.backends.signals import connection_created

    def install(sender=None, connection=connection, **kwargs):
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f"SET statement_timeout = {int(seconds * 1000)}")
        elif connection.vendor == "sqlite":
            connection.connection.set_progress_handler(
                (lambda: int(time.perf_counter() - _started[0] > seconds)) if seconds else None,
                100_000)

    if seconds:
        connection_created.connect(install, weak=False, dispatch_uid="bench-limit-queries")
    else:
        connection_created.disconnect(dispatch_uid="bench-limit-queries")
    connection.ensure_connection()
    install(connection=connection)


def run(page: Page, client, repeat: int, budget_s: float) -> Page:
    """One run counting queries (and warming caches), then up to `repeat` timed runs, fewer
    when they would take more than `budget_s` seconds."""
    from mamori.core.testing import query_count

    def once():
        _started[0] = time.perf_counter()
        try:
            if page.call is not None:
                page.call()
                return 200
            return client.get(page.url, HTTP_ACCEPT_LANGUAGE="en").status_code
        finally:
            _started[0] = float("inf")

    from django.db import DatabaseError

    statuses = []
    spent = time.perf_counter()
    try:
        page.queries = query_count(lambda: statuses.append(once()))
    except DatabaseError as exc:  # stopped by limit_queries(), most likely
        page.status, page.note = 0, f"{exc.__class__.__name__}: {str(exc)[:60]}"
        page.times = [(time.perf_counter() - spent) * 1000]
        return page
    page.status = statuses[0]
    first = (time.perf_counter() - spent) * 1000
    # A page slower than the whole budget is not run again: its one run is its figure.
    page.times = [first] if first > budget_s * 1000 or repeat == 0 else []
    if page.times:
        return page
    spent = time.perf_counter()
    for _ in range(repeat):
        start = time.perf_counter()
        once()
        page.times.append((time.perf_counter() - start) * 1000)
        if time.perf_counter() - spent > budget_s:
            break
    return page


def table_line(page: Page) -> str:
    flag = " OVER" if page.quantile(0.95) > page.goal else ""
    flag += f" STATUS {page.status}" if page.status != 200 else ""
    flag += f" ({page.note})" if page.note else ""
    return (f"{page.kind:<9} {page.name[:78]:<78} {page.quantile(0.5):9.1f} "
            f"{page.quantile(0.95):9.1f} {page.queries:5d} {len(page.times):3d}{flag}")


HEADER = f"{'kind':<9} {'page':<78} {'p50 ms':>9} {'p95 ms':>9} {'qrys':>5} {'n':>3}"


def summary(pages: list[Page]) -> list[str]:
    over = [p for p in pages if p.quantile(0.95) > p.goal]
    bad = [p for p in pages if p.status != 200]
    lines = [f"{len(over)} of {len(pages)} pages over goal (p95 > {GOAL_PAGE_MS} ms for lists "
             f"and details, > {GOAL_REPORT_MS} ms for dashboard/conformance):"]
    lines += ["  " + table_line(p) for p in sorted(over, key=lambda p: -p.quantile(0.95))]
    lines.append(f"{len(bad)} pages not 200:")
    lines += [f"  {p.status} {p.name} {p.url} {p.note}" for p in bad]
    medians = [p.quantile(0.95) for p in pages if p.times]
    if medians:
        lines.append(f"median p95 over all pages: {statistics.median(medians):.1f} ms")
    return lines


def app_pages(user, app_label: str, check_goal: int) -> list[Page]:
    """The pages of one app for `user` (for an app's own benchmark): its list, detail and
    history pages and its API lists, and its conformance checks measured against
    `check_goal`."""
    apis = {name for name, viewset in api_lists().items()
            if (getattr(viewset, "model", None)
                or viewset.serializer_class.Meta.model)._meta.app_label == app_label}
    pages = []
    for page in enumerate_pages(user):
        name = page.name.split(" ")[0]
        if page.kind == "check" and page.name.startswith(f"{app_label}."):
            page.goal = check_goal
            pages.append(page)
        elif (name.startswith(f"{app_label}:") or name in apis) and page.kind != "report":
            pages.append(page)
    return pages


def measure_as_users(title: str, pages_for, repeat: int, budget_s: float) -> None:
    """For each user of BENCH_USERS (default: the CISO and an information manager), signed
    in: the pages `pages_for(user)` gives, each timed and printed, then the summary."""
    import os

    from django.db import connection

    from mamori.core.models import User
    from mamori.core.testing import signed_in_client

    for username in os.environ.get("BENCH_USERS", "ciso,manager").split(","):
        user = User.objects.get(username=username)
        client = signed_in_client(user)
        pages = pages_for(user)
        print(f"\n== {title} as {username} ({connection.vendor}): {len(pages)}", flush=True)
        print(HEADER, flush=True)
        for page in pages:
            run(page, client, repeat, budget_s)
            print(table_line(page), flush=True)
        for line in summary(pages):
            print(line, flush=True)
