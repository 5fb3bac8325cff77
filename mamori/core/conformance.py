"""The conformance registry: every policy article, the checks registered against it, results.

Apps register checks in their own `conformance.py` (imported at start-up by CoreConfig):

    @register("org.art4.one_ciso", article="4", title=_("Exactly one current CISO"))
    def one_ciso() -> Result: ...

A check returns a Result built from aggregate queries; failing objects are given as a
queryset, of which only the first few are materialised (the count is an aggregate).
The dashboard, GET /api/conformance/ and `mamori conformance` all call `evaluate()`.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

PASS, FAIL, NOT_APPLICABLE = "pass", "fail", "n/a"
STATUS_LABELS = {PASS: _("pass"), FAIL: _("fail"), NOT_APPLICABLE: _("not applicable")}
FAILING_SHOWN = 50

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
class Result:
    status: str
    value: object = None
    threshold: object = None
    failing: list[FailingObject] = field(default_factory=list)
    failing_count: int = 0
    detail: str = ""
    unit: str = ""  # "%" for percentages; empty for counts

    @classmethod
    def from_failing(cls, failing_qs, *, value, threshold, passed: bool | None = None,
                     detail: str = "", unit: str = "", count: int | None = None) -> "Result":
        """A result whose failing objects are `failing_qs` (count by aggregate, first few
        listed; `count` when the caller has it already). The check passes when there are none,
        unless `passed` says otherwise."""
        count = failing_qs.count() if count is None else count
        shown = [
            FailingObject(str(obj), obj.get_absolute_url() if hasattr(obj, "get_absolute_url")
                          else "")
            for obj in failing_qs[:FAILING_SHOWN]
        ]
        ok = (count == 0) if passed is None else passed
        return cls(PASS if ok else FAIL, value, threshold, shown, count, detail, unit)

    @classmethod
    def every_one_of(cls, total: int, failing_qs) -> "Result":
        """Every one of `total` objects must pass: the value is the share that does (%), the
        failing objects are `failing_qs` (counted once)."""
        missing = failing_qs.count()
        return cls.from_failing(failing_qs, value=percent(total - missing, total),
                                threshold=100.0, unit="%", count=missing)

    @classmethod
    def not_applicable(cls, detail) -> "Result":
        return cls(NOT_APPLICABLE, detail=str(detail))


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


@dataclass
class CheckOutcome:
    check: Check
    result: Result


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
        """fail if any check fails; pass if all applicable checks pass; n/a with no checks."""
        statuses = {o.result.status for o in self.outcomes}
        if FAIL in statuses:
            return FAIL
        if PASS in statuses:
            return PASS
        return NOT_APPLICABLE

    @property
    def has_checks(self) -> bool:
        return bool(self.outcomes)


def run_check(check: Check) -> Result:
    return check.function()


def evaluate() -> list[ArticleOutcome]:
    by_article: dict[str, list[CheckOutcome]] = {a: [] for a, _t in ARTICLES}
    for check in checks():
        by_article[check.article].append(CheckOutcome(check, run_check(check)))
    return [ArticleOutcome(a, t, by_article[a]) for a, t in ARTICLES]


def as_json(articles: list[ArticleOutcome], base_url: str = "") -> list[dict]:
    return [
        {
            "article": a.article,
            "title": str(a.title),
            "status": a.status,
            "checks": [
                {
                    "code": o.check.code,
                    "title": str(o.check.title),
                    "status": o.result.status,
                    "value": o.result.value,
                    "threshold": o.result.threshold,
                    "unit": o.result.unit,
                    "failing_count": o.result.failing_count,
                    "failing": [
                        {"label": f.label, "url": base_url + f.url if f.url else ""}
                        for f in o.result.failing
                    ],
                }
                for o in a.outcomes
            ],
        }
        for a in articles
    ]


def any_failing(articles: list[ArticleOutcome]) -> bool:
    return any(a.status == FAIL for a in articles)
