"""What the internal audits cover: departments (each with the departments below it) × policy
articles. The programme page shows it as a grid; the Art 7 checks ask it of the closed
internal audits of the cycle."""

from dataclasses import dataclass

from mamori.audits.models import Audit, AuditSettings, PolicyArticle
from mamori.org.models import Department, department_children, subtree_ids


def internal_audits():
    return Audit.objects.filter(kind=Audit.Kind.INTERNAL)


def closed_in_cycle(on=None):
    """The internal audits closed within the cycle that ends today."""
    since = AuditSettings.current().cycle_start(on)
    return internal_audits().filter(status=Audit.Status.CLOSED, closed_on__gte=since)


def covered_department_ids(audits) -> set[int]:
    """The departments `audits` audited, and every department below them."""
    roots = Audit.departments.through.objects.filter(audit__in=audits).values_list(
        "department_id", flat=True)
    return subtree_ids(set(roots))


def covered_articles(audits):
    return PolicyArticle.objects.filter(
        pk__in=Audit.articles.through.objects.filter(audit__in=audits).values(
            "policyarticle_id"))


@dataclass
class Grid:
    articles: list
    rows: list  # (department, [state per article]) with state "closed", "planned" or ""
    uncovered_departments: list
    uncovered_articles: list


def programme_grid(programme) -> Grid:
    """Per active department and article: covered by a closed internal audit of the
    programme ("closed"), by one still to be closed ("planned"), or not at all. Four queries
    whatever the number of audits (their links read as ids, not as objects)."""
    articles = list(PolicyArticle.objects.order_by("position"))
    audits = dict(programme.audits.filter(kind=Audit.Kind.INTERNAL).values_list("pk", "status"))
    departments_of, articles_of = {}, {}
    for audit_id, department_id in Audit.departments.through.objects.filter(
            audit_id__in=audits).values_list("audit_id", "department_id"):
        departments_of.setdefault(audit_id, []).append(department_id)
    for audit_id, article_id in Audit.articles.through.objects.filter(
            audit_id__in=audits).values_list("audit_id", "policyarticle_id"):
        articles_of.setdefault(audit_id, []).append(article_id)
    children = department_children()
    below: dict[int, set[int]] = {}  # a department -> it and those below it, worked out once
    cells: dict[tuple[int, int], str] = {}
    for audit_id, status in audits.items():
        state = "closed" if status == Audit.Status.CLOSED else "planned"
        covered = set()
        for root in departments_of.get(audit_id, ()):
            if root not in below:
                below[root] = subtree_ids([root], children)
            covered |= below[root]
        for department_id in covered:
            for article_id in articles_of.get(audit_id, ()):
                if cells.get((department_id, article_id)) != "closed":
                    cells[(department_id, article_id)] = state
    rows, uncovered_departments = [], []
    for department in Department.objects.active().order_by("code"):
        states = [cells.get((department.pk, article.pk), "") for article in articles]
        rows.append((department, states))
        if not any(states):
            uncovered_departments.append(department)
    covered_articles_ = {article_id for (_d, article_id) in cells}
    return Grid(articles, rows, uncovered_departments,
                [a for a in articles if a.pk not in covered_articles_])
