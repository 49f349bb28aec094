"""A real Celery worker against Redis builds a weekly summary and e-mails it exactly once.

Runs only with DATABASE_URL (PostgreSQL) and REDIS_URL, as in CI's first run. The worker and
the commands that feed it are separate processes: they get a database of their own (created
and dropped here) and a Redis database of their own, so they never touch the suite's.
"""

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings

from tests.seeds import KENDAL_TREE

ROOT = Path(settings.BASE_DIR)
DATABASE_URL = os.environ.get("DATABASE_URL", "")
REDIS_URL = os.environ.get("REDIS_URL", "")

pytestmark = pytest.mark.skipif(
    not (REDIS_URL and DATABASE_URL.startswith("postgres")),
    reason="butuh PostgreSQL (DATABASE_URL) dan Redis (REDIS_URL): worker sungguhan",
)

SETUP = """
import datetime
from outreach import counts
from regions.models import COUNTRY_CODE, Kind, Level, Population, Region, Target, User
""" + KENDAL_TREE + """
boss = User.objects.create_user("bob", email="bob@dukcapil.example", role=User.Role.MANAGER)
boss.regions.set([kendal])
"""

SEND = "from outreach.tasks import weekly_summaries; weekly_summaries.delay('2025-11-17')"

COUNT = """
from outreach.models import SummaryDelivery, WeeklySummary
print(WeeklySummary.objects.count(), SummaryDelivery.objects.filter(sent_at__isnull=False).count())
"""


def _admin_url(name: str) -> str:
    base, _slash, _old = DATABASE_URL.rpartition("/")
    return f"{base}/{name}"


@pytest.fixture
def worker_env(tmp_path):
    import psycopg

    name = f"jb_worker_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(_admin_url("postgres"), autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    redis_base, _slash, _db = REDIS_URL.rstrip("/").rpartition("/")
    env = {
        **os.environ,
        "DATABASE_URL": _admin_url(name),
        "REDIS_URL": f"{redis_base}/14",
        "DJANGO_DEBUG": "1",
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(tmp_path / "mail"),
        "LOG_LEVEL": "WARNING",
    }
    import redis

    redis.Redis.from_url(env["REDIS_URL"]).flushdb()
    yield env
    with psycopg.connect(_admin_url("postgres"), autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def manage(env, *args: str) -> str:
    done = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout


def wait_for(predicate, seconds: float = 60) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.5)
    return False


def test_a_real_worker_builds_the_summary_and_emails_it_once(worker_env, tmp_path):
    import redis

    manage(worker_env, "migrate", "-v0")
    manage(worker_env, "shell", "-v0", "-c", SETUP)
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool", "solo", "--loglevel", "WARNING",
         "--hostname", f"test-{uuid.uuid4().hex[:6]}@%h"],
        cwd=ROOT, env=worker_env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    mail = tmp_path / "mail"
    queue = redis.Redis.from_url(worker_env["REDIS_URL"])
    try:
        manage(worker_env, "shell", "-v0", "-c", SEND)
        assert wait_for(lambda: mail.exists() and len(list(mail.iterdir())) == 1), "no e-mail from the worker"
        # The beat fires again (or someone runs it by hand): nothing new is sent.
        manage(worker_env, "shell", "-v0", "-c", SEND)
        assert wait_for(lambda: queue.llen("celery") == 0)
        time.sleep(3)  # let the worker finish what it took from the queue
        assert worker.poll() is None, worker.stdout.read() if worker.stdout else ""
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    [message] = list(mail.iterdir())
    content = message.read_text()
    assert "Subject: Ringkasan mingguan Kabupaten Kendal, 2025-W47" in content
    assert "bob@dukcapil.example" in content and "application/pdf" in content
    assert manage(worker_env, "shell", "-v0", "-c", COUNT).split() == ["1", "1"]
