"""Clientela's one settings module: every value from CLIENTELA_* variables or a desktop default."""

from __future__ import annotations

from pathlib import Path

from django.utils.translation import gettext_lazy as _

from clientela import config

BASE_DIR = Path(__file__).resolve().parent

MODE = config.mode()
SERVER_MODE = MODE == "server"
DATA_DIR = config.data_dir()

SECRET_KEY = config.secret_key(DATA_DIR)
DEBUG = config.env_bool("CLIENTELA_DEBUG", False)
ALLOWED_HOSTS = config.env_list("CLIENTELA_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = config.env_list("CLIENTELA_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "clientela.core",
    "clientela.users",
    "clientela.security",
    "clientela.customers",
    "clientela.activities",
    "clientela.deals",
    "clientela.projects",
    "clientela.orders",
    "clientela.tickets",
    # Before django.contrib.admin: its admin/index.html adds the Backups link to Settings.
    "clientela.dataio",
    "clientela.jobs",
    "clientela.notifications",
    "clientela.api",
    "clientela.webhooks",
    "clientela.channels",
    "clientela.workspace",
    "clientela.analytics",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.admin",
    "django.contrib.humanize",
    "django_htmx",
    "heroicons",
    "axes",
    # django-ninja's templates and the Swagger UI files it ships: the docs page uses them
    # instead of a CDN when the app is installed.
    "ninja",
]

MIDDLEWARE = [
    # First: proxy headers from a peer that is not a trusted proxy are dropped before
    # anything reads them (the HTTPS redirect, the client's address).
    "clientela.core.proxies.ProxyHeadersMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "clientela.security.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # The person's own language over the browser's, once they are known.
    "clientela.users.middleware.UserLanguageMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "clientela.security.middleware.TwoFactorRequiredMiddleware",
    "clientela.core.audit.AuditMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as django-axes asks: turns a lockout flagged during the view into its page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "clientela.urls"
WSGI_APPLICATION = "clientela.wsgi.application"
ASGI_APPLICATION = "clientela.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "clientela.core.context_processors.navigation",
                "clientela.notifications.context_processors.bell",
                "clientela.activities.context_processors.timer",
            ],
        },
    },
]

# Databases ---------------------------------------------------------------------------
_database = config.database(DATA_DIR)
DATABASES = {"default": _database.config}
DATABASE_IS_SQLITE = _database.is_sqlite
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Cache: files in the data folder by default, Redis when CLIENTELA_REDIS_URL is set ----
# Either way every process shares it (the web process and the job worker on a desktop):
# what one forgets, such as the events webhooks want, the others forget too.
REDIS_URL = config.env_str("CLIENTELA_REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "clientela",
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(DATA_DIR / "cache"),
        }
    }

# Background jobs: Django's tasks API, queued in the database (django-tasks-db) by
# default and in Redis (RQ through django-tasks-rq) when there is one ----------------
JOBS_BACKEND = config.jobs_backend(REDIS_URL)
INSTALLED_APPS += ["django_tasks", "django_tasks_db"]
if JOBS_BACKEND == "redis":
    INSTALLED_APPS.append("django_rq")
    RQ_QUEUES = {"default": {"URL": REDIS_URL}}
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
else:
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# Extra modules holding jobs, beside every app's tasks.py (a business's own rules).
JOBS_MODULES = config.env_list("CLIENTELA_JOBS_MODULES", [])
# How often an idle database worker looks for a job, and how often the scheduler runs.
JOBS_POLL_SECONDS = config.env_float("CLIENTELA_JOBS_POLL_SECONDS", 1.0)
JOBS_TICK_SECONDS = config.env_float("CLIENTELA_JOBS_TICK_SECONDS", 1.0)
# A worker beats every JOBS_HEARTBEAT_SECONDS; one silent for JOBS_WORKER_TIMEOUT is
# dead, and the jobs it held are run again by another worker.
JOBS_HEARTBEAT_SECONDS = config.env_float("CLIENTELA_JOBS_HEARTBEAT_SECONDS", 5.0)
JOBS_WORKER_TIMEOUT = config.env_float("CLIENTELA_JOBS_WORKER_TIMEOUT", 30.0)

# Notifications: how often an open page asks for the unread count.
NOTIFICATIONS_POLL_SECONDS = config.env_float("CLIENTELA_NOTIFICATIONS_POLL_SECONDS", 15.0)

