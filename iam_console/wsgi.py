"""WSGI entry point (gunicorn iam_console.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "iam_console.settings")
application = get_wsgi_application()

# A database created under another credential key stops the worker from booting, and gunicorn with it.
from iam_console.credential_key import refuse_to_start_on_mismatch  # noqa: E402

refuse_to_start_on_mismatch()
