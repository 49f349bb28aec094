"""The one settings module, read from the environment, in fresh interpreters."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PROBE = (
    "import json, django; from django.conf import settings; django.setup();"
    "from config.celery import app;"
    "print(json.dumps({'engine': settings.DATABASES['default']['ENGINE'],"
    " 'name': str(settings.DATABASES['default']['NAME']),"
    " 'cache': settings.CACHES['default']['BACKEND'],"
    " 'eager': app.conf.task_always_eager, 'broker': app.conf.broker_url,"
    " 'debug': settings.DEBUG, 'tz': settings.TIME_ZONE, 'lang': settings.LANGUAGE_CODE}))"
)


def settings_with(**env) -> dict:
    unset = {"DATABASE_URL", "REDIS_URL", "DJANGO_DEBUG", "DJANGO_SECRET_KEY", "NIK_HMAC_KEYS", "NIK_HMAC_KEYS_FILE"}
    clean = {k: v for k, v in os.environ.items() if k not in unset}
    clean.update(env, DJANGO_SETTINGS_MODULE="config.settings")
    result = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, env=clean, capture_output=True, text=True)
    if result.returncode:
        return {"error": result.stderr}
    return json.loads(result.stdout)


def test_the_embedded_default_is_sqlite_and_eager_celery():
    found = settings_with()
    assert found["engine"] == "django.db.backends.sqlite3"
    assert found["cache"].endswith("LocMemCache")
    assert found["eager"] is True
    assert found["debug"] is True
    assert (found["tz"], found["lang"]) == ("Asia/Jakarta", "id")


def test_database_url_and_redis_url_switch_to_postgresql_and_a_real_broker():
    found = settings_with(
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/jemputbola", REDIS_URL="redis://127.0.0.1:6379/3"
    )
    assert found["engine"] == "django.db.backends.postgresql"
    assert found["name"] == "jemputbola"
    assert found["cache"] == "django_redis.cache.RedisCache"
    assert found["eager"] is False
    assert found["broker"] == "redis://127.0.0.1:6379/3"


def test_secrets_have_no_default_outside_debug():
    found = settings_with(DJANGO_DEBUG="0")
    assert "DJANGO_SECRET_KEY" in found["error"]
    found = settings_with(DJANGO_DEBUG="0", DJANGO_SECRET_KEY="x" * 50)
    assert "NIK_HMAC_KEYS" in found["error"]
    found = settings_with(
        DJANGO_DEBUG="0", DJANGO_SECRET_KEY="x" * 50, DJANGO_ALLOWED_HOSTS="jemputbola.example", NIK_HMAC_KEYS="k1:rahasia"
    )
    assert found["debug"] is False


def test_the_test_run_uses_what_the_environment_says(settings):
    expected = "postgresql" if os.environ.get("DATABASE_URL") else "sqlite3"
    assert settings.DATABASES["default"]["ENGINE"].endswith(expected)


@pytest.mark.skipif(not os.environ.get("DATABASE_URL"), reason="butuh PostgreSQL (DATABASE_URL); SQLite tidak punya opclass indeks")
def test_the_region_code_has_one_prefix_index_on_postgresql(db):
    """Subtrees are LIKE '33.24.%': one varchar_pattern_ops index on the code serves them (the one
    Django adds to a unique CharField), and no duplicate of it is paid on every region write."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "select indexname from pg_indexes where tablename = 'regions_region' and indexdef like %s",
            ["%(code varchar_pattern_ops)%"],
        )
        found = cursor.fetchall()
        cursor.execute("set local enable_seqscan = off")  # the test database holds a handful of rows
        cursor.execute("explain select id from regions_region where code like '33.24.%%'")
        plan = " ".join(row[0] for row in cursor.fetchall())
    assert len(found) == 1
    assert found[0][0] in plan
