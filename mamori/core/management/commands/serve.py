"""`mamori serve`: run Mamori under gunicorn, over HTTPS with the local CA unless told otherwise."""

import ipaddress
import os
import sys
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connections
from django.http.request import validate_host
from django.utils.translation import gettext as _
from gunicorn.app.base import BaseApplication

from mamori.core import embedded
from mamori.core.checks import is_production, log_key_warnings, serves_others
from mamori.core.tls import DEFAULT_HOSTNAMES, ensure_certificates, write_openssl_config

DEFAULT_PORT = 8443
# TLS 1.2 suites of Mozilla's "intermediate" configuration, Mamori's own default TLS profile
# for the web systems it checks: forward secrecy and AEAD only (Python's default list also
# offers CBC suites, which `make security` reported). TLS 1.3 suites are not configurable
# here and are all acceptable.
# The profile's key-exchange groups (X25519, P-256, P-384) come from an OpenSSL configuration
# file (core.tls.openssl_config_text), read by OpenSSL when it is first loaded: `serve` starts
# itself again with OPENSSL_CONF pointing at it (`with_tls_groups`). Python 3.11's ssl can only
# narrow them to a single curve, which would drop X25519, and setting the list on the context
# through OpenSSL directly would rely on CPython's private object layout.
TLS12_CIPHERS = ":".join([
    "ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-RSA-AES128-GCM-SHA256",
    "ECDHE-ECDSA-AES256-GCM-SHA384", "ECDHE-RSA-AES256-GCM-SHA384",
    "ECDHE-ECDSA-CHACHA20-POLY1305", "ECDHE-RSA-CHACHA20-POLY1305",
])


def parse_bind(value: str) -> tuple[str, int]:
    """Split HOST:PORT, [IPv6]:PORT, HOST or [IPv6] into (host, port); IPv6 hosts lose brackets."""
    if value.startswith("["):
        host, sep, rest = value[1:].partition("]")
        if not sep or (rest and not rest.startswith(":")):
            raise ValueError(value)
        port = rest[1:] if rest else str(DEFAULT_PORT)
    elif value.count(":") > 1:
        # A bare IPv6 address: its colons leave no room for a port.
        host, port = value, str(DEFAULT_PORT)
    else:
        host, sep, port = value.partition(":")
        port = port if sep else str(DEFAULT_PORT)
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError(value)
    return host.lower(), int(port)


def url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host


