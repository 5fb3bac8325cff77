"""Mamori's own system checks (`mamori check --deploy`), also shown when `mamori serve` starts.

The change log's checkpoint is signed with `MAMORI_LOG_KEY` so that rewriting the log table is
detected. By default the key is a file in the data directory — next to the SQLite database, the
generated secret key and the certificates, and in the same backups. Whoever can read that
directory (a copied backup, a shared volume) holds the key and can rewrite the log *and* sign
it again. A deployment keeps the key elsewhere.
"""

import ipaddress
import stat

from django.conf import settings
from django.core.checks import Error, Tags, register
from django.core.checks import Warning as CheckWarning
from django.db import DatabaseError, connection
from django.utils.translation import gettext as _

KEY_IN_DATA_DIR = "mamori.W001"
KEY_FILE_OPEN_TO_OTHERS = "mamori.W002"
LOG_KEY_MISSING = "mamori.E001"


def is_production() -> bool:
    """A deployment, as opposed to the embedded demo: PostgreSQL with DEBUG off.

    `make run` and the test suite's `check --deploy` run on the embedded SQLite database, which
    is itself a file in the data directory; `mamori serve` also counts an address other users
    can reach as a deployment (see `serves_others`)."""
    return not settings.DEBUG and connection.vendor != "sqlite"


def serves_others(host: str) -> bool:
    """Whether `mamori serve --bind host` listens beyond this machine."""
    if host == "localhost":
        return False
    try:
        return not ipaddress.ip_address(host).is_loopback
    except ValueError:
        return True  # a host name other than localhost


def log_key_warnings(production: bool) -> list[CheckWarning]:
    key_file = settings.MAMORI_LOG_KEY_FILE
    if key_file is None:  # from the environment (MAMORI_LOG_KEY)
        return []
    warnings = []
    if production and key_file.resolve().is_relative_to(settings.DATA_DIR.resolve()):
        warnings.append(CheckWarning(
            _("The change-log key is read from %(file)s, inside the data directory: whoever "
              "can read the data directory can rewrite the change log and sign it again.")
            % {"file": key_file},
            hint=_("Move the key file outside the data directory, for example to "
                   "/etc/mamori/log_key (mode 0400) or a systemd credential, and set "
                   "MAMORI_LOG_KEY_FILE to it (or pass the key in MAMORI_LOG_KEY). Move the "
                   "same key: a new key no longer verifies the existing checkpoint. Back it up "
                   "apart from the data directory and the database."),
            id=KEY_IN_DATA_DIR,
        ))
    try:
        mode = key_file.stat().st_mode
    except OSError:
        return warnings
    # Group members may read it (a systemd credential or a secret shared with a group);
    # nobody else may, and nobody but the owner may write it.
    if mode & (stat.S_IWGRP | stat.S_IWOTH | stat.S_IROTH):
        warnings.append(CheckWarning(
            _("The change-log key file %(file)s may be read or written by other users "
              "(mode %(mode)s).") % {"file": key_file, "mode": f"{stat.S_IMODE(mode):04o}"},
            hint=_("chmod 0400 the file (Docker and Kubernetes secrets: mode 0400)."),
            id=KEY_FILE_OPEN_TO_OTHERS,
        ))
    return warnings


@register(Tags.security, deploy=True)
def check_log_key(app_configs=None, **kwargs):
    return log_key_warnings(is_production())


def log_key_errors() -> list[Error]:
    """The key is missing while the change log has entries: nothing may start (serve, migrate,
    the worker, any command that runs the system checks). A new, empty database is fine: the
    key is generated with its genesis checkpoint (changelog.signing_key)."""
    if settings.MAMORI_LOG_KEY:
        return []
    from mamori.core.changelog import log_has_entries, missing_key_message

    try:
        has_entries = log_has_entries()
    except DatabaseError:
        return []  # no database or no schema yet: `migrate` creates it, with a new key
    if not has_entries:
        return []
    return [Error(missing_key_message(), id=LOG_KEY_MISSING)]


@register("mamori")
def check_log_key_present(app_configs=None, **kwargs):
    return log_key_errors()