# Users and login ---------------------------------------------------------------------
AUTH_USER_MODEL = "users.User"
LOGIN_URL = "security:login"
LOGIN_REDIRECT_URL = "workspace:home"
LOGOUT_REDIRECT_URL = "security:login"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
SESSION_COOKIE_AGE = config.env_int("CLIENTELA_SESSION_SECONDS", 60 * 60 * 12)
# A shared or public computer: the login ends when the browser closes.
SESSION_EXPIRE_AT_BROWSER_CLOSE = config.env_bool("CLIENTELA_SESSION_BROWSER_CLOSE", False)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# Login security: the axes backend refuses a locked-out account before the password is
# even checked; ModelBackend does the checking. See clientela.security.
# Axes first, so a locked account is refused before its password is checked; our
# backend then loads the user with role and team in one query.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "clientela.users.backends.UserBackend",
]
CLIENTELA_LOGIN_FAILURES = config.env_int("CLIENTELA_LOGIN_FAILURES", 5)
CLIENTELA_LOCKOUT_MINUTES = config.env_int("CLIENTELA_LOCKOUT_MINUTES", 15)
CLIENTELA_REQUIRE_2FA_FOR_ADMINS = config.env_bool("CLIENTELA_REQUIRE_2FA_FOR_ADMINS", False)
# Read at call time, so the two CLIENTELA_ values above are the only knobs.
AXES_FAILURE_LIMIT = "clientela.security.lockout.failure_limit"
AXES_COOLOFF_TIME = "clientela.security.lockout.cool_off"
# One person mistyping does not lock the account for everyone else, from elsewhere.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# The login form's field is "username" (it holds the e-mail), not User.USERNAME_FIELD.
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "clientela.security.lockout.username"
AXES_CLIENT_IP_CALLABLE = "clientela.core.audit.client_ip"
AXES_LOCKOUT_CALLABLE = "clientela.security.views.locked_out"
AXES_RESET_ON_SUCCESS = True
# The lock ends when the page said it would, however often someone retries meanwhile.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_SENSITIVE_PARAMETERS = ["code", "csrfmiddlewaretoken"]

# Security: HTTPS-only settings are on in server mode and can be turned off for a
# server behind a proxy that speaks plain HTTP to clients (not recommended).
HTTPS = config.env_bool("CLIENTELA_HTTPS", SERVER_MODE)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = config.env_int("CLIENTELA_HSTS_SECONDS", 31536000) if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
BEHIND_PROXY = config.env_bool("CLIENTELA_BEHIND_PROXY", False)
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Proxies whose X-Forwarded-For is believed: the audit trail and login lockout then see the
# client's address, not the proxy's. Addresses or networks; a local proxy by default.
TRUSTED_PROXIES = config.env_list(
    "CLIENTELA_TRUSTED_PROXIES", ["127.0.0.1/32", "::1/128"] if BEHIND_PROXY else []
)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Only the app's own files run: no inline script, no eval, nothing from another origin.
# Styles are the app's stylesheet too; htmx is told not to inject its own (base.html).
# Scripts and styles come from the static files' folder alone (and scripts from the
# admin's translation catalogue): SecurityHeadersMiddleware writes this origin's
# "<scheme>://<host>/static/" for {static} and adds the catalogue for {scripts}, so
# nothing else the app serves, an attached file above all, is ever trusted as code.
CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src {scripts}",
        "style-src {static}",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "media-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
# Powerful browser features the CRM never uses stay off, even for a script that got in.
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()" for feature in ("camera", "microphone", "geolocation", "payment", "usb")
)

# Language, time ----------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("ro", _("Romanian")), ("es", _("Spanish")), ("hi", _("Hindi"))]
# The catalogues of every app, in one place (clientela.core.catalogues makes and compiles them).
LOCALE_PATHS = [BASE_DIR / "locale"]
# Where Django's own format of a language is not what its readers expect (Indian grouping in
# Hindi, the same grouping in Spanish numbers as in its amounts).
FORMAT_MODULE_PATH = ["clientela.core.formats"]
TIME_ZONE = config.env_str("CLIENTELA_TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

# Files -------------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
MEDIA_URL = "media/"
MEDIA_ROOT = DATA_DIR / "uploads"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # WhiteNoise's hashed files, compressed where pages load them (clientela.core.staticfiles).
    "staticfiles": {"BACKEND": "clientela.core.staticfiles.StaticFilesStorage"},
}
BACKUP_DIR = DATA_DIR / "backups"
# Retention of the scheduled backups: the newest of each of the last N days and M weeks.
CLIENTELA_BACKUP_KEEP_DAILY = config.env_int("CLIENTELA_BACKUP_KEEP_DAILY", 7)
CLIENTELA_BACKUP_KEEP_WEEKLY = config.env_int("CLIENTELA_BACKUP_KEEP_WEEKLY", 4)
LOG_DIR = DATA_DIR / "logs"

