"""Who is acting right now: the actor every change-log entry names.

Set by the request middleware for the UI, API and admin, by `acting_as()` in commands and
tasks. A context variable, so threads and async tasks each see their own actor.
"""

import uuid
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Actor:
    user_id: int | None
    name: str
    source: str  # ui, api, admin, import, command, task, system
    request_id: str = field(default_factory=lambda: uuid.uuid4().hex)


SYSTEM = Actor(user_id=None, name="system", source="system")
_current: ContextVar = ContextVar("mamori_actor", default=SYSTEM)


@dataclass(frozen=True)
class RequestActor:
    """The actor of a web request, read when a change is recorded: API token authentication
    happens inside the view, after the middleware has run."""

    request: object
    source: str
    request_id: str

    def resolve(self) -> Actor:
        return actor_for_user(getattr(self.request, "user", None), self.source, self.request_id)


def current_actor() -> Actor:
    value = _current.get()
    return value.resolve() if isinstance(value, RequestActor) else value


@contextmanager
def acting_as(actor: "Actor | RequestActor"):
    token = _current.set(actor)
    try:
        yield actor
    finally:
        _current.reset(token)


def actor_for_user(user, source: str, request_id: str | None = None) -> Actor:
    if user is None or not getattr(user, "is_authenticated", False):
        return Actor(user_id=None, name="anonymous", source=source,
                     request_id=request_id or uuid.uuid4().hex)
    return Actor(user_id=user.pk, name=user.get_username(), source=source,
                 request_id=request_id or uuid.uuid4().hex)
