"""Who has done a programme: its assignments in the current cycle counted per person category
and department, in one aggregate query over the assignments the reader may see (grouped by
the columns of the `training_assignment_coverage` index), and the grid the coverage page, its
export and the programme's page show."""

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from mamori.org.models import Department, Person
from mamori.training import assign
from mamori.training.models import Assignment, Programme, TrainingSettings

OPEN, COMPLETED = Assignment.Status.OPEN, Assignment.Status.COMPLETED
COUNTED = (OPEN, COMPLETED)  # cancelled assignments are not counted


@dataclass
class Cell:
    assigned: int = 0
    completed: int = 0
    overdue: int = 0
    category: str = ""
    department_id: int | None = None
    heat: str = "none"  # the heat-map class, set once the grid is complete

    def add(self, other: "Cell") -> None:
        self.assigned += other.assigned
        self.completed += other.completed
        self.overdue += other.overdue

    @property
    def open(self) -> int:
        return self.assigned - self.completed

    @property
    def percent(self) -> int | None:
        """Whole percent completed, rounded down (99.9% is not 100%); None when nobody is
        assigned."""
        if not self.assigned:
            return None
        return 100 * self.completed // self.assigned

    def level(self, threshold: int) -> str:
        """The heat-map class: what the colour shows, the percent printed beside it."""
        percent = self.percent
        if percent is None:
            return "none"
        if percent >= threshold:
            return "pass"
        if percent >= 75:
            return "high"
        if percent >= 50:
            return "mid"
        return "low"


@dataclass
class Row:
    department: Department | None
    cells: list[Cell]
    total: Cell


@dataclass
class Grid:
    programme: Programme
    cycle: int
    today: datetime.date
    threshold: int
    categories: list[tuple[str, str]]  # (value, label) of the columns
    rows: list[Row] = field(default_factory=list)
    totals: list[Cell] = field(default_factory=list)  # per category
    overall: Cell = field(default_factory=Cell)

    @property
    def category_totals(self) -> list[tuple[str, str, Cell]]:
        return [(value, label, cell) for (value, label), cell
                in zip(self.categories, self.totals, strict=True)]

    def cells(self):
        for row in self.rows:
            yield from row.cells
            yield row.total
        yield from self.totals
        yield self.overall


def counts(assignments, programme: Programme, cycle: int, today: datetime.date):
    """One aggregate query: (category, department id, assigned, completed, overdue) of
    `assignments` (already restricted to the reader) for the programme's cycle."""
    return (assignments.filter(programme=programme, cycle=cycle, status__in=COUNTED)
            .order_by().values("category", "department")
            .annotate(assigned=Count("pk"),
                      completed=Count("pk", filter=Q(status=COMPLETED)),
                      overdue=Count("pk", filter=Q(status=OPEN, due_on__lt=today)))
            .values_list("category", "department", "assigned", "completed", "overdue"))


def grid(user, programme: Programme, today: datetime.date | None = None,
         settings: TrainingSettings | None = None) -> Grid:
    """The programme's coverage as `user` sees it: two queries (the counts and the names of
    the departments in them), whatever the number of assignments."""
    today = today or timezone.localdate()
    settings = settings or TrainingSettings.current()
    cycle = assign.cycle_of(programme, today, settings)
    found = list(counts(Assignment.objects.restrict(user), programme, cycle, today))
    present = {category for category, *_ in found}
    wanted = set(programme.categories or ()) | present
    categories = [(value, label) for value, label in Person.Category.choices
                  if value in wanted]
    # A category no longer in the list (kept on old rows) still gets its column.
    categories += [(value, value or gettext("No category"))
                   for value in sorted(present - set(Person.Category.values))]
    column = {value: index for index, (value, _label) in enumerate(categories)}
    department_ids = {department for _c, department, *_ in found if department is not None}
    departments = {d.pk: d for d in Department.objects.filter(pk__in=department_ids)}
    by_department: dict[int | None, list[Cell]] = {}
    for category, department, assigned, completed, overdue in found:
        cells = by_department.setdefault(department, [
            Cell(category=value, department_id=department) for value, _label in categories])
        cells[column[category]].add(Cell(assigned, completed, overdue))
    result = Grid(programme, cycle, today, settings.completion_threshold, categories,
                  totals=[Cell(category=value) for value, _label in categories])
    for department_id, cells in by_department.items():
        total = Cell(department_id=department_id)
        for index, cell in enumerate(cells):
            total.add(cell)
            result.totals[index].add(cell)
        result.overall.add(total)
        result.rows.append(Row(departments.get(department_id), cells, total))
    for cell in result.cells():
        cell.heat = cell.level(result.threshold)
    result.rows.sort(key=lambda row: (row.department is None,
                                      row.department.code if row.department else ""))
    return result


