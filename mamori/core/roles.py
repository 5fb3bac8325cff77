"""Who a user is in the ISMS: the roles that decide what they see and change.

Administrator and auditor are system roles on the user. CISO and information manager come
from current appointments (org app, Art 3 and 4), provided through `register_provider`, so
core does not import the apps built on it. Every authenticated user is also "staff".
"""

from collections.abc import Callable
from dataclasses import dataclass, field

ADMIN = "admin"
CISO = "ciso"
AUDITOR = "auditor"
INFORMATION_MANAGER = "information_manager"
STAFF = "staff"
ALL_ROLES = (ADMIN, CISO, AUDITOR, INFORMATION_MANAGER, STAFF)


@dataclass(frozen=True)
class Roles:
    user_id: int | None
    names: frozenset[str] = frozenset()
    person_id: int | None = None
    managed_department_ids: frozenset[int] = field(default_factory=frozenset)

    def has(self, *names: str) -> bool:
        return any(n in self.names for n in names)

    @property
    def sees_everything(self) -> bool:
        return self.has(ADMIN, CISO, AUDITOR)

    @property
    def changes_everything(self) -> bool:
        return self.has(ADMIN, CISO)


NO_ROLES = Roles(user_id=None)

# A provider returns (role names, person id, managed department ids) for a user.
Provider = Callable[[object], tuple[set[str], int | None, set[int]]]
_providers: list[Provider] = []


def register_provider(provider: Provider) -> None:
    if provider not in _providers:
        _providers.append(provider)


def roles_for(user) -> Roles:
    """The user's roles, computed once per user object (i.e. once per request)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return NO_ROLES
    cached = getattr(user, "_mamori_roles", None)
    if cached is not None:
        return cached
    names = {STAFF}
    if user.is_superuser or getattr(user, "system_role", "") == ADMIN:
        names.add(ADMIN)
    if getattr(user, "system_role", "") == AUDITOR:
        names.add(AUDITOR)
    person_id, managed = None, set()
    for provider in _providers:
        extra, pid, depts = provider(user)
        names |= extra
        person_id = person_id or pid
        managed |= depts
    roles = Roles(user.pk, frozenset(names), person_id, frozenset(managed))
    user._mamori_roles = roles
    return roles


def forget_roles(user) -> None:
    if hasattr(user, "_mamori_roles"):
        del user._mamori_roles
