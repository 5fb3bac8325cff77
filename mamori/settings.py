"""Mamori settings, read from the environment.

With nothing set, Mamori runs on its embedded default: a data directory holding an SQLite
database, a generated secret key and a generated local CA and server certificate.
"""

import ipaddress
import json
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from mamori.datadir import DataDir, env_bool, log_key

BASE_DIR = Path(__file__).resolve().parent

DATA = DataDir.from_environment()
DATA_DIR = DATA.path

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY") or DATA.secret("secret_key")
# Retired secret keys (`mamori rotatesecretkey` keeps the previous one), so sessions and links
# signed before a rotation stay valid until the fallback is removed.
SECRET_KEY_FALLBACKS = [
    k.strip() for k in os.environ.get("DJANGO_SECRET_KEY_FALLBACKS", "").split(",") if k.strip()
] or DATA.lines("secret_key_fallbacks")
# The change-log checkpoint is signed with a key that never lives in the database, so an
# attacker who rewrites the whole log table still cannot forge a valid checkpoint. A deployment
# keeps it outside the data directory too (MAMORI_LOG_KEY or MAMORI_LOG_KEY_FILE): whoever reads
# the data directory could otherwise sign a rewritten log (`mamori check --deploy` warns).
_LOG_KEY = log_key(DATA)
MAMORI_LOG_KEY = _LOG_KEY.value  # None until generated for an empty log (changelog.signing_key)
MAMORI_LOG_KEY_FILE = _LOG_KEY.file  # where the key was read from; None: the environment
# The chain head is also appended to this file after every committed append (see
# changelog.anchor_head); `mamori verifylog` checks that every anchored entry is still there.
# Keep it outside the data directory (or ship it off the host) to detect a restored older
# database together with its signed checkpoint. Empty: no anchor file.
MAMORI_LOG_ANCHOR_FILE = (
    Path(os.environ["MAMORI_LOG_ANCHOR_FILE"]).expanduser()
    if os.environ.get("MAMORI_LOG_ANCHOR_FILE") else
    (None if "MAMORI_LOG_ANCHOR_FILE" in os.environ else DATA_DIR / "log-anchor.jsonl")
)

DEBUG = env_bool("DJANGO_DEBUG", False)
ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]").split(",")
    if h.strip()
]
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("DJANGO_CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]

INSTALLED_APPS = [
    "mamori.core",
    "mamori.org",
    "mamori.policies",
    "mamori.assets",
    "mamori.controls",
    "mamori.risks",
    "mamori.incidents",
    "mamori.websec",
    "mamori.improvement",
    "mamori.audits",
    "mamori.training",
    "mamori.contractors",
    "mamori.continuity",
    "mamori.compliance",
    "mamori.review",
    "mamori.identity",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_tasks",
    "django_tasks_db",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "mamori.core.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "mamori.core.middleware.ActorMiddleware",
    "mamori.core.middleware.RequirePasswordChangeMiddleware",
    "mamori.core.middleware.RequireMfaMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "mamori.core.middleware.BusyDatabaseMiddleware",
]

ROOT_URLCONF = "mamori.urls"
WSGI_APPLICATION = "mamori.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "mamori.core.context_processors.navigation",
                "mamori.core.context_processors.setup_step",
            ],
        },
    },
]

# <select>s written in Python rather than one template include per option (core.formrenderer).
FORM_RENDERER = "mamori.core.formrenderer.QuickSelectRenderer"

# --- database ---------------------------------------------------------------------------

# How long one statement waits for a lock another transaction holds, and runs at most, in
# seconds (0: no limit). A request that would wait longer gets "busy, try again" (503,
# core.middleware.BusyDatabaseMiddleware) instead of hanging. PostgreSQL applies both per
# connection; SQLite has one setting, the wait for its single write lock. The longest
# write transaction is an import's write step (its rows are checked before it: core.io),
# about a second per few thousand rows; 20 s leaves room for the largest import.
DB_LOCK_TIMEOUT = float(os.environ.get("MAMORI_DB_LOCK_TIMEOUT", "20"))
DB_STATEMENT_TIMEOUT = float(os.environ.get("MAMORI_DB_STATEMENT_TIMEOUT", "120"))