# E-mail: printed to the console in desktop mode, sent over SMTP when configured ------
EMAIL_HOST = config.env_str("CLIENTELA_EMAIL_HOST", "")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = config.env_int("CLIENTELA_EMAIL_PORT", 587)
    EMAIL_HOST_USER = config.env_str("CLIENTELA_EMAIL_USER", "")
    EMAIL_HOST_PASSWORD = config.env_str("CLIENTELA_EMAIL_PASSWORD", "")
    EMAIL_USE_TLS = config.env_bool("CLIENTELA_EMAIL_TLS", True)
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = config.env_str("CLIENTELA_EMAIL_FROM", "clientela@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Logging: plain lines on stdout for a server's log collector, a rotating file in the
# data folder for a desktop install that has no one watching a terminal.
LOG_LEVEL = config.env_str("CLIENTELA_LOG_LEVEL", "INFO").upper()
_log_handler = (
    {"class": "logging.StreamHandler", "stream": "ext://sys.stdout", "formatter": "plain"}
    if SERVER_MODE
    else {
        "class": "logging.handlers.RotatingFileHandler",
        "filename": str(LOG_DIR / "clientela.log"),
        "maxBytes": 5 * 1024 * 1024,
        "backupCount": 5,
        "encoding": "utf-8",
        "formatter": "plain",
    }
)
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {"main": _log_handler},
    "root": {"handlers": ["main"], "level": LOG_LEVEL},
    "loggers": {
        "django": {"handlers": ["main"], "level": LOG_LEVEL, "propagate": False},
        "waitress": {"handlers": ["main"], "level": LOG_LEVEL, "propagate": False},
    },
}

# API and webhooks --------------------------------------------------------------------
# Requests per minute a token (or a logged-in browser) may make before a 429.
API_RATE_PER_MINUTE = config.env_int("CLIENTELA_API_RATE_PER_MINUTE", 600)
# Requests the public support form takes from one address per hour.
SUPPORT_FORM_RATE_PER_HOUR = config.env_int("CLIENTELA_SUPPORT_FORM_RATE_PER_HOUR", 10)
# How long before a ticket's SLA target its assignee and department lead are warned.
SLA_WARNING_MINUTES = config.env_int("CLIENTELA_SLA_WARNING_MINUTES", 30)
# How many days a satisfaction survey's link stays open after it is sent.
SURVEY_LINK_DAYS = config.env_int("CLIENTELA_SURVEY_LINK_DAYS", 30)
# How long an e-mail sent from the composer waits, so its author can take it back.
MAIL_UNDO_SECONDS = config.env_int("CLIENTELA_MAIL_UNDO_SECONDS", 10)
# Whether a delivered order's customer is asked how satisfied they are, as after a ticket.
SURVEY_AFTER_DELIVERY = config.env_bool("CLIENTELA_SURVEY_AFTER_DELIVERY", True)
# The address customers reach this installation at, for links in e-mails sent by a
# background job (a survey); a page sent from a request uses the request's own address.
PUBLIC_URL = config.env_str("CLIENTELA_PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/")
# A webhook delivery is tried this many times, waiting base * 2^attempt seconds between;
# a subscription whose deliveries failed this many times in a row is switched off.
WEBHOOK_MAX_ATTEMPTS = config.env_int("CLIENTELA_WEBHOOK_MAX_ATTEMPTS", 6)
WEBHOOK_BACKOFF_SECONDS = config.env_float("CLIENTELA_WEBHOOK_BACKOFF_SECONDS", 30.0)
WEBHOOK_DISABLE_AFTER = config.env_int("CLIENTELA_WEBHOOK_DISABLE_AFTER", 20)
WEBHOOK_TIMEOUT_SECONDS = config.env_float("CLIENTELA_WEBHOOK_TIMEOUT_SECONDS", 10.0)

# Messenger channels: the providers' API addresses (a local fake in tests), and how often
# a reply that was not taken is tried again (the wait doubles each time).
TELEGRAM_API_URL = config.env_str("CLIENTELA_TELEGRAM_API_URL", "https://api.telegram.org")
META_GRAPH_URL = config.env_str("CLIENTELA_META_GRAPH_URL", "https://graph.facebook.com/v21.0")
MESSENGER_MAX_ATTEMPTS = config.env_int("CLIENTELA_MESSENGER_MAX_ATTEMPTS", 5)
MESSENGER_BACKOFF_SECONDS = config.env_float("CLIENTELA_MESSENGER_BACKOFF_SECONDS", 30.0)

