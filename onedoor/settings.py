"""OneDoor settings. The environment is read here, and only here.

Every value a deployment may change is an environment variable with a safe local default, so that
`make run` works on a fresh machine and production sets what it must.
"""

from pathlib import Path

import django_stubs_ext
import environ

# Lets the classes django-stubs makes generic (ModelAdmin, ModelForm, QuerySet, ...) be subscripted at run time.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("ONEDOOR_DEBUG", default=False)
SECRET_KEY = env.str("ONEDOOR_SECRET_KEY", default="insecure-local-only-change-me")
# The keys of the matching hashes (repeat victims, recent offers, invalid contacts, restrictions): their
# own secret, not SECRET_KEY, so that either can rotate (docs/data-protection.md, ADR 0026). The first is
# current; any after it are previous keys, still recognised until `manage.py rekey_hashes` has rewritten
# the stored hashes. Unset, it is SECRET_KEY alone, which is what every hash before the setting used.
ONEDOOR_MATCH_KEYS: list[str] = env.list("ONEDOOR_MATCH_KEYS", default=[]) or [SECRET_KEY]
ALLOWED_HOSTS = env.list("ONEDOOR_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("ONEDOOR_CSRF_TRUSTED_ORIGINS", default=[])

# The area this deployment serves: a bundled area's name (onedoor/areas/<name>.json) or the path to an
# area file. Everything that differs between areas is in that file (docs/areas.md).
ONEDOOR_AREA = env.str("ONEDOOR_AREA", default="warwickshire")
ONEDOOR_PUBLIC_URL: str = env.str("ONEDOOR_PUBLIC_URL", default="http://127.0.0.1:8000")
# Two-factor authentication is required for every role except referrer. Switching it off is for
# automated tests of unrelated behaviour only.
ONEDOOR_REQUIRE_2FA = env.bool("ONEDOOR_REQUIRE_2FA", default=True)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_tasks",
    "django_tasks_db",
    "ninja",
    "onedoor.casework",
    "onedoor.core",
    "onedoor.accounts",
    "onedoor.directory",
    "onedoor.referrals",
    "onedoor.insights",
    "onedoor.messaging",
    "onedoor.police",
    "onedoor.public",
    "onedoor.privacy",
    "onedoor.areas",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "onedoor.core.outage.DatabaseOutageMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "onedoor.core.headers.NoStoreMiddleware",  # every page: Cache-Control no-store (ADR 0010)
    "onedoor.core.middleware.RequestOriginMiddleware",
    "onedoor.accounts.middleware.RequireTwoFactorMiddleware",
    "onedoor.core.access.DenyByDefaultMiddleware",
]

ROOT_URLCONF = "onedoor.urls"
WSGI_APPLICATION = "onedoor.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "onedoor" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "onedoor.core.context_processors.onedoor",
                "onedoor.areas.current.area",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False