if os.environ.get("DATABASE_URL"):
    DATABASES = {"default": dj_database_url.parse(os.environ["DATABASE_URL"], conn_max_age=60)}
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        _options = DATABASES["default"].setdefault("OPTIONS", {})
        _options["options"] = " ".join(filter(None, [
            _options.get("options", ""),
            f"-c lock_timeout={int(DB_LOCK_TIMEOUT * 1000)}",
            f"-c statement_timeout={int(DB_STATEMENT_TIMEOUT * 1000)}"]))
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": DATA_DIR / "mamori.sqlite3",
            "OPTIONS": {
                # IMMEDIATE takes the write lock when a transaction starts, so two writers never
                # both read the change-log head and then collide; WAL lets readers continue.
                "transaction_mode": "IMMEDIATE",
                "timeout": DB_LOCK_TIMEOUT,
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
                ),
            },
            # Tests use a file too, as production does: an in-memory database cannot show
            # concurrent writers (WAL, IMMEDIATE transactions) or serve other processes.
            "TEST": {"NAME": str(DATA_DIR / "test.sqlite3")},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# A database cache is shared by every gunicorn worker and host, which login rate limiting needs.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "mamori_cache",
    }
}

# --- authentication ---------------------------------------------------------------------

AUTH_USER_MODEL = "core.User"
PASSWORD_HASHERS = [
    # argon2id (Django's parameters), at most MAMORI_HASH_CONCURRENCY hashes at once per
    # process, so a login rush waits instead of exhausting memory (mamori.core.hashers).
    "mamori.core.hashers.BoundedArgon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "core:home"  # routes each role to its start page
ACCOUNT_ADAPTER = "mamori.core.auth.ClosedAccountAdapter"
ACCOUNT_LOGIN_METHODS = {"username"}
ACCOUNT_SIGNUP_FIELDS = ["username*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_SESSION_REMEMBER = False
# A password-reset request for an address no account has sends nothing (allauth would mail
# "no account" to any address typed in, confirming which addresses have accounts).
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = False
# Failed logins are limited per IP and per account (allauth's limiter, on the shared cache).
ACCOUNT_RATE_LIMITS = {
    "login_failed": os.environ.get("MAMORI_LOGIN_RATE_LIMIT", "10/m/ip,5/5m/key"),
}
# The limits are per client address. Behind reverse proxies, name them here (addresses or
# networks): their X-Forwarded-For header then gives the client's address (the right-most one
# that is not a trusted proxy); from anyone else the header is ignored (mamori.core.clientip).
MAMORI_TRUSTED_PROXIES = [
    p.strip() for p in os.environ.get("MAMORI_TRUSTED_PROXIES", "").split(",") if p.strip()
]
for _proxy in MAMORI_TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy, strict=False)
    except ValueError as _error:
        raise ImproperlyConfigured(
            f"MAMORI_TRUSTED_PROXIES: {_proxy!r} is not an IP address or network") from _error
MAMORI_CLIENT_IP_HEADER = os.environ.get("MAMORI_CLIENT_IP_HEADER", "X-Forwarded-For")
MAMORI_HASH_CONCURRENCY = int(os.environ.get("MAMORI_HASH_CONCURRENCY", "1"))
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Mamori"

# --- internationalisation ---------------------------------------------------------------

LANGUAGE_CODE = os.environ.get("MAMORI_LANGUAGE", "ja")
LANGUAGES = [("ja", _("Japanese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("MAMORI_TIME_ZONE", "Asia/Tokyo")
USE_I18N = True
USE_TZ = True

# --- static files -----------------------------------------------------------------------

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # whitenoise expects it, even before collectstatic
# `mamori serve` collects static files into the data directory, with hashed names for
# caching; until that has happened (tests, `runserver`) they are served from the app folders.
_MANIFEST = (STATIC_ROOT / "staticfiles.json").exists()
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage",
                "OPTIONS": {"location": DATA_DIR / "media"}},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
                    if _MANIFEST else "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = not _MANIFEST
WHITENOISE_AUTOREFRESH = DEBUG

# --- HTTPS and security headers ---------------------------------------------------------

# Mamori serves HTTPS itself. MAMORI_BEHIND_PROXY=1 trusts X-Forwarded-Proto from a
# TLS-terminating proxy instead.
HTTPS = env_bool("MAMORI_HTTPS", True)
if env_bool("MAMORI_BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
# A refused form is explained in the site's layout and language (core.views.errors).
CSRF_FAILURE_VIEW = "mamori.core.views.errors.csrf_failure"
# Two years: what Mamori's own default TLS profile (Mozilla "intermediate") asks of a site.
SECURE_HSTS_SECONDS = int(os.environ.get("MAMORI_HSTS_SECONDS", "63072000")) if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = False
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SECURE = HTTPS
LANGUAGE_COOKIE_HTTPONLY = True  # read by the server only; no script needs it
LANGUAGE_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 8 * 3600
X_FRAME_OPTIONS = "DENY"
# Production deploys usually use a real certificate; with the embedded CA, the operator knows
# the preload list would not apply.
SILENCED_SYSTEM_CHECKS = ["security.W021"]

# --- REST API ---------------------------------------------------------------------------

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "mamori.core.api.authentication.HashedTokenAuthentication",
        "mamori.core.api.authentication.GatedSessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": [
        "mamori.core.api.filters.SchemaStrictFilterBackend",
        "mamori.core.api.ordering.ExposedFieldOrdering",
    ],
    "DEFAULT_PAGINATION_CLASS": "mamori.core.api.pagination.LimitOffsetPagination",
    # JSON only: form encodings cannot express null and would blur the schema.
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Mamori API",
    "DESCRIPTION": "ISMS records of Mamori. Authenticate with `Authorization: Token <token>`.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "mamori.core.api.schema.add_error_responses",
    ],
    "ENUM_NAME_OVERRIDES": {
        "PersonStatusEnum": "mamori.org.models.Person.Status",
        "PersonCategoryEnum": "mamori.org.models.Person.Category",
        "ConformanceStatusEnum": ["pass", "fail", "n/a"],
        "TlsScanKindEnum": "mamori.websec.models.TlsScan.Kind",
        "TlsScanStatusEnum": "mamori.websec.models.TlsScan.Status",
        "IncidentSeverityEnum": "mamori.incidents.models.Severity",
        "NonconformityStatusEnum": "mamori.improvement.models.Nonconformity.Status",
        "NonconformitySeverityEnum": "mamori.improvement.models.Nonconformity.Severity",
        "ImprovementActionStatusEnum": "mamori.improvement.models.ImprovementAction.Status",
        "FindingSourceEnum": "mamori.improvement.models.Source",
        "AuditStatusEnum": "mamori.audits.models.Audit.Status",
        "EvidenceRequestStatusEnum": "mamori.audits.models.EvidenceRequest.Status",
        "CourseKindEnum": "mamori.training.models.Course.Kind",
        "AssignmentStatusEnum": "mamori.training.models.Assignment.Status",
        "CompletionSourceEnum": "mamori.training.models.Completion.Source",
        "ProgrammeRecurrenceEnum": "mamori.training.models.Programme.Recurrence",
        "ProgrammeRoleEnum": "mamori.training.models.Programme.Role",
        "ContractorStatusEnum": "mamori.contractors.models.Contractor.Status",
        "SubcontractingStatusEnum": "mamori.contractors.models.Subcontracting.Status",
        "TierEnum": "mamori.contractors.models.Tier",
        "SecurityLevelEnum": "mamori.contractors.models.LEVEL_CHOICES",
    },
}
MAMORI_API_TOKEN_DAYS = int(os.environ.get("MAMORI_API_TOKEN_DAYS", "90"))
# Identity-provider groups that give their members a system role, as JSON: {"Mamori auditors":
# "auditor"} (identity.scim.groups; names compared without regard to case). Only the auditor
# role can be given so: provisioning never makes an administrator (identity.checks).
MAMORI_GROUP_ROLES = json.loads(os.environ.get("MAMORI_GROUP_ROLES", "{}"))

# Art 2: share of people in scope who must have acknowledged the current basic policy.
MAMORI_ACKNOWLEDGEMENT_THRESHOLD = float(
    os.environ.get("MAMORI_ACKNOWLEDGEMENT_THRESHOLD", "95"))

# --- background tasks -------------------------------------------------------------------

# A task RUNNING longer than this is taken as abandoned by a dead worker (core.taskhealth):
# set it above the longest task (scans run in batches under their own hard timeout).
MAMORI_TASK_STUCK_MINUTES = int(os.environ.get("MAMORI_TASK_STUCK_MINUTES", "30"))

# An uploaded file of more rows is imported by a worker, its progress shown to the uploader
# (core.imports): checking runs at a few hundred rows a second, longer than a request may take.
MAMORI_IMPORT_BACKGROUND_ROWS = int(os.environ.get("MAMORI_IMPORT_BACKGROUND_ROWS", "2000"))
# An import writing this many rows refreshes the planner statistics of its tables (core.dbstats).
MAMORI_ANALYZE_AFTER_ROWS = int(os.environ.get("MAMORI_ANALYZE_AFTER_ROWS", "1000"))

TASKS = {
    "default": {
        "BACKEND": os.environ.get("MAMORI_TASK_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}

# --- e-mail -----------------------------------------------------------------------------

EMAIL_BACKEND = os.environ.get(
    "DJANGO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
)
DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_DEFAULT_FROM_EMAIL", "mamori@localhost")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("MAMORI_LOG_LEVEL", "WARNING")},
}
