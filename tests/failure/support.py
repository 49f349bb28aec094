"""Helpers for the failure tests: free ports, waiting, a small cookie-keeping HTTP client, SQL.

The web app, the workers and the database and Redis servers are separate processes started by
the fixtures in conftest.py; the tests talk to them over HTTP and SQL only.
"""

from __future__ import annotations

import http.client
import os
import re
import socket
import subprocess
import sys
import time
import urllib.parse
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path

import pytest

DATABASE_URL = os.environ.get("DATABASE_URL", "")
REDIS_URL = os.environ.get("REDIS_URL", "")

requires_services = pytest.mark.skipif(
    not (REDIS_URL and DATABASE_URL.startswith("postgres")),
    reason="butuh PostgreSQL (DATABASE_URL) dan Redis (REDIS_URL): uji kegagalan dengan server sungguhan",
)

PASSWORD = "rahasia-sekali-123"
ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable


def base_env(**extra: str) -> dict:
    """The environment of a subprocess: the test run's, minus pytest's, plus what the test says."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "COV_"))}
    env.update({
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_DEBUG": "1",
        "LOG_LEVEL": "WARNING",
        "PYTHONUNBUFFERED": "1",
    })
    env.update(extra)
    return env


def manage(env: dict, *args: str, timeout: float = 120) -> str:
    done = subprocess.run([PYTHON, "manage.py", *args], check=False, cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=timeout)
    assert done.returncode == 0, done.stderr[-4000:]
    return done.stdout


def production_env(static_root: Path, **extra: str) -> dict:
    """What production sets (README), for plain HTTP on 127.0.0.1."""
    return base_env(
        DJANGO_DEBUG="0", DJANGO_SECRET_KEY="failure-tests-secret-key-not-for-production",
        NIK_HMAC_KEYS="t1:failure-tests-nik-key", DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DJANGO_SECURE_SSL_REDIRECT="0", STATIC_ROOT=str(static_root), **extra,
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(predicate, seconds: float = 30, step: float = 0.2) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if predicate():
                return True
        except Exception:  # noqa: BLE001, S110 - the thing waited for is not up yet
            pass
        time.sleep(step)
    return False


def nik(serial: int, *, female: bool = False) -> str:
    """A valid NIK in Kaliwungu (33.24.08), born 1 January 1990, with this serial (1-9999)."""
    day = 41 if female else 1
    return f"332408{day:02d}0190{serial:04d}"


@dataclass
class Response:
    status: int
    headers: dict
    body: str
    elapsed: float

    @property
    def location(self) -> str:
        return self.headers.get("location", "")


@dataclass
class Browser:
    """One person's browser: keeps its cookies (Secure ones too: the servers here speak plain HTTP)."""

    base: str  # http://127.0.0.1:port
    cookies: dict = field(default_factory=dict)
    timeout: float = 20
    slowest: float = 0.0  # seconds, the slowest answer this browser got

    def clone(self) -> Browser:
        return Browser(self.base, dict(self.cookies), self.timeout)

    def request(self, method: str, path: str, data: dict | None = None) -> Response:
        url = urllib.parse.urlsplit(self.base)
        connection = http.client.HTTPConnection(url.hostname, url.port, timeout=self.timeout)
        headers = {"Accept-Language": "id"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if data is not None:
            body = urllib.parse.urlencode(data)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        started = time.monotonic()
        try:
            connection.request(method, path, body=body, headers=headers)
            answer = connection.getresponse()
            content = answer.read().decode("utf-8", "replace")
        finally:
            connection.close()
        elapsed = time.monotonic() - started
        self.slowest = max(self.slowest, elapsed)
        for header in answer.msg.get_all("Set-Cookie") or []:
            jar = SimpleCookie()
            jar.load(header)
            for name, morsel in jar.items():
                if morsel["max-age"] == "0" or (morsel["expires"] and "1970" in morsel["expires"]):
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        return Response(answer.status, {k.lower(): v for k, v in answer.getheaders()}, content, elapsed)

    def get(self, path: str) -> Response:
        return self.request("GET", path)

    def post(self, path: str, data: dict) -> Response:
        return self.request("POST", path, data)

    def csrf(self, path: str) -> str:
        page = self.get(path)
        assert page.status == 200, (path, page.status, page.body[:2000])
        return form_value(page.body, "csrfmiddlewaretoken")

    def sign_in(self, username: str, password: str = PASSWORD) -> Response:
        token = self.csrf("/masuk/")
        answer = self.post("/masuk/", {"username": username, "password": password, "csrfmiddlewaretoken": token})
        assert answer.status == 302, (answer.status, answer.body[:2000])
        return answer


def form_value(html: str, name: str) -> str:
    match = re.search(rf'name="{re.escape(name)}"[^>]*value="([^"]*)"', html) or re.search(
        rf'value="([^"]*)"[^>]*name="{re.escape(name)}"', html
    )
    assert match, f"no {name} in the page"
    return match.group(1)


def log_path(session_id: int) -> str:
    return f"/kegiatan/{session_id}/catat/"


def sql(url: str, query: str, *params):
    """Rows of one query against a database of the tests' own PostgreSQL."""
    import psycopg

    with psycopg.connect(url, autocommit=True, connect_timeout=5) as connection:
        return connection.execute(query, params).fetchall()


def sql_value(url: str, query: str, *params):
    [[value]] = sql(url, query, *params)
    return value


def mail_subjects(folder) -> list[str]:
    """The Subject of every message the file e-mail backend wrote into `folder`."""
    if not folder.exists():
        return []
    subjects = []
    for path in sorted(folder.iterdir()):
        subjects += re.findall(r"^Subject: (.*)$", path.read_text(errors="replace"), flags=re.MULTILINE)
    return subjects