def export_rows(result: Grid) -> tuple[list[str], list[list]]:
    """The grid as a table: one line per department and category, then the totals."""
    _ = gettext
    headers = [_("department"), _("category"), _("assigned"), _("completed"), _("overdue"),
               _("completed (%)")]
    labels = dict(result.categories)
    lines = []

    def line(department, category, cell):
        lines.append([department, category, cell.assigned, cell.completed, cell.overdue,
                      "" if cell.percent is None else cell.percent])

    for row in result.rows:
        name = str(row.department) if row.department else _("No department")
        for cell in row.cells:
            if cell.assigned:
                line(name, str(labels[cell.category]), cell)
    for cell in result.totals:
        line(_("All departments"), str(labels[cell.category]), cell)
    line(_("All departments"), _("All categories"), result.overall)
    return headers, lines


def default_programme(programmes, today: datetime.date):
    """The first running mandatory programme of `programmes` (a list), else the first."""
    running = [p for p in programmes if p.mandatory and p.is_running(today)]
    return (running or list(programmes) or [None])[0]


def render_cells(result: Grid, drill_url: str) -> None:
    """Each cell's HTML for the table (`count_html`) and the heat map (`heat_html`), written
    here: a template include per cell cost about 0.3 ms, and `format_html` with `urlencode`
    per cell most of the rest — two seconds, then 0.6, for a company of 500 departments
    (bench/training.py). What goes in unescaped is numbers, the heat class and the category
    value (a choice key); the translated words are escaped once."""
    not_done, overdue = escape(gettext("The people not yet done")), escape(gettext("overdue"))
    overdue_count = escape(gettext("%(count)s overdue"))
    base = (f"{escape(drill_url)}?programme={int(result.programme.pk)}"
            f"&amp;cycle={int(result.cycle)}")
    empty_count = mark_safe('<span class="text-secondary">—</span>')
    empty_heat = mark_safe(
        '<td class="p-0 mamori-coverage-none" data-level="none">'
        '<span class="d-block p-2 text-secondary">—</span></td>')
    for cell in result.cells():
        if not cell.assigned:
            cell.count_html, cell.heat_html = empty_count, empty_heat
            continue
        link = f"{base}&amp;category={escape(cell.category)}"
        if cell.department_id:
            link += f"&amp;department={int(cell.department_id)}"
        link += "&amp;status=open"
        badge = ""
        if cell.overdue:
            badge = (f' <span class="badge bg-red-lt" title="{overdue}">'
                     f'{overdue_count % {"count": int(cell.overdue)}}</span>')
        counts = f"{int(cell.completed)}/{int(cell.assigned)}"
        cell.count_html = mark_safe(  # noqa: S308
            f'<a href="{link}" title="{not_done}">{counts} ({int(cell.percent)}%)</a>{badge}')
        tick = ' <span aria-hidden="true">✓</span>' if cell.heat == "pass" else ""
        level = escape(cell.heat)
        cell.heat_html = mark_safe(  # noqa: S308
            f'<td class="p-0 mamori-coverage-{level}" data-level="{level}"><a class="d-block '
            f'p-2 text-reset text-decoration-none" href="{link}"><strong>{int(cell.percent)}%'
            f'</strong>{tick}<br><small>{counts}</small></a></td>')
