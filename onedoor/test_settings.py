"""Test settings: tasks run inline, email stays in memory, hashing is fast."""

from onedoor.settings import *  # noqa: F403

TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
LOGGING = {"version": 1, "disable_existing_loggers": False}

import tempfile  # noqa: E402

ONEDOOR_MESSAGE_OUTBOX = str(Path(tempfile.mkdtemp(prefix="onedoor-outbox-")) / "outbox.jsonl")  # noqa: F405
ONEDOOR_NOTIFY_CALLBACK_TOKEN = "test-callback-token"  # noqa: S105 - tests only
