"""Test settings: a throw-away data dir, a generated key ring, loopback targets allowed."""

import ipaddress
import os
import tempfile

os.environ.setdefault("BEATBOX_DATA_DIR", tempfile.mkdtemp(prefix="beatbox-test-data-"))
if "BEATBOX_CREDENTIAL_KEYS" not in os.environ:
    import base64
    import secrets

    os.environ["BEATBOX_CREDENTIAL_KEYS"] = base64.urlsafe_b64encode(
        secrets.token_bytes(32)).decode()

from beatbox.settings import *  # noqa: E402,F403

# A recording fake: enqueued tasks are kept, and tests run them on purpose.
TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
BEATBOX_PROBE_ALLOWED_NETWORKS = [ipaddress.ip_network("127.0.0.0/8"),
                                  ipaddress.ip_network("::1/128")]
BEATBOX_PROBE_DEADLINE = 10.0
BEATBOX_PROBE_TIMEOUT = 5.0
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# aiosmtpd (the fake provider in tests) logs every SMTP line at INFO.
LOGGING["loggers"]["mail.log"] = {"level": "WARNING"}  # noqa: F405
# One in-memory test database: fetch rounds run in the test's own thread (parallel sessions
# are tested in test_fetch_crash.py against a database file).
BEATBOX_FETCH_CONCURRENCY = 1
