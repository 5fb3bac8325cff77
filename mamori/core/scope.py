"""Scope lives in the queryset: `Model.objects.restrict(user, action)`.

Each model names a Scope: one function per role returning a Q for the rows that role may see
or change (`ALL`), or None for no rows. A user's rows are the union over their roles. Views,
viewsets, exports and imports read only through `restrict`; writes are re-checked with
`ensure_in_scope` inside their transaction and rolled back when they land out of scope.
"""

from functools import reduce
from operator import or_

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.utils.translation import gettext as _

from mamori.core import roles as r

VIEW, ADD, CHANGE, DELETE = "view", "add", "change", "delete"
ACTIONS = (VIEW, ADD, CHANGE, DELETE)
ALL = Q()


class Scope:
    """Default scope: administrators and the CISO do everything, auditors read everything,
    information managers act on their departments' records (when the model has a department),
    staff see their own records (when the model has an owner)."""

    department_field: str | None = None  # lookup from the model to its owning Department
    own_field: str | None = None  # lookup from the model to its owning User
    # ... or to its owning Person, compared with the person's id, which needs no join to the
    # people table (a join in the OR of a scope makes the database scan every row).
    own_person_field: str | None = None
    own_actions: tuple[str, ...] = (VIEW,)
    readers: tuple[str, ...] = ()  # roles that may view every row

    def __init__(self, *, department_field=None, own_field=None, own_actions=None, readers=None):
        if department_field is not None:
            self.department_field = department_field
        if own_field is not None:
            self.own_field = own_field
        if own_actions is not None:
            self.own_actions = tuple(own_actions)
        if readers is not None:
            self.readers = tuple(readers)

    # -- the named scope functions, one per role ---------------------------------------

    def admin(self, roles: r.Roles, action: str) -> Q | None:
        return ALL

    def ciso(self, roles: r.Roles, action: str) -> Q | None:
        return ALL

    def auditor(self, roles: r.Roles, action: str) -> Q | None:
        return ALL if action == VIEW else None

    def information_manager(self, roles: r.Roles, action: str) -> Q | None:
        if self.department_field is None or not roles.managed_department_ids:
            return None
        return Q(**{f"{self.department_field}__in": roles.managed_department_ids})

    def staff(self, roles: r.Roles, action: str) -> Q | None:
        if action not in self.own_actions:
            return None
        if self.own_person_field is not None:
            if roles.person_id is None:
                return None
            return Q(**{self.own_person_field: roles.person_id})
        if self.own_field is None:
            return None
        return Q(**{self.own_field: roles.user_id})

    # -- combining ----------------------------------------------------------------------

    def q_for(self, roles: r.Roles, action: str) -> Q | None:
        parts = []
        for role in r.ALL_ROLES:
            if not roles.has(role):
                continue
            reads_all = action == VIEW and role in self.readers
            q = ALL if reads_all else getattr(self, role)(roles, action)
            if q is not None and not q:  # an empty Q (ALL or any Q()) means every row
                return ALL
            if q is not None:
                parts.append(q)
        return reduce(or_, parts) if parts else None

    def can(self, roles: r.Roles, action: str) -> bool:
        """Whether the user may do `action` on at least some rows (e.g. show a Create button)."""
        return self.q_for(roles, action) is not None


class AdminOnlyScope(Scope):
    """Only administrators manage these (user accounts); everyone sees their own."""

    def ciso(self, roles, action):
        return ALL if action == VIEW else None


class CatalogueScope(Scope):
    """Catalogues and method settings (threats, classification levels, frameworks): everyone
    reads them, administrators and the CISO change them."""

    readers = ("staff",)


class SettingsScope(Scope):
    """A single row of settings (created at installation): everyone reads it, administrators
    and the CISO change it, nobody adds a second one or deletes it."""

    readers = ("staff",)

    def admin(self, roles, action):
        return ALL if action in (VIEW, CHANGE) else None

    ciso = admin

    def auditor(self, roles, action):
        return None  # a reader already, as staff


class OwnRecordsScope(Scope):
    """Personal records (API tokens): the owner manages them; administrators see them."""

    own_actions = ACTIONS

    def ciso(self, roles, action):
        return self.staff(roles, action)

    def admin(self, roles, action):
        return ALL if action in (VIEW, DELETE) else self.staff(roles, action)


class ReadOnlyScope(Scope):
    """Records written only by their workflow (training's derived assignments, quiz
    attempts): every role reads what the default rules give it, and no role adds, changes or
    deletes one through a page, the API or an import."""

    def q_for(self, roles, action):
        return super().q_for(roles, action) if action == VIEW else None


class ReadAllScope(Scope):
    """System-written records: the named readers see all, nobody edits them by hand."""

    def __init__(self, *, readers):
        super().__init__(readers=readers)

    def admin(self, roles, action):
        return None

    ciso = admin
    auditor = admin


def model_scope(model) -> Scope:
    scope = getattr(model, "scope", None)
    if scope is None:
        raise TypeError(f"{model.__name__} declares no scope")
    return scope


def restrict(queryset, user, action: str = VIEW):
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}")
    q = model_scope(queryset.model).q_for(r.roles_for(user), action)
    if q is None:
        return queryset.none()
    return queryset if not q else queryset.filter(q)


def sees_every_row(user, model, action: str = VIEW) -> bool:
    """Whether `user`'s scope for `action` on `model` is every row (no filter to ask)."""
    q = model_scope(model).q_for(r.roles_for(user), action)
    return q is not None and not q


def can(user, model, action: str) -> bool:
    return model_scope(model).can(r.roles_for(user), action)


def ensure_in_scope(obj, user, action: str = CHANGE) -> None:
    """Call inside the write's transaction: raises (so the transaction rolls back) when the
    written object is not within the user's scope for `action`."""
    qs = type(obj)._default_manager.all()
    if not restrict(qs, user, action).filter(pk=obj.pk).exists():
        raise PermissionDenied(_("The change would fall outside your scope."))


class RestrictableQuerySetMixin:
    def restrict(self, user, action: str = VIEW):
        return restrict(self, user, action)


class KeptOnceDecided(Scope):
    """A decision taken is kept as it was taken: a record in one of `kept_statuses` (at
    `status_field`) is changed or deleted by nobody through a page, the API or an import;
    only its workflow's own steps write to it, through the model. An assessed screening and
    the answers it was assessed on, a decided subcontracting, an approved impact analysis."""

    status_field = "status"
    kept_statuses: tuple[str, ...] = ()

    def q_for(self, roles, action):
        q = super().q_for(roles, action)
        if action in (CHANGE, DELETE) and q is not None:
            return q & ~Q(**{f"{self.status_field}__in": self.kept_statuses})
        return q
