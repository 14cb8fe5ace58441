"""Django settings, read from the environment with safe defaults.

Data lives in HOUSEBOAT_DATA_DIR: the SQLite database, uploaded media and the
keys. DATABASE_URL switches to PostgreSQL. Nothing secret is in this file.
"""

from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF

from houseboat.env import (
    default_data_dir,
    envbool,
    envint,
    envlist,
    envstr,
    prepare_data_dir,
    prepare_sqlite_file,
    read_or_create_secret,
    require_postgresql_driver,
)

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = prepare_data_dir(Path(envstr("HOUSEBOAT_DATA_DIR") or default_data_dir()))

DEBUG = envbool("HOUSEBOAT_DEBUG", False)
SECRET_KEY = envstr("HOUSEBOAT_SECRET_KEY") or read_or_create_secret(DATA_DIR / "secret_key")
ALLOWED_HOSTS = envlist("HOUSEBOAT_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = envlist("HOUSEBOAT_CSRF_TRUSTED_ORIGINS", [])

# The demo always runs on its own throwaway SQLite file, whatever DATABASE_URL says,
# so that trying houseboat can never write demo data into a real install.
DEMO_MODE = envbool("HOUSEBOAT_DEMO", False)

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "csp",
    "houseboat.core",
    "houseboat.campaigns",
    "houseboat.connectors",
    "houseboat.publishing",
    "houseboat.listening",
    "houseboat.safety",
    "houseboat.accountability",
    "houseboat.organizing",
    "houseboat.inbox",
    "houseboat.reports",
    "houseboat.radar",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "houseboat.core.middleware.AccountLanguageMiddleware",
    "houseboat.core.middleware.DigitsMiddleware",
    "houseboat.campaigns.middleware.PublicSiteLanguageMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "houseboat.core.middleware.SessionTrackingMiddleware",
    "houseboat.core.middleware.TwoFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "houseboat.urls"
WSGI_APPLICATION = "houseboat.wsgi.application"
AUTH_USER_MODEL = "core.User"
LOGIN_URL = "core:login"
LOGIN_REDIRECT_URL = "core:home"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "houseboat.core.context_processors.shell",
            ],
            # {{ value|digits }} everywhere: numbers and dates in the reader's digits.
            "builtins": ["houseboat.core.templatetags.digits"],
        },
    },
]


# --- Database ---------------------------------------------------------------

SQLITE_PATH = DATA_DIR / "houseboat.sqlite3"
SQLITE = {
    "ENGINE": "django.db.backends.sqlite3",
    "NAME": SQLITE_PATH,
    "OPTIONS": {
        # WAL lets the web and the worker read while one of them writes; IMMEDIATE
        # takes the write lock at BEGIN, so a busy database waits instead of failing.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    },
}
DATABASE_URL = "" if DEMO_MODE else envstr("DATABASE_URL")
if not DATABASE_URL:
    prepare_sqlite_file(SQLITE_PATH)
if DATABASE_URL:
    DATABASES = {
        "default": dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)
    }
    require_postgresql_driver(DATABASES["default"]["ENGINE"])
else:
    DATABASES = {"default": SQLITE}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"


# --- Authentication -----------------------------------------------------------

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Five wrong passwords for one username from one address lock that pair for 15 minutes.
AXES_FAILURE_LIMIT = envint("HOUSEBOAT_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "houseboat.core.views.auth.locked_out"
# Keep no log of every login (the audit log records what matters) and print no usernames.
AXES_DISABLE_ACCESS_LOG = True
AXES_VERBOSE = False
AXES_IPWARE_PROXY_COUNT = envint("HOUSEBOAT_PROXY_COUNT", 0)

OTP_TOTP_ISSUER = envstr("HOUSEBOAT_TOTP_ISSUER", "houseboat")

SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_AGE = envint("HOUSEBOAT_SESSION_DAYS", 14) * 24 * 3600
SESSION_COOKIE_NAME = "houseboat_session"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_FAILURE_VIEW = "houseboat.core.views.system.csrf_failure"


# --- Transport security ---------------------------------------------------------

# Real teams serve houseboat over HTTPS (directly or behind a proxy), so cookies are
# Secure by default. The demo on 127.0.0.1 turns this off for plain HTTP.
HTTPS = envbool("HOUSEBOAT_HTTPS", not DEMO_MODE)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
# Django sends HSTS only on requests that arrived over TLS.
SECURE_HSTS_SECONDS = envint("HOUSEBOAT_HSTS_SECONDS", 365 * 24 * 3600)
SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("HOUSEBOAT_HSTS_SUBDOMAINS", False)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if envbool("HOUSEBOAT_BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    },
}


# --- Internationalisation ---------------------------------------------------------

LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", "English"),
    ("ar", "العربية"),
    ("es", "Español"),
    ("fa", "فارسی"),
    ("fr", "Français"),
    ("hi", "हिन्दी"),
    ("id", "Bahasa Indonesia"),
    ("ms", "Bahasa Melayu"),
    ("tr", "Türkçe"),
]
# Inside the package, so the wheel ships the catalogues and their compiled .mo files
# (BASE_DIR is houseboat/). scripts/messages makes, checks and compiles them.
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = envstr("HOUSEBOAT_TIME_ZONE", "UTC")
LANGUAGE_COOKIE_SECURE = HTTPS
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
# Where houseboat corrects Django's formats per language (the week's first day).
FORMAT_MODULE_PATH = ["houseboat.formats"]


