"""The assignment tally (models.AssignmentTally): how many assignments there are per
programme, cycle, person category, department and status, kept by triggers on the assignment
table in the transaction of every write (ORM, bulk insert or raw SQL alike), as the search
indexes' triggers keep SQLite's trigram tables (core.search_indexes). Created by migration
`training.0002`, which also counts the assignments already there."""

from django.db import connections
from django.db.models import Count

KEY = ("programme_id", "cycle", "category", "department_key", "status")

# Written out in full (no names put together at run time): the migration runs these.
ADD = """INSERT INTO training_assignmenttally
    (programme_id, cycle, category, department_key, status, count)
  VALUES (NEW.programme_id, NEW.cycle, NEW.category, COALESCE(NEW.department_id, 0),
          NEW.status, 1)
  ON CONFLICT (programme_id, cycle, category, department_key, status)
  DO UPDATE SET count = training_assignmenttally.count + 1;"""

REMOVE = """UPDATE training_assignmenttally SET count = count - 1
  WHERE programme_id = OLD.programme_id AND cycle = OLD.cycle AND category = OLD.category
    AND department_key = COALESCE(OLD.department_id, 0) AND status = OLD.status;"""

POSTGRESQL = [
    """CREATE OR REPLACE FUNCTION training_assignment_tally() RETURNS trigger AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN """ + REMOVE + """ END IF;
  IF TG_OP IN ('UPDATE', 'INSERT') THEN """ + ADD + """ END IF;
  RETURN NULL;
END $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER training_assignment_tally_change AFTER INSERT OR DELETE
  ON training_assignment FOR EACH ROW EXECUTE FUNCTION training_assignment_tally()""",
    # An update counts only when it moves the row to another key.
    """CREATE TRIGGER training_assignment_tally_move AFTER UPDATE ON training_assignment
  FOR EACH ROW WHEN (OLD.programme_id IS DISTINCT FROM NEW.programme_id
    OR OLD.cycle IS DISTINCT FROM NEW.cycle OR OLD.category IS DISTINCT FROM NEW.category
    OR OLD.department_id IS DISTINCT FROM NEW.department_id
    OR OLD.status IS DISTINCT FROM NEW.status)
  EXECUTE FUNCTION training_assignment_tally()""",
]

SQLITE = [
    "CREATE TRIGGER training_assignment_tally_insert AFTER INSERT ON training_assignment "
    "BEGIN " + ADD + " END",
    "CREATE TRIGGER training_assignment_tally_delete AFTER DELETE ON training_assignment "
    "BEGIN " + REMOVE + " END",
    """CREATE TRIGGER training_assignment_tally_update AFTER UPDATE ON training_assignment
  WHEN OLD.programme_id IS NOT NEW.programme_id OR OLD.cycle IS NOT NEW.cycle
    OR OLD.category IS NOT NEW.category OR OLD.department_id IS NOT NEW.department_id
    OR OLD.status IS NOT NEW.status
  BEGIN """ + REMOVE + " " + ADD + " END",
]

UNINSTALL = {
    "postgresql": [
        "DROP TRIGGER IF EXISTS training_assignment_tally_change ON training_assignment",
        "DROP TRIGGER IF EXISTS training_assignment_tally_move ON training_assignment",
        "DROP FUNCTION IF EXISTS training_assignment_tally()"],
    "sqlite": [f"DROP TRIGGER IF EXISTS training_assignment_tally_{name}"
               for name in ("insert", "delete", "update")],
}

RECOUNT = [
    "DELETE FROM training_assignmenttally",
    """INSERT INTO training_assignmenttally
    (programme_id, cycle, category, department_key, status, count)
  SELECT programme_id, cycle, category, COALESCE(department_id, 0), status, COUNT(*)
  FROM training_assignment
  GROUP BY programme_id, cycle, category, COALESCE(department_id, 0), status""",
]


def install_sql(vendor: str) -> list[str]:
    return POSTGRESQL if vendor == "postgresql" else SQLITE


def uninstall_sql(vendor: str) -> list[str]:
    return UNINSTALL["postgresql" if vendor == "postgresql" else "sqlite"]


def recount_sql() -> list[str]:
    """The tally from the assignments themselves (one GROUP BY)."""
    return RECOUNT


# Filters of the assignment list that are columns of the tally (department: its key).
COUNTED_FILTERS = {"programme": "programme", "cycle": "cycle", "category": "category",
                   "department": "department_key", "status": "status"}


def count(user, filterset) -> int | None:
    """The number of assignments the list shows `user` with `filterset`, from the tally,
    when the user sees every assignment and filters only by the tally's columns; else None
    (the list counts its rows)."""
    from django.db.models import Sum

    from mamori.core import roles as r
    from mamori.core.scope import ALL, VIEW
    from mamori.training.models import Assignment, AssignmentTally

    if Assignment.scope.q_for(r.roles_for(user), VIEW) != ALL:
        return None
    if filterset.is_bound and not filterset.is_valid():
        return None
    given = {name: value for name, value in (filterset.form.cleaned_data.items()
                                             if filterset.is_bound else ())
             if value not in (None, "")}
    if not set(given) <= set(COUNTED_FILTERS):
        return None
    conditions = {}
    for name, value in given.items():
        key = getattr(value, "pk", value)
        conditions[COUNTED_FILTERS[name]] = key
    return AssignmentTally.objects.filter(**conditions).aggregate(
        n=Sum("count", default=0))["n"]


def run(statements, using: str = "default") -> None:
    with connections[using].cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def recount(using: str = "default") -> None:
    """Count again from the assignments (after rows were written with the triggers off, as
    a benchmark's bulk load may)."""
    run(recount_sql(), using)


def differences(using: str = "default") -> dict:
    """key -> (tally, counted) where the tally and the assignments disagree (empty: exact)."""
    from mamori.training.models import Assignment, AssignmentTally

    counted = {}
    for row in (Assignment.objects.using(using).order_by()
                .values_list("programme_id", "cycle", "category", "department_id", "status")
                .annotate(n=Count("pk"))):
        *key, n = row
        key[3] = key[3] or 0
        counted[tuple(key)] = n
    kept = {tuple(row[:-1]): row[-1] for row in AssignmentTally.objects.using(using)
            .values_list(*KEY, "count") if row[-1]}
    return {key: (kept.get(key, 0), counted.get(key, 0))
            for key in kept.keys() | counted.keys() if kept.get(key, 0) != counted.get(key, 0)}
