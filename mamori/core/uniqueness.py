"""What a user is told when a value that must be unique (a code, a staff number, an import
key) is already taken.

The write must be refused whoever holds the value, so the refusal itself tells the user that
the value is in use: that much cannot be avoided while codes are unique across the company.
Nothing more is told about a holder the user may not see: not its name, its department, its
link, nor that it lies "outside your scope". The form, the API and the import all say the same
neutral sentence (`IN_USE`), so none of them is a better oracle than the others. When the user
may see the holder, they get the ordinary, more helpful message ("Person with this staff number
already exists."), which names nothing they could not look up themselves.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from mamori.core.scope import VIEW

IN_USE = _("This value is already in use; choose another.")

# The codes Django gives to a violated unique field, unique_together or UniqueConstraint.
UNIQUE_CODES = ("unique", "unique_together")


def holder_is_hidden(error: ValidationError, instance, user) -> bool:
    """Whether `error` says that values of `instance` are taken by a record `user` may not
    see. The error names the model and the fields checked (Django's unique_error_message);
    `instance` holds the values that were checked."""
    params = getattr(error, "params", None) or {}
    model, names = params.get("model_class"), params.get("unique_check")
    if getattr(error, "code", None) not in UNIQUE_CODES or model is None or not names:
        return False
    lookup = {}
    for name in names:
        attname = model._meta.get_field(name).attname
        lookup[attname] = getattr(instance, attname)
    holders = model._default_manager.filter(**lookup)
    if instance.pk is not None:
        holders = holders.exclude(pk=instance.pk)
    if not hasattr(holders, "restrict"):
        return False
    return not holders.restrict(user, VIEW).exists()


def told_to(user, error: ValidationError, instance) -> ValidationError:
    """`error` as `user` may be told it: the neutral sentence in place of a uniqueness error
    whose holder they may not see."""
    if holder_is_hidden(error, instance, user):
        return ValidationError(IN_USE, code=error.code)
    return error


def errors_told_to(user, error: ValidationError, instance) -> ValidationError:
    """A whole ValidationError (a dict of fields, or a list) as `user` may be told it."""
    if hasattr(error, "error_dict"):
        return ValidationError({name: [told_to(user, e, instance) for e in errors]
                                for name, errors in error.error_dict.items()})
    return ValidationError([told_to(user, e, instance) for e in error.error_list])