# --- Static and media files ---------------------------------------------------------

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
# WhiteNoise serves straight from the apps' static folders, so neither the demo nor
# `houseboat serve` needs a collectstatic step.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
MEDIA_ROOT = DATA_DIR / "media"


# --- Logging ---------------------------------------------------------------------

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": envstr("HOUSEBOAT_LOG_LEVEL", "INFO")},
    "loggers": {
        # Request logs would carry URLs with invitation tokens; errors still reach the root.
        "django.request": {"level": "ERROR"},
        "waitress.queue": {"level": "ERROR"},
        # django-axes reports every sign-in at INFO; the audit log already keeps what matters.
        "axes": {"level": "WARNING"},
        # httpx logs each request URL at INFO, and some networks put the token in the
        # URL (Telegram's /bot<token>/); houseboat's own, scrubbed log lines say enough.
        "httpx": {"level": "WARNING"},
        "httpcore": {"level": "WARNING"},
    },
}


# --- houseboat ------------------------------------------------------------------------

# The worker's lanes and the steps each runs on every round, in order. Lanes never
# wait on each other: `houseboat worker` runs each in its own thread, `houseboat worker
# --lane NAME` runs one. An app adds a step by appending its dotted path to a lane in
# its AppConfig.ready() (see core.worker.add_step), or here; a new lane is a new key.
HOUSEBOAT_WORKER_LANES: dict[str, list[str]] = {
    # Urgent: scheduled posts and dead-man statements, never behind an import.
    "dispatch": [
        # Before the dispatcher, so released statements go out in the same round.
        "houseboat.publishing.deadman.release_due",
        "houseboat.publishing.dispatch.dispatch_due",
        # Follow-up messages to supporters, with the dispatcher's guarantees.
        "houseboat.organizing.followups.send_due",
    ],
    # Slow: imports uploaded on the archive's Import page (or queued by the command
    # line), one file per round; exports to come.
    "imports": [
        "houseboat.listening.jobs.run_import_jobs",
    ],
    # Reading from networks: the counts of sent posts now, listening columns next.
    "reading": [
        "houseboat.publishing.metrics.collect_due",
        # The board's columns, each on its own schedule (before the alerts, which then
        # check what the columns brought in, in the same round).
        "houseboat.listening.polling.poll_due",
        # Which of the columns' recent items are gone from their network (deleted).
        "houseboat.listening.columns_watch.watch_gone",
        # Threat, slur and doxxing alerts on the items stored since the last check.
        "houseboat.listening.alerting.check_new_items",
        # A tracked hashtag or the team's mentions far above their usual hour: a pile-on.
        "houseboat.listening.spikes.check_spikes",
        # E-mail that something waits (only with an SMTP server set).
        "houseboat.core.notices.step",
        # New archive items become candidate evidence for demands; deadlines remind.
        "houseboat.accountability.monitoring.watch_archive",
        "houseboat.accountability.monitoring.remind_deadlines",
    ],
    # Tidying up, now and then.
    "housekeeping": [
        "houseboat.core.worker.clear_expired_sessions",
        "houseboat.core.worker.clear_expired_invitations",
        # Unblurred copies of pictures in posts that went out.
        "houseboat.safety.regions.forget_finished",
    ],
}
HOUSEBOAT_INVITATION_DAYS = envint("HOUSEBOAT_INVITATION_DAYS", 7)
# Where the public reaches this install (https://campaigns.example.org), for links to
# own-site posts outside a request; empty: links are relative to the server.
HOUSEBOAT_PUBLIC_URL = envstr("HOUSEBOAT_PUBLIC_URL", "")

# --- E-mail notices -----------------------------------------------------------
# With an SMTP server set, the worker tells people by e-mail that something waits for
# them (a post to approve, an open alert, a dead-man check-in), with a link and no
# content (houseboat.core.notices). Empty host: no e-mail at all.
EMAIL_HOST = envstr("HOUSEBOAT_EMAIL_HOST", "")
EMAIL_PORT = envint("HOUSEBOAT_EMAIL_PORT", 587)
EMAIL_HOST_USER = envstr("HOUSEBOAT_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = envstr("HOUSEBOAT_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = envbool("HOUSEBOAT_EMAIL_USE_TLS", True)
EMAIL_TIMEOUT = 20  # seconds: a stuck mail server must not hold the worker
DEFAULT_FROM_EMAIL = envstr("HOUSEBOAT_EMAIL_FROM", "houseboat@localhost")

SILENCED_SYSTEM_CHECKS = [
    # HSTS for subdomains and the preload list are the domain owner's decision, not ours:
    # set HOUSEBOAT_HSTS_SUBDOMAINS when every subdomain is HTTPS.
    "security.W005",
    "security.W021",
    # The TLS proxy in front of houseboat redirects HTTP to HTTPS; houseboat itself may
    # listen on plain HTTP on 127.0.0.1 behind it.
    "security.W008",
]

if DEMO_MODE and not envstr("EMAIL_HOST"):
    # The demo writes its e-mails (sign-up confirmations, follow-ups) to files in its
    # data folder, so a follow-up can be sent and read without reaching any server.
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = str(DATA_DIR / "demo-outbox")
