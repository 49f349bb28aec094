"""Charts and PDFs load their libraries on first use, except in processes that serve requests
or tasks, which load them at start (outreach/reports.py, `preload`). Fresh interpreters, since
this test process has long imported them."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LOADED = "json.dumps({name: name in sys.modules for name in ('matplotlib.figure', 'fpdf')})"


def run(code: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in {"DJANGO_DEBUG", "DATABASE_URL", "REDIS_URL"}}
    env["DJANGO_SETTINGS_MODULE"] = "config.settings"
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


def test_a_command_does_not_load_the_drawing_libraries():
    done = run(f"import json, sys, django; django.setup(); import outreach.views; print({LOADED})")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"matplotlib.figure": False, "fpdf": False}


def test_a_web_worker_loads_them_first_and_then_draws_in_many_threads_at_once():
    code = f"""
import datetime, json, sys, threading
import config.wsgi  # what gunicorn and the development server load before any request
print({LOADED})
from outreach import charts
weeks = [(datetime.date(2025, 1, 6) + datetime.timedelta(weeks=n), n * 10) for n in range(12)]
points = [(day, count) for day, count in weeks]
results = []
def draw():
    results.append(charts.weekly_chart(weeks, 50)[:8])
    results.append(charts.cumulative_chart(points, 500, datetime.date(2025, 12, 31))[:8])
threads = [threading.Thread(target=draw) for _n in range(6)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
print(json.dumps(sorted(set(png.hex() for png in results)) + [len(results)]))
"""
    done = run(code)
    assert done.returncode == 0, done.stderr
    loaded, drawn = done.stdout.splitlines()
    assert json.loads(loaded) == {"matplotlib.figure": True, "fpdf": True}
    assert json.loads(drawn) == ["89504e470d0a1a0a", 12]  # twelve PNGs, no thread failed


def test_a_celery_worker_loads_them_before_any_task():
    code = f"""
import json, sys
import django
django.setup()
from celery.signals import worker_init
from config.celery import app
worker_init.send(sender=None)
print({LOADED})
"""
    done = run(code)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"matplotlib.figure": True, "fpdf": True}
