"""Settings of the gunicorn that `manage.py benchmark` starts (DJANGO_SETTINGS_MODULE): the
project's own, with `bench_urls` as the URLconf. Never deployed."""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "outreach.management.bench_urls"
