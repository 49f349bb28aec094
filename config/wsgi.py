import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()

# The chart and PDF libraries, which the code imports on first use, are loaded before the first
# request: threads importing them at once can break the import (outreach/reports.py, `preload`).
from outreach.reports import preload  # noqa: E402

preload()

# The objects loaded so far (Django, the apps, their libraries: about 200,000) live as long as
# the worker. Freezing them keeps the garbage collector's full passes from walking them all on
# some request: about 70 ms that made every twentieth page slow (BENCHMARKS.md).
gc.freeze()
