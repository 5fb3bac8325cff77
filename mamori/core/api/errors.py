"""Errors of the domain's own steps (workflow moves, acknowledgements), in the API's shape.

Every error body matches the schema's `Error` (core.api.schema): the invalid fields with
their lists of messages, or `detail` as one string.
"""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions


def api_error(exc: DjangoValidationError) -> exceptions.ValidationError:
    """The fields with their messages when the error names fields, else `detail`: the
    messages joined into one sentence (a list there would break the documented string)."""
    if hasattr(exc, "error_dict"):
        return exceptions.ValidationError(exc.message_dict)
    return exceptions.ValidationError({"detail": " ".join(exc.messages)})


def run_step(function, *args, **kwargs):
    """Run a domain step, turning Django's refusals into the API's."""
    try:
        return function(*args, **kwargs)
    except DjangoPermissionDenied as exc:
        raise exceptions.PermissionDenied() from exc
    except DjangoValidationError as exc:
        raise api_error(exc) from exc
