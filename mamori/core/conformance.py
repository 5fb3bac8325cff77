"""The conformance registry: every policy article, the checks registered against it, results.

Apps register checks in their own `conformance.py` (imported at start-up by CoreConfig):

    @register("org.art4.one_ciso", article="4", title=_("Exactly one current CISO"))
    def one_ciso() -> Result: ...

A check returns a Result built from aggregate queries: its verdict, value and the number of
failing objects are company-wide (that is what conformance means). The failing objects
themselves are kept as a queryset and listed only when someone reads them, scoped to that
reader: `result.failing_for(reader)` names the failing objects the reader may view (with
links to them) and only counts the rest. The dashboard and GET /api/conformance/ read as the
requesting user; `mamori conformance` and the daily snapshot read as `SYSTEM`, which sees all.
`evaluate(reader)` is the one entry point for all of them.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import cached_property

from django.db import connections
from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from mamori.core.roles import roles_for
from mamori.core.scope import VIEW, model_scope, restrict

PASS, FAIL, NOT_APPLICABLE = "pass", "fail", "n/a"
# An article that has no checks because the module that makes it run is not built yet: not
# "not applicable", which says that a check does not apply to the company.
NOT_ASSESSED = "not_assessed"
STATUS_LABELS = {PASS: _("pass"), FAIL: _("fail"), NOT_APPLICABLE: _("not applicable"),
                 NOT_ASSESSED: _("not assessed yet")}
FAILING_SHOWN = 50


class _System:
    """The reader of `mamori conformance` and of the daily snapshot: the system itself,
    which sees every failing object. A request never reads as the system."""

    def __repr__(self):
        return "SYSTEM"


SYSTEM = _System()

# The twelve articles of the policy and its section on web systems (see shared/seed).
ARTICLES: list[tuple[str, object]] = [
    ("1", _("Purpose")),
    ("2", _("Scope")),
    ("3", _("Management structure")),
    ("4", _("Chief Information Security Officer")),
    ("5", _("Safety measures and incident recovery")),
    ("6", _("Internal rules")),
    ("7", _("Audit")),
    ("8", _("Education and training")),
    ("9", _("Outsourcing contractors")),
    ("10", _("Business continuity")),
    ("11", _("Compliance")),
    ("12", _("Continuous improvement")),
    ("web", _("Security of the web systems")),
]
ARTICLE_TITLES = dict(ARTICLES)


def article_label(article: str) -> str:
    if article == "web":
        return str(_("Web systems"))
    return str(_("Article %(number)s") % {"number": article})


@dataclass
class FailingObject:
    label: str
    url: str = ""


@dataclass
class FailingSeen:
    """The failing objects of one check as one reader sees them."""

    objects: list[FailingObject]  # the first FAILING_SHOWN the reader may view, linked
    in_scope: int = 0  # how many failing objects the reader may view
    outside_scope: int = 0  # how many they may not: counted, never named

    @property
    def not_listed(self) -> int:
        """Failing objects in the reader's scope beyond the first FAILING_SHOWN."""
        return self.in_scope - len(self.objects)


NOTHING_FAILS = FailingSeen([])


