"""Tallies kept by triggers: how many assignments there are per programme, cycle, person
category, department and status (models.AssignmentTally), and how many completions per
course, source and department (models.CompletionTally). Triggers on the counted table keep
each in the transaction of every write (ORM, bulk insert or raw SQL alike), as the search
indexes' triggers keep SQLite's trigram tables (core.search_indexes). Migrations `training.0002`
and `0003` create them and count the rows already there.

The lists of assignments and completions read their totals here instead of counting up to
millions of rows (`count`), and the Art 8 check sums the assignment tally."""

from dataclasses import dataclass

from django.db import connections
from django.db.models import Count, Sum
from django.utils import timezone


@dataclass(frozen=True)
class Tally:
    """A tally table counting the rows of `table` per `columns` (the counted table's column
    names; `department_id` is kept as `department_key`, 0 for none, so that the key has no
    NULL and one row per key is enforced by a unique constraint).

    Its SQL is put together from these names, which are this module's constants (the two
    tallies at its end), never a user's input: hence the `noqa: S608` below."""

    table: str
    tally_table: str
    columns: tuple[str, ...]
    # The counted model's list filters that are tally columns: filter name -> tally column.
    filters: dict
    # Whether the list has the overdue filter (open and due before today, as the model's
    # `objects.overdue_q()` says), counted from the open rows' tally.
    overdue: bool = False

    @property
    def name(self) -> str:
        return f"{self.table}_tally"

    def _keys(self) -> list[str]:
        return ["department_key" if c == "department_id" else c for c in self.columns]

    def _value(self, row: str, column: str) -> str:
        return f"COALESCE({row}.{column}, 0)" if column == "department_id" else f"{row}.{column}"

    def _add(self) -> str:
        keys = ", ".join(self._keys())
        values = ", ".join(self._value("NEW", c) for c in self.columns)
        return (f"INSERT INTO {self.tally_table} ({keys}, count) VALUES ({values}, 1) "  # noqa: S608
                f"ON CONFLICT ({keys}) DO UPDATE SET count = {self.tally_table}.count + 1;")

    def _remove(self) -> str:
        where = " AND ".join(f"{key} = {self._value('OLD', column)}"
                             for key, column in zip(self._keys(), self.columns, strict=True))
        return f"UPDATE {self.tally_table} SET count = count - 1 WHERE {where};"  # noqa: S608

    def install_sql(self, vendor: str) -> list[str]:
        # An update counts only when it moves the row to another key.
        if vendor == "postgresql":
            moved = " OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in self.columns)
            return [
                f"""CREATE OR REPLACE FUNCTION {self.name}() RETURNS trigger AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN {self._remove()} END IF;
  IF TG_OP IN ('UPDATE', 'INSERT') THEN {self._add()} END IF;
  RETURN NULL;
END $$ LANGUAGE plpgsql""",
                f"CREATE TRIGGER {self.name}_change AFTER INSERT OR DELETE ON {self.table} "
                f"FOR EACH ROW EXECUTE FUNCTION {self.name}()",
                f"CREATE TRIGGER {self.name}_move AFTER UPDATE ON {self.table} "
                f"FOR EACH ROW WHEN ({moved}) EXECUTE FUNCTION {self.name}()",
            ]
        moved = " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in self.columns)
        return [
            f"CREATE TRIGGER {self.name}_insert AFTER INSERT ON {self.table} "
            f"BEGIN {self._add()} END",
            f"CREATE TRIGGER {self.name}_delete AFTER DELETE ON {self.table} "
            f"BEGIN {self._remove()} END",
            f"CREATE TRIGGER {self.name}_update AFTER UPDATE ON {self.table} WHEN {moved} "
            f"BEGIN {self._remove()} {self._add()} END",
        ]

    def uninstall_sql(self, vendor: str) -> list[str]:
        if vendor == "postgresql":
            return [f"DROP TRIGGER IF EXISTS {self.name}_change ON {self.table}",
                    f"DROP TRIGGER IF EXISTS {self.name}_move ON {self.table}",
                    f"DROP FUNCTION IF EXISTS {self.name}()"]
        return [f"DROP TRIGGER IF EXISTS {self.name}_{event}"
                for event in ("insert", "delete", "update")]

    def recount_sql(self) -> list[str]:
        """The tally from the counted rows themselves (one GROUP BY)."""
        keys = ", ".join(self._keys())
        grouped = ", ".join("COALESCE(department_id, 0)" if c == "department_id" else c
                            for c in self.columns)
        return [f"DELETE FROM {self.tally_table}",  # noqa: S608
                f"INSERT INTO {self.tally_table} ({keys}, count) "  # noqa: S608
                f"SELECT {grouped}, COUNT(*) FROM {self.table} GROUP BY {grouped}"]

    # -- reading it ----------------------------------------------------------------------

    def models(self):
        from django.apps import apps

        counted = next(m for m in apps.get_app_config("training").get_models()
                       if m._meta.db_table == self.table)
        kept = next(m for m in apps.get_app_config("training").get_models()
                    if m._meta.db_table == self.tally_table)
        return counted, kept

    def count(self, user, filterset) -> int | None:
        """How many rows the list shows `user` with `filterset`, from the tally; None (the
        list counts its rows) when a filter is neither a tally column nor the overdue filter,
        or the user's scope is neither everything nor their departments (and their own
        rows)."""
        from mamori.core import roles as r
        from mamori.core.scope import VIEW

        if filterset.is_bound and not filterset.is_valid():
            return None
        given = {name: getattr(value, "pk", value) for name, value in
                 (filterset.form.cleaned_data.items() if filterset.is_bound else ())
                 if value not in (None, "")}
        overdue = given.pop(OVERDUE, None) if self.overdue else None
        if overdue is False or not set(given) <= set(self.filters):
            return None
        model, _kept = self.models()
        roles = r.roles_for(user)
        seen = model.scope.q_for(roles, VIEW)
        if overdue is None:
            return self._scoped_sum(roles, seen, given)
        # Overdue (open, due before today): the open rows' tally less the open rows not yet
        # due, which are counted (the current cycle's stragglers: far fewer, as a rule).
        if given.get("status", "open") != "open":
            return 0
        total = self._scoped_sum(roles, seen, {**given, "status": "open"})
        if total is None:
            return None
        # The filters' names are the counted model's fields.
        # (The complement of `overdue_q` among open rows, written as a range the (status,
        # due_on) index answers: a NOT of it was read row by row.)
        not_yet_due = model.objects.filter(seen, **given).filter(
            status="open", due_on__gte=timezone.localdate())
        return total - not_yet_due.count()

    def _scoped_sum(self, roles, seen, given) -> int | None:
        """The rows `seen` (the scope's Q for `roles`) with the `given` filters, from the
        tally; None when that scope is not one the tally answers."""
        from mamori.core.scope import ALL, VIEW

        model, kept = self.models()
        tallied = kept.objects.filter(**{self.filters[name]: value
                                         for name, value in given.items()})
        if seen == ALL:
            return _sum(tallied)
        # An information manager sees their departments' rows (all of them, so the tally's
        # rows for those departments count them) and their own elsewhere (a few, counted).
        scope = model.scope
        departments = scope.information_manager(roles, VIEW)
        own = scope.staff(roles, VIEW)
        if departments is None:
            return None
        if seen not in (departments, *([departments | own] if own is not None else [])):
            return None
        managed = roles.managed_department_ids
        total = _sum(tallied.filter(department_key__in=managed))
        if seen != departments:
            # The filters' names are the counted model's fields.
            total += (model.objects.filter(own, **given)
                      .exclude(department__in=managed).count())
        return total

    def differences(self, using: str = "default") -> dict:
        """key -> (tally, counted) where the tally and the rows disagree (empty: exact)."""
        model, kept = self.models()
        at = self.columns.index("department_id")
        counted = {}
        for *key, n in (model.objects.using(using).order_by().values_list(*self.columns)
                        .annotate(n=Count("pk"))):
            key[at] = key[at] or 0
            counted[tuple(key)] = n
        tallied = {tuple(row[:-1]): row[-1] for row in kept.objects.using(using)
                   .values_list(*self._keys(), "count") if row[-1]}
        return {key: (tallied.get(key, 0), counted.get(key, 0))
                for key in tallied.keys() | counted.keys()
                if tallied.get(key, 0) != counted.get(key, 0)}

    # A migration's RunPython steps (migration 0003 on; 0002, landed, has its own copies).
    def install(self, apps, schema_editor) -> None:
        run(self.install_sql(schema_editor.connection.vendor) + self.recount_sql(),
            schema_editor.connection.alias)

    def uninstall(self, apps, schema_editor) -> None:
        run(self.uninstall_sql(schema_editor.connection.vendor), schema_editor.connection.alias)

    def recount(self, using: str = "default") -> None:
        """Count again from the rows (after rows were written with the triggers off, as a
        benchmark's bulk load may)."""
        run(self.recount_sql(), using)


def _sum(tallied) -> int:
    return tallied.aggregate(n=Sum("count", default=0))["n"]


def run(statements, using: str = "default") -> None:
    with connections[using].cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


OVERDUE = "overdue"

ASSIGNMENTS = Tally(
    table="training_assignment", tally_table="training_assignmenttally",
    columns=("programme_id", "cycle", "category", "department_id", "status"),
    filters={"programme": "programme", "cycle": "cycle", "category": "category",
             "department": "department_key", "status": "status"},
    overdue=True)

COMPLETIONS = Tally(
    table="training_completion", tally_table="training_completiontally",
    columns=("course_id", "source", "department_id"),
    filters={"course": "course", "source": "source", "department": "department_key"})


# Migration 0002 installs the assignment tally through these three.
def install_sql(vendor: str) -> list[str]:
    return ASSIGNMENTS.install_sql(vendor)


def uninstall_sql(vendor: str) -> list[str]:
    return ASSIGNMENTS.uninstall_sql(vendor)


def recount_sql() -> list[str]:
    return ASSIGNMENTS.recount_sql()
