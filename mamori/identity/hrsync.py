"""The HR master file against the people register: who joins, who moves, who leaves.

The HR master (CSV or XLSX, the people export's columns: staff number, name, kana, Latin
name, e-mail, category, department code, status, joined on, left on) lists everyone HR
employs. Compared with the register:
- a joiner is a row whose staff number the register does not have;
- a mover is a row whose person differs in a column the file gives (a person who had left and
  is in the file again returns: their status becomes active);
- a leaver is a person of the register who is bound by the policy (officer, executive
  officer, employee, dispatched worker, or of no category yet), has not left, and is not in
  the file. Contractor staff are not HR's and are never made leavers here.

`plan` computes this without writing; `apply` writes it all in one transaction through the
people import (every row checked by the person form, errors named by the file's row) and
records the leavers as any leaver is recorded: left today, posts ended, login closed."""

import hashlib
import io as stdlib_io
import json
from dataclasses import dataclass, field

import tablib
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mamori.core import io
from mamori.core.io import RowError
from mamori.identity.models import HrSync
from mamori.org.forms import PersonForm
from mamori.org.models import Department, Person, end_appointments
from mamori.org.tables import PersonResource

SHOWN = 500  # rows of each list the preview shows


@dataclass
class Change:
    row: int  # the file's data row (1 = the first below the headings); 0 for a leaver
    employee_no: str
    name: str
    changes: dict = field(default_factory=dict)  # field -> (before, after), for movers


@dataclass
class Plan:
    joiners: list[Change] = field(default_factory=list)
    movers: list[Change] = field(default_factory=list)
    leavers: list[Change] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    rows: dict = field(default_factory=dict)  # row -> {field: cell}, of joiners and movers

    @property
    def digest(self) -> str:
        """What the plan would do, as a hash: applying refuses a plan that differs from the
        one previewed."""
        summary = [[c.employee_no, sorted(c.changes.items())] for c in self.movers]
        text = json.dumps([[c.employee_no for c in self.joiners], summary,
                           [c.employee_no for c in self.leavers]], default=str)
        return hashlib.sha256(text.encode()).hexdigest()


def read(name: str, content: bytes) -> tablib.Dataset:
    upload = stdlib_io.BytesIO(content)
    upload.name = name
    return io.read_dataset(upload)


def _rows(resource, data: tablib.Dataset, plan: Plan) -> list[tuple[int, dict]]:
    given = [h.strip() if isinstance(h, str) else h for h in (data.headers or [])]
    headers = [resource.column(h) for h in given]
    unknown = [str(h) for h, name in zip(given, headers, strict=True) if name is None]
    if unknown:
        plan.errors.append(RowError(0, ", ".join(unknown), _("unknown column; expected: %(cols)s")
                                    % {"cols": ", ".join(resource.headers(with_names=False))}))
    for required in ("employee_no", "name"):
        if required not in headers:
            plan.errors.append(RowError(0, resource.header(required),
                                        _("required column is missing")))
    if plan.errors:
        return []
    read_at = [(p, name) for p, name in enumerate(headers) if name]
    return [(index, {name: io.cell(values[p]) if p < len(values) else ""
                     for p, name in read_at})
            for index, values in enumerate(data, start=1)]


LEAVER_CATEGORIES = (*Person.POLICY_SCOPE, "")


def _light_checks(row: int, cells: dict, departments: set, plan: Plan) -> None:
    """What the preview can tell without the person form: the form checks every row again
    when the plan is applied."""
    if not cells.get("employee_no"):
        plan.errors.append(RowError(row, "employee_no", _("This field is required.")))
    if not cells.get("name"):
        plan.errors.append(RowError(row, "name", _("This field is required.")))
    code = cells.get("department", "")
    if code and code not in departments:
        plan.errors.append(RowError(row, "department", _("no department has the code "
                                                         "%(code)s") % {"code": code}))
    category = cells.get("category", "")
    if category and category not in Person.Category.values:
        plan.errors.append(RowError(row, "category", _("not a category: %(value)s (give one "
                                                       "of %(choices)s)") % {
            "value": category, "choices": ", ".join(Person.Category.values)}))
    email = cells.get("email", "")
    if email:
        try:
            validate_email(email)
        except ValidationError:
            plan.errors.append(RowError(row, "email", _("not an e-mail address: %(value)s")
                                        % {"value": email}))


