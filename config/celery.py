import os

from celery import Celery
from celery.signals import worker_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("jemputbola")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_init.connect
def _preload_drawing(**_kwargs) -> None:
    """Tasks draw charts and PDFs: their libraries are loaded once, before any task runs, not by
    two pool threads at once (outreach/reports.py, `preload`)."""
    from outreach.reports import preload

    preload()