# Customers ---------------------------------------------------------------------------
# Region used to read phone numbers typed without a country code ("0722 123 456").
PHONE_REGION = config.env_str("CLIENTELA_PHONE_REGION", "RO").upper()
# The currency a new deal starts in (ISO 4217).
DEFAULT_CURRENCY = config.env_str("CLIENTELA_CURRENCY", "RON").upper()[:3]
# Where the day's exchange rates are fetched from every few hours: "" (none: rates are
# entered under Settings → Currencies or through the API) or "ecb" (the European Central
# Bank's reference rates; needs the internet).
EXCHANGE_RATE_SOURCE = config.env_str("CLIENTELA_EXCHANGE_RATE_SOURCE", "").lower()
# A record whose owner logged nothing on it for this many days is flagged stale.
STALE_AFTER_DAYS = config.env_int("CLIENTELA_STALE_DAYS", 30)
# An open deal with nothing logged on it for this many days is flagged stale.
DEAL_STALE_AFTER_DAYS = config.env_int("CLIENTELA_DEAL_STALE_DAYS", 14)
# An order still in the same (unfinished) stage after this many days is flagged stuck.
ORDER_STUCK_AFTER_DAYS = config.env_int("CLIENTELA_ORDER_STUCK_DAYS", 7)
# Records in the trash are deleted for good after this many days.
TRASH_RETENTION_DAYS = config.env_int("CLIENTELA_TRASH_DAYS", 30)
UPLOAD_MAX_BYTES = config.env_int("CLIENTELA_UPLOAD_MAX_MB", 25) * 1024 * 1024
UPLOAD_ALLOWED_EXTENSIONS = config.env_list(
    "CLIENTELA_UPLOAD_EXTENSIONS",
    [
        "pdf",
        "png",
        "jpg",
        "jpeg",
        "gif",
        "webp",
        "txt",
        "csv",
        "doc",
        "docx",
        "xls",
        "xlsx",
        "odt",
        "ods",
        "mp3",
        "wav",
        "ogg",
        "m4a",
        "webm",
        "zip",
        "eml",
    ],
)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Orders ------------------------------------------------------------------------------
# Whether an order may ship before it is paid (cash on delivery, trusted customers).
ORDERS_SHIP_BEFORE_PAYMENT = config.env_bool("CLIENTELA_SHIP_BEFORE_PAYMENT", False)
# The seller's details printed on every invoice: kept in Settings → Seller's details once
# saved there; until then (and as that page's first values) these stand in.
SELLER = {
    "name": config.env_str("CLIENTELA_SELLER_NAME", "Clientela Demo SRL"),
    "tax_id": config.env_str("CLIENTELA_SELLER_TAX_ID", "RO12345678"),
    "registration_number": config.env_str("CLIENTELA_SELLER_REGISTRATION", ""),
    "address": config.env_str("CLIENTELA_SELLER_ADDRESS", "Strada Exemplu 1, Cluj-Napoca"),
    "bank": config.env_str("CLIENTELA_SELLER_BANK", ""),
    "bank_account": config.env_str("CLIENTELA_SELLER_IBAN", ""),
    "email": config.env_str("CLIENTELA_SELLER_EMAIL", ""),
    "payment_days": config.env_int("CLIENTELA_PAYMENT_DAYS", 14),
}

# Import and export -------------------------------------------------------------------
# Uploaded import files are kept here until the import is undone or deleted.
IMPORT_DIR = DATA_DIR / "imports"
IMPORT_MAX_BYTES = config.env_int("CLIENTELA_IMPORT_MAX_MB", 200) * 1024 * 1024
# Bounds every file is checked against (in a job, before its columns are mapped): data
# rows, characters in one cell, and the text an XLSX unpacks to (a small zipped file can
# hold millions of rows or a cell of hundreds of megabytes).
IMPORT_MAX_ROWS = config.env_int("CLIENTELA_IMPORT_MAX_ROWS", 1_000_000)
IMPORT_MAX_CELL_CHARS = config.env_int("CLIENTELA_IMPORT_MAX_CELL_CHARS", 100_000)
IMPORT_MAX_TEXT_BYTES = config.env_int("CLIENTELA_IMPORT_MAX_TEXT_MB", 200) * 1024 * 1024
# Rows written per transaction: a batch is stored whole or not at all.
IMPORT_BATCH_ROWS = config.env_int("CLIENTELA_IMPORT_BATCH_ROWS", 1000)
# A running import silent this long is taken to have stopped, and may be resumed.
IMPORT_STALL_SECONDS = config.env_int("CLIENTELA_IMPORT_STALL_SECONDS", 60)