def plan(data: tablib.Dataset) -> Plan:
    """The joiners, movers and leavers the file means, and the errors that stop it."""
    resource = PersonResource()
    result = Plan()
    rows = _rows(resource, data, result)
    if result.errors:
        _name_columns(resource, result)
        return result
    departments = set(Department.objects.values_list("code", flat=True))
    people = {person.employee_no: person for person in
              Person.objects.select_related("department").order_by()}
    seen: dict[str, int] = {}
    for row, cells in rows:
        _light_checks(row, cells, departments, result)
        number = cells.get("employee_no", "")
        if number in seen:
            result.errors.append(RowError(row, "employee_no", _(
                "staff number %(value)s is on row %(row)s too") % {"value": number,
                                                                   "row": seen[number]}))
            continue
        seen[number] = row
        person = people.get(number)
        if person is None:
            result.joiners.append(Change(row, number, cells.get("name", "")))
            # Every column, for the import: a column the file lacks is empty (a joiner
            # is active unless the file says otherwise).
            result.rows[row] = {**dict.fromkeys(resource.fields, ""),
                                "status": Person.Status.ACTIVE, **cells}
            continue
        changes = {name: (before, after) for name, after in cells.items()
                   if name != "employee_no"
                   and (before := resource.export_value(person, name)) != after}
        if person.status == Person.Status.LEFT and "status" not in cells:
            changes["status"] = (Person.Status.LEFT, Person.Status.ACTIVE)
            changes["left_on"] = (resource.export_value(person, "left_on"), "")
        if changes:
            result.movers.append(Change(row, number, person.name, changes))
            # Every column, for the import: a column the file lacks keeps its value.
            result.rows[row] = {**{name: resource.export_value(person, name)
                                   for name in resource.fields}, **cells,
                                **{name: after for name, (_b, after) in changes.items()}}
    if not result.errors:
        for number, person in sorted(people.items()):
            if (number not in seen and person.status != Person.Status.LEFT
                    and person.category in LEAVER_CATEGORIES):
                result.leavers.append(Change(0, number, person.name, {
                    "department": (resource.export_value(person, "department"), "")}))
    _name_columns(resource, result)
    return result


def _name_columns(resource, result: Plan) -> None:
    for error in result.errors:
        if error.field in resource.fields:
            error.heading = resource.header(error.field)


def preview(name: str, content: bytes, user) -> tuple[HrSync | None, Plan]:
    """Read and plan the file; keep it (as a previewed sync) when it has no errors."""
    plan_ = plan(read(name, content))
    if plan_.errors:
        return None, plan_
    with transaction.atomic():
        sync = HrSync.objects.create(
            file_name=name[:200], file_digest=hashlib.sha256(content).hexdigest(),
            content=content, plan_digest=plan_.digest, joiners=len(plan_.joiners),
            movers=len(plan_.movers), leavers=len(plan_.leavers), uploaded_by=user)
    return sync, plan_


class PlanChanged(Exception):
    """The register changed after the preview: applying would not do what was shown."""


def apply(sync: HrSync, user) -> Plan:
    """Apply the previewed file, all or nothing. Errors (a row the person form refuses) are
    returned, naming the file's row; nothing is then written."""
    if sync.status != HrSync.Status.PREVIEWED:
        raise PlanChanged(_("This file has been applied already."))
    plan_ = plan(read(sync.file_name, bytes(sync.content)))
    if plan_.errors:
        return plan_
    if plan_.digest != sync.plan_digest:
        raise PlanChanged(_("The people register has changed since this preview. Upload the "
                            "file again to see what it would now do."))
    numbers = sorted(plan_.rows)  # the file's rows, in its order
    dataset = tablib.Dataset(headers=list(PersonResource.fields))
    for row in numbers:
        cells = plan_.rows[row]
        dataset.append([cells[name] for name in PersonResource.fields])
    today = timezone.localdate()

    def leave_and_record(_result):
        # Inside the import's transaction: the leavers and the sync's record are written
        # with the joiners and movers, or none of them are.
        leavers = Person.objects.select_for_update().filter(
            employee_no__in=[c.employee_no for c in plan_.leavers])
        for person in leavers:
            person.status, person.left_on = Person.Status.LEFT, today
            person.save()
            end_appointments(person, today)
        sync.status, sync.applied_at = HrSync.Status.APPLIED, timezone.now()
        sync.save()

    result = io.import_dataset(PersonResource(), PersonForm, dataset, user,
                               on_written=leave_and_record) if numbers else None
    if result is None:
        with transaction.atomic():
            leave_and_record(None)
    elif result.errors:
        for error in result.errors:
            error.row = numbers[error.row - 1] if error.row else 0
        plan_.errors = result.errors
    return plan_
