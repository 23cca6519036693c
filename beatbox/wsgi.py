import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "beatbox.settings")
application = get_wsgi_application()

# Fail at start-up, with a clear message, when the credential key ring is missing or broken,
# rather than on the first request that needs it.
from extmail.crypto import keyring  # noqa: E402

keyring()