def is_wildcard(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_unspecified
    except ValueError:
        return False


# A worker process: Django and Mamori loaded (~80 MiB) plus one argon2id hash at a time
# (100 MiB, see mamori.core.hashers).
WORKER_MEMORY = 192 * 1024 * 1024
# Threads per worker: a login waits for its process's hashing slot in its thread, while the
# other threads go on serving pages; idle browser connections hold a thread each too.
DEFAULT_THREADS = 8


def cpu_count() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def memory_limit() -> int | None:
    """Bytes of memory this process may use: the cgroup limit (containers) or the machine's."""
    try:
        limit = Path("/sys/fs/cgroup/memory.max").read_text().strip()
        if limit.isdigit():
            return int(limit)
    except OSError:
        pass
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return None


def default_workers(cores: int, memory: int | None) -> int:
    """Cores + 1 processes (one waits on the database while the others compute), but no more
    than half the memory holds at WORKER_MEMORY each."""
    workers = cores + 1
    if memory:
        workers = min(workers, memory // 2 // WORKER_MEMORY)
    return max(1, workers)


def unapplied_migrations(connection) -> list[str]:
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{migration.app_label}.{migration.name}" for migration, _backwards in plan]


def positive_int(value: str) -> int:
    number = int(value)
    if number < 1:
        raise ValueError(value)
    return number


class Command(BaseCommand):
    @property
    def help(self):
        # Looked up when the parser is built, so the text follows the active language.
        return _("Serve Mamori with gunicorn, over HTTPS with a locally generated certificate.")

    def add_arguments(self, parser):
        parser.add_argument(
            "--bind", default=f"127.0.0.1:{DEFAULT_PORT}", metavar="HOST:PORT",
            help=_("Address to listen on, such as [::1]:8443 (default: %(default)s)."),
        )
        parser.add_argument(
            "--http", action="store_true",
            help=_("Serve plain HTTP. Only behind a reverse proxy that terminates TLS."),
        )
        parser.add_argument(
            "--workers", type=positive_int, default=None, metavar="N",
            help=_("Number of worker processes (default: the number of CPU cores plus one, "
                   "as far as memory allows; here %(default)s).")
            % {"default": default_workers(cpu_count(), memory_limit())},
        )
        # Several threads per worker keep a browser's idle, speculatively opened connections
        # from occupying a whole worker each, and let pages be served while logins wait.
        parser.add_argument(
            "--threads", type=positive_int, default=DEFAULT_THREADS, metavar="N",
            help=_("Number of threads per worker (default: %(default)s)."),
        )
        parser.add_argument(
            "--no-worker", action="store_true",
            help=_("Do not start the embedded task worker and scheduler (for deployments "
                   "that run `mamori worker` and `mamori scheduler` on their own; also "
                   "MAMORI_EMBEDDED_WORKER=0)."),
        )

    def handle(self, *args, bind, http, workers, threads, no_worker=False, **options):
        pending = unapplied_migrations(connections["default"])
        if pending:
            raise CommandError(_(
                "The database has %(count)s unapplied migrations (%(first)s, …): this version "
                "of Mamori cannot serve it yet. Back up, then run `mamori migrate`, and start "
                "`mamori serve` again."
            ) % {"count": len(pending), "first": pending[0]})
        if not http:
            self.with_tls_groups()
        if workers is None:
            workers = default_workers(cpu_count(), memory_limit())
        try:
            host, port = parse_bind(bind)
        except ValueError:
            raise CommandError(
                _("Invalid --bind %(bind)s: expected HOST:PORT or [IPv6]:PORT.") % {"bind": bind}
            ) from None
        extra = os.environ.get("MAMORI_TLS_HOSTNAMES", "").split(",")
        display = host
        if is_wildcard(host):
            # A wildcard address is not something a browser can reach; show a name it can.
            display = next((h.strip() for h in extra if h.strip()), "localhost")

        config = {
            "bind": [f"{url_host(host)}:{port}"],
            "workers": workers,
            "threads": threads,
            "worker_class": "gthread",
            # Connections beyond the threads wait in the kernel's queue and in gunicorn's,
            # not refused: a rush of logins becomes a wait.
            "backlog": 2048,
            "worker_connections": 1000,
            # A request may wait for a hashing slot during a login rush; the worker is only
            # restarted when it stops answering its arbiter for this long.
            "timeout": 120,
            "graceful_timeout": 30,
            "keepalive": 5,
            "proc_name": "mamori",
        }
        if http:
            url = f"http://{url_host(display)}:{port}/"
            self.stderr.write(self.style.WARNING(_(
                "Serving plain HTTP. Use --http only behind a reverse proxy that terminates "
                "TLS, listening where only that proxy can reach it, and set "
                "MAMORI_BEHIND_PROXY=1 so Mamori trusts the proxy's X-Forwarded-Proto header."
            )))
        else:
            hostnames = [*DEFAULT_HOSTNAMES, *extra]
            if not is_wildcard(host):
                hostnames.append(host)
            certs = ensure_certificates(settings.DATA_DIR, hostnames)
            config.update(certfile=str(certs.server_cert), keyfile=str(certs.server_key),
                          ciphers=TLS12_CIPHERS)
            url = f"https://{url_host(display)}:{port}/"

        if not validate_host(url_host(display), settings.ALLOWED_HOSTS):
            self.stderr.write(self.style.WARNING(
                _("%(host)s is not in DJANGO_ALLOWED_HOSTS; requests for it will be refused.")
                % {"host": url_host(display)}
            ))
        # The deploy checks' warnings about the change-log key, said where the operator
        # looks when a deployment starts.
        for warning in log_key_warnings(is_production() or serves_others(host)):
            self.stderr.write(self.style.WARNING(f"{warning.msg} {warning.hint}"))
        self.stdout.write(_("Serving Mamori at %(url)s") % {"url": url})
        self.stdout.write(_("%(workers)s worker processes, %(threads)s threads each") % {
            "workers": workers, "threads": threads})
        if not http:
            self.stdout.write(
                _("Trust this CA in your browser: %(path)s") % {"path": certs.ca_cert}
            )
        embed = embedded.wanted(no_worker)
        if embed:
            self.stdout.write(_("Running the task worker and scheduler too (--no-worker: "
                                "run them separately)"))
        self.stdout.flush()
        sys.stdout.flush()

        # Imported here, not at module level, so `mamori help` does not load the whole site.
        from mamori.wsgi import application

        # The workers are forked from this process; they must not share its database
        # connection (opened by the migration check above).
        connections.close_all()
        # Started before gunicorn forks its workers, stopped (finishing its task) after
        # gunicorn has stopped: core.embedded says why a child process.
        companion = embedded.EmbeddedWorker().start() if embed else None
        try:
            GunicornApplication(application, config).run()
        finally:
            if companion:
                companion.stop()


    def with_tls_groups(self) -> None:
        """Start this command again in the same process (same pid) with OPENSSL_CONF set to
        Mamori's TLS configuration, unless it is set already (by an earlier start, or by an
        operator with a configuration of their own, which is then theirs to keep right).
        Started other than as `mamori serve …` (call_command in a test), it says what it
        cannot do instead."""
        given = os.environ.get("OPENSSL_CONF")
        ours = write_openssl_config(settings.DATA_DIR)
        if given:
            if Path(given) != ours:
                self.stderr.write(self.style.WARNING(_(
                    "OPENSSL_CONF is set (%(path)s): the key-exchange groups of Mamori's HTTPS "
                    "are what that file says, not those of Mamori's TLS profile.")
                    % {"path": given}))
            return
        if sys.argv[1:2] != ["serve"]:
            self.stderr.write(self.style.WARNING(_(
                "Not started as `mamori serve`: the key-exchange groups of Mamori's TLS "
                "profile are not applied.")))
            return
        os.environ["OPENSSL_CONF"] = str(ours)
        sys.stdout.flush()
        sys.stderr.flush()
        os.execv(sys.executable, [sys.executable, "-m", "mamori.cli", *sys.argv[1:]])  # noqa: S606


class GunicornApplication(BaseApplication):
    """Gunicorn run in-process on an already loaded WSGI application, with options given here."""

    def __init__(self, application, options):
        self.application = application
        self.options = options
        super().__init__()

    def load_config(self):
        for key, value in self.options.items():
            self.cfg.set(key, value)
        # Gunicorn 25.1+ opens a control socket at one per-user default path, where a second
        # Mamori instance would collide with the first; Mamori does not use it.
        if "control_socket_disable" in self.cfg.settings:
            self.cfg.set("control_socket_disable", True)

    def load(self):
        return self.application

    def run(self):
        # Gunicorn names itself in every response's Server header and has no setting for it;
        # the header tells a scanner which server's flaws to try. Its response class reads
        # the module's SERVER when it writes the headers, so this is replaced before the
        # workers fork (gunicorn is pinned below the next major version, and test_tls's
        # serve test fails if the header comes back).
        import gunicorn.http.wsgi

        gunicorn.http.wsgi.SERVER = "Mamori"
        super().run()