@dataclass
class Result:
    status: str
    value: object = None
    threshold: object = None
    failing_count: int = 0  # company-wide, whoever reads
    detail: str = ""
    unit: str = ""  # "%" for percentages; empty for counts
    # The failing objects, not yet evaluated; read them with failing_for(reader).
    failing_objects: QuerySet | None = field(default=None, repr=False, compare=False)

    @classmethod
    def from_failing(cls, failing_qs, *, value, threshold, passed: bool | None = None,
                     detail: str = "", unit: str = "", count: int | None = None) -> "Result":
        """A result whose failing objects are `failing_qs` (counted by an aggregate now, or
        `count` when the caller has it already; listed later, per reader). The check passes
        when there are none, unless `passed` says otherwise.

        Failing objects must be rows of a model with a scope, so that each reader is shown
        only the ones they may view. A check whose failure is not about rows (no CISO, no
        published policy) says so in `detail`, which every reader of conformance sees."""
        if not isinstance(failing_qs, QuerySet):
            raise TypeError("failing objects must be a queryset, so they can be scoped to "
                            f"the reader (got {type(failing_qs).__name__})")
        model_scope(failing_qs.model)  # raises TypeError for a model without a scope
        count = failing_qs.count() if count is None else count
        ok = (count == 0) if passed is None else passed
        return cls(PASS if ok else FAIL, value, threshold, count, detail, unit, failing_qs)

    @classmethod
    def every_one_of(cls, total: int, failing_qs, missing: int | None = None) -> "Result":
        """Every one of `total` objects must pass: the value is the share that does (%), the
        failing objects are `failing_qs` (counted once, unless `missing` is their number)."""
        missing = failing_qs.count() if missing is None else missing
        return cls.from_failing(failing_qs, value=percent(total - missing, total),
                                threshold=100.0, unit="%", count=missing)

    @classmethod
    def not_applicable(cls, detail) -> "Result":
        return cls(NOT_APPLICABLE, detail=str(detail))

    def failing_for(self, reader) -> FailingSeen:
        """The failing objects `reader` (a user, or SYSTEM) may view, the first FAILING_SHOWN
        of them listed with links, and the number outside their scope.

        At most two queries, whatever the number of failing objects: the list, and the count
        of the reader's share (skipped when the reader's scope covers every row or none)."""
        if self.failing_objects is None or not self.failing_count:
            return NOTHING_FAILS
        if reader is SYSTEM:
            return FailingSeen(listed(self.failing_objects), self.failing_count, 0)
        scope_q = model_scope(self.failing_objects.model).q_for(roles_for(reader), VIEW)
        if scope_q is None:  # the reader sees no row of this model: a count, no query
            return FailingSeen([], 0, self.failing_count)
        # The names are read through restrict(), like every other page; the scope's Q is
        # looked at only to skip counting when it covers every row.
        visible = restrict(self.failing_objects, reader, VIEW)
        in_scope = self.failing_count if not scope_q else visible.count()
        if not in_scope:
            return FailingSeen([], 0, self.failing_count)
        return FailingSeen(listed(visible), in_scope, max(self.failing_count - in_scope, 0))


def listed(queryset) -> list[FailingObject]:
    """The first FAILING_SHOWN objects of `queryset`, which the reader may view, each linked
    to its page (the detail pages read through the same VIEW scope, so the links open).

    In one query: a model whose name shows a related row (an assignment's programme and
    person) says so in `label_related`, read with the objects, not once per object."""
    related = getattr(queryset.model, "label_related", ())
    if related:
        queryset = queryset.select_related(*related)
    return [
        FailingObject(str(obj), obj.get_absolute_url() if hasattr(obj, "get_absolute_url")
                      else "")
        for obj in queryset[:FAILING_SHOWN]
    ]


def tally(queryset, failing: Q) -> tuple[int, int]:
    """How many rows `queryset` has and how many of them match `failing`: in one pass over
    the table (one aggregate query, where a count of each read a large register twice) when
    `failing` compares columns. On PostgreSQL a condition with a subquery is counted on its
    own: inside an aggregate's FILTER it runs a correlated EXISTS once per row (331 ms instead
    of 66 ms for 50,000 assets holding personal data), where a WHERE becomes one anti-join.
    SQLite runs it once per row either way, so there one pass is still the cheaper."""
    if _has_subquery(failing) and connections[queryset.db].vendor == "postgresql":
        return queryset.count(), queryset.filter(failing).count()
    counts = queryset.aggregate(total=Count("pk"), failing=Count("pk", filter=failing))
    return counts["total"], counts["failing"]


def _has_subquery(condition) -> bool:
    if isinstance(condition, Q):
        return any(_has_subquery(child) for child in condition.children)
    if isinstance(condition, tuple):  # (lookup, value): a queryset value is a subquery
        return isinstance(condition[1], QuerySet)
    return bool(getattr(condition, "subquery", False)) or isinstance(condition, QuerySet)


def every_row_passes(queryset, failing: Q, empty_detail) -> "Result":
    """The usual check: every row of `queryset` must pass, the rows matching `failing` do
    not; not applicable (saying `empty_detail`) when there are no rows."""
    total, missing = tally(queryset, failing)
    if not total:
        return Result.not_applicable(empty_detail)
    return Result.every_one_of(total, queryset.filter(failing), missing)


def percent(part: int, whole: int) -> float:
    return round(100.0 * part / whole, 1) if whole else 100.0


@dataclass(frozen=True)
class Check:
    code: str
    article: str
    title: object
    function: Callable[[], Result]
    description: object = ""