# --- Serving: the embedded SQLite default, and static files (docs/deployment.md, ADR 0007) ---------------
# SQLite under concurrent use: write-ahead logging lets readers carry on while one writer writes; every
# write transaction takes the write lock when it begins (IMMEDIATE), so two writers queue behind the busy
# timeout instead of one failing with "database is locked" on upgrade; NORMAL sync is safe under WAL.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].update(
        {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
# Static files are served by WhiteNoise from STATIC_ROOT (`manage.py collectstatic`), with debug off too.
# In production the file names carry a hash of their content, so they are cached for a year.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if env.str("ONEDOOR_ENV", default="development") == "production"
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# How long an API Idempotency-Key or a form's one-time token is remembered (onedoor/core/submissions.py).
ONEDOOR_SUBMISSION_KEY_HOURS = env.int("ONEDOOR_SUBMISSION_KEY_HOURS", default=24)
# --- end of serving --------------------------------------------------------------------------------------

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True
# The public pages are translated; translations wait for a native speaker's review (see the admin).
LANGUAGES = [("en-gb", "English"), ("pl", "Polski"), ("pa", "ਪੰਜਾਬੀ"), ("ur", "اردو"), ("ro", "Română")]
LOCALE_PATHS = [BASE_DIR / "onedoor" / "locale"]

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [
    BASE_DIR / "onedoor" / "static",
    BASE_DIR / "node_modules" / "govuk-frontend" / "dist",
]

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 8 * 60 * 60
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

EMAIL_BACKEND = env.str("ONEDOOR_EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env.str("ONEDOOR_FROM_EMAIL", default="onedoor@localhost")

TASKS = {
    "default": {
        "BACKEND": env.str("ONEDOOR_TASK_BACKEND", default="django_tasks_db.DatabaseBackend"),
    }
}

# Shared by every web process, so that per-IP rate limits hold however many processes serve the site:
# a table in the database by default (`manage.py createcachetable`), or Redis with ONEDOOR_CACHE_URL=redis://...
CACHES = {"default": env.cache("ONEDOOR_CACHE_URL", default="dbcache://onedoor_cache")}

# The proxies in front of OneDoor (load balancer, TLS terminator), as IP addresses or CIDR networks,
# comma-separated: ONEDOOR_TRUSTED_PROXIES=10.0.0.0/8,192.0.2.7. Only a request that arrives from one of
# them has its X-Forwarded-For believed, read from the right past each trusted proxy
# (onedoor.core.middleware.client_address). Empty, the default, means no proxy: the connecting address is
# the client's and X-Forwarded-For is ignored. Behind a proxy, leaving it empty makes every visitor look
# like the proxy, so that the whole area shares one rate limit.
ONEDOOR_TRUSTED_PROXIES = env.list("ONEDOOR_TRUSTED_PROXIES", default=[])
# Every rate limit by address goes through that one function, django-ratelimit's "ip" key included.
RATELIMIT_IP_META_KEY = "onedoor.core.middleware.client_address"
# Public rate limits (docs/directory.md): counts of accepted submissions, "number/period" (s, m, h, d).
# Per address, high enough for a shared connection (a refuge, a library, a mobile network) ...
ONEDOOR_SELF_REFERRAL_ADDRESS_RATE = env.str("ONEDOOR_SELF_REFERRAL_ADDRESS_RATE", default="30/h")
# ... and per phone number and per email address given, so that one person cannot flood a queue or be
# made the target of repeated referrals.
ONEDOOR_SELF_REFERRAL_CONTACT_RATE = env.str("ONEDOOR_SELF_REFERRAL_CONTACT_RATE", default="3/d")
ONEDOOR_FEEDBACK_ADDRESS_RATE = env.str("ONEDOOR_FEEDBACK_ADDRESS_RATE", default="20/h")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    # Django's request loggers print the path of a 4xx; a sign-in link's token is written "[redacted]".
    "filters": {"secret_paths": {"()": "onedoor.core.access_log.RedactSecretPaths"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["secret_paths"]}},
    "root": {"handlers": ["console"], "level": env.str("ONEDOOR_LOG_LEVEL", default="INFO")},
    # WeasyPrint (the PDF report) warns about every screen-only rule of the stylesheet; its errors (a URL the
    # PDF may not load, an image that failed) are kept.
    "loggers": {"django.db.backends": {"level": "WARNING"}, "weasyprint": {"level": "ERROR"}},
}

OTP_TOTP_ISSUER = "OneDoor"
# No admin page shows an authenticator's secret or QR code: whoever saw it could sign in as its owner.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

# Messages to victims (onedoor.messaging). The file backend writes an outbox and sends nothing.
ONEDOOR_MESSAGE_BACKEND = env.str("ONEDOOR_MESSAGE_BACKEND", default="onedoor.messaging.backends.FileBackend")
ONEDOOR_MESSAGE_OUTBOX = env.str("ONEDOOR_MESSAGE_OUTBOX", default=str(BASE_DIR / "var" / "outbox.jsonl"))
ONEDOOR_NOTIFY_API_KEY = env.str("ONEDOOR_NOTIFY_API_KEY", default="")
ONEDOOR_NOTIFY_BASE_URL = env.str("ONEDOOR_NOTIFY_BASE_URL", default="https://api.notifications.service.gov.uk")
ONEDOOR_NOTIFY_CALLBACK_TOKEN = env.str("ONEDOOR_NOTIFY_CALLBACK_TOKEN", default="")
ONEDOOR_NOTIFY_RATE_PER_MINUTE = env.int("ONEDOOR_NOTIFY_RATE_PER_MINUTE", default=3000)
# How long a sign-in link works, in seconds. Using it once makes it stop working.
ONEDOOR_SIGN_IN_LINK_SECONDS = env.int("ONEDOOR_SIGN_IN_LINK_SECONDS", default=3 * 24 * 60 * 60)

# -- Sign-in: throttling, lockout and session limits (docs/accounts.md, ADR 0005) ----------------------
# django-axes counts failed password sign-ins per account and, separately, per client address (the same
# address the audit log records, onedoor.core.middleware.client_address). Either reaching the limit
# refuses sign-in until the cool-off has passed since the last failure; `manage.py unlock_sign_in`
# lifts a lockout sooner. The account is counted by a keyed hash of what was typed, never the text.
INSTALLED_APPS += ["axes"]
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_FAILURE_LIMIT = env.int("ONEDOOR_SIGN_IN_FAILURE_LIMIT", default=10)
ONEDOOR_SIGN_IN_COOLOFF_MINUTES = env.int("ONEDOOR_SIGN_IN_COOLOFF_MINUTES", default=15)
AXES_COOLOFF_TIME = "onedoor.accounts.throttle.cool_off"
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_CLIENT_IP_CALLABLE = "onedoor.core.middleware.client_address"
AXES_USERNAME_CALLABLE = "onedoor.accounts.throttle.axes_username"
AXES_LOCKOUT_CALLABLE = "onedoor.accounts.views.locked_out"
AXES_SENSITIVE_PARAMETERS = ["username", "password", "ip_address", "new_password1", "new_password2"]
AXES_DISABLE_ACCESS_LOG = True  # successful sign-ins are in OneDoor's own audit log
AXES_ENABLE_ADMIN = False  # lockouts are lifted with `manage.py unlock_sign_in`, which audits it
# Asking for a sign-in link or a password reset: per client address and per (hashed) email address.
ONEDOOR_ACCOUNT_EMAIL_RATE_PER_ADDRESS = env.str("ONEDOOR_ACCOUNT_EMAIL_RATE_PER_ADDRESS", default="10/h")
ONEDOOR_ACCOUNT_EMAIL_RATE_PER_EMAIL = env.str("ONEDOOR_ACCOUNT_EMAIL_RATE_PER_EMAIL", default="3/h")
# A signed-in session ends after this long without a request, and at SESSION_COOKIE_AGE after sign-in
# however busy it is (onedoor.accounts.middleware.SessionTimeoutMiddleware).
ONEDOOR_IDLE_TIMEOUT_MINUTES = env.int("ONEDOOR_IDLE_TIMEOUT_MINUTES", default=30)
PASSWORD_RESET_TIMEOUT = env.int("ONEDOOR_PASSWORD_RESET_SECONDS", default=60 * 60)
MIDDLEWARE += ["onedoor.accounts.middleware.SessionTimeoutMiddleware", "axes.middleware.AxesMiddleware"]
# The largest police transfer file accepted, in megabytes, by the upload page and the API alike. A
# national year is about 5.8 million rows of roughly 250 bytes; one force's overnight file is far smaller.
ONEDOOR_POLICE_UPLOAD_MAX_MB = env.int("ONEDOOR_POLICE_UPLOAD_MAX_MB", default=200)
# Background work (onedoor/core/worker.py, docs/messaging.md, ADR 0008).
# Rollups the insights refresh brings up to date at once, each on its own database connection (PostgreSQL
# only): a worker's refresh uses this many of the database's cores for a few seconds every five minutes.
ONEDOOR_ROLLUP_REFRESH_WORKERS = env.int("ONEDOOR_ROLLUP_REFRESH_WORKERS", default=2)
# A running task whose worker has sent no heartbeat for this long is given back to the queue.
ONEDOOR_TASK_STUCK_SECONDS = env.int("ONEDOOR_TASK_STUCK_SECONDS", default=300)
# A message claimed for sending by a worker that died is free to claim again after this long.
ONEDOOR_MESSAGE_CLAIM_SECONDS = env.int("ONEDOOR_MESSAGE_CLAIM_SECONDS", default=300)
# Messages one worker sends at a time. Each one in flight when a worker is killed may be sent twice.
ONEDOOR_SEND_CONCURRENCY = env.int("ONEDOOR_SEND_CONCURRENCY", default=1)
# /health/ready answers 503 when the oldest due message has waited longer than this, or this many tasks failed.
ONEDOOR_BACKLOG_MAX_AGE_SECONDS = env.int("ONEDOOR_BACKLOG_MAX_AGE_SECONDS", default=30 * 60)
# Finished background tasks are pruned by the worker after this many days (failed ones kept longer).
ONEDOOR_TASK_RESULTS_KEEP_DAYS = env.int("ONEDOOR_TASK_RESULTS_KEEP_DAYS", default=14)
ONEDOOR_FAILED_TASK_RESULTS_KEEP_DAYS = env.int("ONEDOOR_FAILED_TASK_RESULTS_KEEP_DAYS", default=30)
ONEDOOR_BACKLOG_MAX_FAILED_TASKS = env.int("ONEDOOR_BACKLOG_MAX_FAILED_TASKS", default=10)
# --- Security headers and production settings (ADR 0006) -------------------------------------------------
# ONEDOOR_ENV=production switches on secure defaults and refuses to start with DEBUG on or without a
# real secret key. Every default below can still be set by its own variable.
from django.core.exceptions import ImproperlyConfigured  # noqa: E402

ONEDOOR_ENV = env.str("ONEDOOR_ENV", default="development")
if ONEDOOR_ENV not in ("development", "production"):
    raise ImproperlyConfigured(f"ONEDOOR_ENV must be 'development' or 'production', not {ONEDOOR_ENV!r}.")
PRODUCTION = ONEDOOR_ENV == "production"
DEFAULT_SECRET_KEY = "insecure-local-only-change-me"  # noqa: S105 - the value production refuses
if PRODUCTION:
    if DEBUG:
        raise ImproperlyConfigured(
            "ONEDOOR_DEBUG is on and ONEDOOR_ENV=production: debug pages show settings and code to anyone. "
            "Unset ONEDOOR_DEBUG."
        )
    if SECRET_KEY in ("", DEFAULT_SECRET_KEY) or SECRET_KEY.startswith("django-insecure-"):
        raise ImproperlyConfigured(
            "ONEDOOR_SECRET_KEY is not set (or is the local default) and ONEDOOR_ENV=production. Set it to a "
            "long random value, for example the output of: "
            "python -c 'from django.core.management.utils import get_random_secret_key as k; print(k())'"
        )

# Cookies only over HTTPS. HSTS tells browsers to use HTTPS for a year; ONEDOOR_HSTS_PRELOAD is a decision
# for the owner of the whole domain (preloading covers every subdomain), so it is off unless set.
SESSION_COOKIE_SECURE = env.bool("ONEDOOR_SECURE_COOKIES", default=PRODUCTION)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = env.int("ONEDOOR_HSTS_SECONDS", default=365 * 24 * 60 * 60 if PRODUCTION else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("ONEDOOR_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("ONEDOOR_HSTS_PRELOAD", default=False)
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
# Plain-HTTP requests are redirected to HTTPS. Behind a proxy that terminates TLS, set
# ONEDOOR_BEHIND_TLS_PROXY=1 so that X-Forwarded-Proto: https counts as secure (the proxy must set that
# header itself and strip any the client sent); set ONEDOOR_SSL_REDIRECT=0 only if the proxy redirects.
SECURE_SSL_REDIRECT = env.bool("ONEDOOR_SSL_REDIRECT", default=PRODUCTION)
SECURE_REDIRECT_EXEMPT = env.list("ONEDOOR_SSL_REDIRECT_EXEMPT", default=[])
if env.bool("ONEDOOR_BEHIND_TLS_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Content Security Policy (django-csp 4): only this site's own scripts, styles, images and fonts; no
# inline script or style anywhere, so no 'unsafe-inline'. Pages that need more say so per view.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
# Powerful browser features: none are used, so none are allowed, for this site or anything it embeds.
PERMISSIONS_POLICY: dict[str, list[str]] = {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "encrypted-media",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "usb",
    )
}
INSTALLED_APPS += ["csp"]
# After SecurityMiddleware (HTTPS redirect first), before sessions: the headers go on every response, and
# input that cannot be stored is refused before a session or a view looks anything up.
_after_security = MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1
MIDDLEWARE[_after_security:_after_security] = [
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "onedoor.core.input_guard.RefuseUnstorableInputMiddleware",
]
