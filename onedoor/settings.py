"""OneDoor settings. The environment is read here, and only here.

Every value a deployment may change is an environment variable with a safe local default, so that
`make run` works on a fresh machine and production sets what it must.
"""

from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("ONEDOOR_DEBUG", default=False)
SECRET_KEY = env.str("ONEDOOR_SECRET_KEY", default="insecure-local-only-change-me")
ALLOWED_HOSTS = env.list("ONEDOOR_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("ONEDOOR_CSRF_TRUSTED_ORIGINS", default=[])

# The area this deployment serves. Its configuration (organisations, services, routing rules) is data.
ONEDOOR_AREA = env.str("ONEDOOR_AREA", default="warwickshire")
ONEDOOR_PUBLIC_URL = env.str("ONEDOOR_PUBLIC_URL", default="http://127.0.0.1:8000")
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
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
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
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].update({"timeout": 20, "transaction_mode": "IMMEDIATE"})

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
SESSION_COOKIE_SECURE = env.bool("ONEDOOR_SECURE_COOKIES", default=False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
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

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("ONEDOOR_LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

OTP_TOTP_ISSUER = "OneDoor"

# Messages to victims (onedoor.messaging). The file backend writes an outbox and sends nothing.
ONEDOOR_MESSAGE_BACKEND = env.str("ONEDOOR_MESSAGE_BACKEND", default="onedoor.messaging.backends.FileBackend")
ONEDOOR_MESSAGE_OUTBOX = env.str("ONEDOOR_MESSAGE_OUTBOX", default=str(BASE_DIR / "var" / "outbox.jsonl"))
ONEDOOR_NOTIFY_API_KEY = env.str("ONEDOOR_NOTIFY_API_KEY", default="")
ONEDOOR_NOTIFY_BASE_URL = env.str("ONEDOOR_NOTIFY_BASE_URL", default="https://api.notifications.service.gov.uk")
ONEDOOR_NOTIFY_CALLBACK_TOKEN = env.str("ONEDOOR_NOTIFY_CALLBACK_TOKEN", default="")
ONEDOOR_NOTIFY_RATE_PER_MINUTE = env.int("ONEDOOR_NOTIFY_RATE_PER_MINUTE", default=3000)
# The service whose contact details the support offer gives.
ONEDOOR_OFFER_SERVICE = env.str("ONEDOOR_OFFER_SERVICE", default="victim-support")
# How long a sign-in link works, in seconds. Using it once makes it stop working.
ONEDOOR_SIGN_IN_LINK_SECONDS = env.int("ONEDOOR_SIGN_IN_LINK_SECONDS", default=3 * 24 * 60 * 60)