_registry: dict[str, Check] = {}


def register(code: str, *, article: str, title, description=""):
    if article not in ARTICLE_TITLES:
        raise ValueError(f"unknown article {article!r} for check {code}")

    def decorator(function):
        if code in _registry and _registry[code].function is not function:
            raise ValueError(f"conformance check {code} registered twice")
        _registry[code] = Check(code, article, title, function, description)
        return function

    return decorator


def checks() -> list[Check]:
    return sorted(_registry.values(), key=lambda c: c.code)


def check_named(code: str) -> Check | None:
    return _registry.get(code)


@dataclass
class CheckOutcome:
    check: Check
    result: Result
    reader: object = field(repr=False)

    @cached_property
    def failing(self) -> FailingSeen:
        """The failing objects as the reader sees them (evaluated on first use: the
        command's table and the snapshot only count)."""
        return self.result.failing_for(self.reader)


@dataclass
class ArticleOutcome:
    article: str
    title: object
    outcomes: list[CheckOutcome]

    @property
    def label(self) -> str:
        return article_label(self.article)

    @property
    def status(self) -> str:
        """fail if any check fails; pass if all applicable checks pass; n/a if none applies;
        not assessed without checks (its module is not built yet)."""
        if not self.outcomes:
            return NOT_ASSESSED
        statuses = {o.result.status for o in self.outcomes}
        if FAIL in statuses:
            return FAIL
        if PASS in statuses:
            return PASS
        return NOT_APPLICABLE

    @property
    def has_checks(self) -> bool:
        return bool(self.outcomes)


# The results of one evaluation, kept while a `results_kept()` block runs (code -> Result).
_kept: ContextVar[dict[str, "Result"] | None] = ContextVar("conformance_kept", default=None)


@contextmanager
def results_kept() -> Iterator[None]:
    """Within the block each check runs once, and every `evaluate` reads those results.

    For a task that reads conformance twice and must read the same thing both times:
    freezing a review pack records the conformance-per-article measure and lists each check's
    result, and the pack's current month and its list of checks must agree (at ten times the
    company an evaluation is also more than a second). A block inside a block is the same one."""
    if _kept.get() is not None:
        yield
        return
    token = _kept.set({})
    try:
        yield
    finally:
        _kept.reset(token)


def run_check(check: Check) -> Result:
    kept = _kept.get()
    if kept is None:
        return check.function()
    if check.code not in kept:
        kept[check.code] = check.function()
    return kept[check.code]


def evaluate(reader) -> list[ArticleOutcome]:
    """Every article with its checks' results, the failing objects scoped to `reader` (the
    requesting user, or SYSTEM for the command and the snapshot)."""
    by_article: dict[str, list[CheckOutcome]] = {a: [] for a, _t in ARTICLES}
    for check in checks():
        by_article[check.article].append(CheckOutcome(check, run_check(check), reader))
    return [ArticleOutcome(a, t, by_article[a]) for a, t in ARTICLES]


def evaluate_check(code: str, reader) -> CheckOutcome | None:
    """One check's result as `evaluate(reader)` gives it (None: no check has this code)."""
    check = check_named(code)
    return None if check is None else CheckOutcome(check, run_check(check), reader)


def as_json(articles: list[ArticleOutcome], base_url: str = "") -> list[dict]:
    """The results as JSON: for a user (the API), each check's failing objects in their
    scope and the number outside it; for SYSTEM (the command), every failing object, in the
    command's unchanged format."""
    return [
        {
            "article": a.article,
            "title": str(a.title),
            "status": a.status,
            "checks": [check_as_json(o, base_url) for o in a.outcomes],
        }
        for a in articles
    ]


def check_as_json(outcome: CheckOutcome, base_url: str) -> dict:
    result, seen = outcome.result, outcome.failing
    data = {
        "code": outcome.check.code,
        "title": str(outcome.check.title),
        "status": result.status,
        "value": result.value,
        "threshold": result.threshold,
        "unit": result.unit,
        "failing_count": result.failing_count,
        "failing": [{"label": f.label, "url": base_url + f.url if f.url else ""}
                    for f in seen.objects],
    }
    if outcome.reader is not SYSTEM:
        data["failing_outside_scope"] = seen.outside_scope
    return data


def any_failing(articles: list[ArticleOutcome]) -> bool:
    return any(a.status == FAIL for a in articles)
