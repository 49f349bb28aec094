"""Fixtures for the failure tests: servers of their own, never the suite's.

Each test gets a PostgreSQL database of its own, cloned from a migrated and seeded template in
a PostgreSQL cluster these tests create with initdb (on a free port, in a temporary directory),
and a Redis of its own (redis-server on a free port, nothing saved to disk). The suite's
PostgreSQL (DATABASE_URL) and Redis (REDIS_URL) are never used, stopped or flushed here; they
only say that this is the run with real servers (CI's first run).

The web app (gunicorn), Celery workers and `manage.py` commands are subprocesses with their own
environment; every one of them is stopped, and every temporary directory removed, at teardown.
"""

from __future__ import annotations

import glob
import json
import os
import pwd
import re
import shutil
import signal
import subprocess
import tempfile
import uuid
from pathlib import Path

import pytest

from tests.failure.support import PASSWORD, PYTHON, ROOT, Browser, base_env, free_port, manage, wait_for
from tests.seeds import KENDAL_TREE

# The seed of the template database: Kendal's region tree (tests/seeds.py), a manager and a
# staff member (the team leader) with e-mail addresses, three operators in Kaliwungu, a team, a
# venue, a session today (IKD and KIA), a session three days ago nobody closed ("belum lapor")
# and an agreement that expires in ten days (the PKS reminder).
SEED = """
import datetime, json
from django.utils import timezone
from outreach import counts
from outreach.models import Session, Team, Venue, VenueType
from partners.models import Agreement, Partner, Sector
from regions.models import COUNTRY_CODE, Kind, Population, Region, Target, User
import os
password = os.environ["SEED_PASSWORD"]
""" + KENDAL_TREE + """
boss = User.objects.create_user("bob", email="bob@dukcapil.example", password=password, role=User.Role.MANAGER)
boss.regions.set([kendal])
leader = User.objects.create_user("alice", email="alice@dukcapil.example", password=password, role=User.Role.STAFF)
leader.regions.set([kendal])
for name in ("oscar", "olga", "omar"):
    User.objects.create_user(name, password=password, role=User.Role.OPERATOR).regions.set([district])
team = Team.objects.create(office=kendal, name="Tim Jemput Bola 1", leader=leader)
venue = Venue.objects.create(name="Balai Desa Sumberejo", type=VenueType.KANTOR_DESA, village=village, address="Jl. Raya 1")
today = timezone.localdate()
now = Session.objects.create(venue=venue, team=team, date=today, start_time=datetime.time(8), end_time=datetime.time(16),
                             offers_ikd=True, offers_kia=True, created_by=leader)
late = Session.objects.create(venue=venue, team=team, date=today - datetime.timedelta(days=3),
                              start_time=datetime.time(8), end_time=datetime.time(10), created_by=leader)
partner = Partner.objects.create(business_name="Warung Bu Sri", owner_name="Sri", sector=Sector.FOOD, address="Jl. Pasar 2",
                                 village=village, whatsapp="6281234567890")
Agreement.objects.create(office=kendal, partner=partner, number="PKS/01/2025", title="Diskon pemegang KIA",
                         signed_on=today - datetime.timedelta(days=300), valid_from=today - datetime.timedelta(days=300),
                         valid_until=today + datetime.timedelta(days=10), office_signatory="Kadis", partner_signatory="Sri")
print(json.dumps({"session": now.pk, "late_session": late.pk, "village": village.pk, "kendal": kendal.pk}))
"""


def unavailable(message: str):
    """Missing server binaries fail the run under CI (it installs them) and skip elsewhere."""
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


def _postgres_bindir() -> Path | None:
    def version(path: str) -> tuple:
        return tuple(int(part) for part in re.findall(r"\d+", path))

    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=version)
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


class PostgresCluster:
    """A PostgreSQL cluster of the tests' own: initdb into a temporary directory, a free port."""

    def __init__(self, bindir: Path):
        self.bindir = bindir
        self.root = Path(tempfile.mkdtemp(prefix="jb-failure-pg-", dir="/tmp"))
        self.data = self.root / "data"
        self.logfile = self.root / "postgres.log"
        self.port = free_port()
        self.as_user: list[str] = []
        if os.geteuid() == 0:
            # initdb and pg_ctl refuse to run as root: run them as the postgres user.
            os.chown(self.root, pwd.getpwnam("postgres").pw_uid, -1)
            self.as_user = ["runuser", "-u", "postgres", "--"]
        self.options = (
            f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
        )
        self.seed: dict = {}

    def _run(self, program: str, *args: str, timeout: float = 60) -> str:
        done = subprocess.run(
            [*self.as_user, str(self.bindir / program), *args], check=False, cwd=self.root, capture_output=True,
            text=True, timeout=timeout,
        )
        assert done.returncode == 0, f"{program} {' '.join(args)}: {done.stdout}{done.stderr}"
        return done.stdout

    def init(self) -> None:
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8",
                  "--locale", "C")

    def start(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-o", self.options, "-l", str(self.logfile), "-w", "-t", "30", "start")

    def stop(self, mode: str = "fast") -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "-t", "30", "stop")

    def restart(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-o", self.options, "-l", str(self.logfile), "-m", "fast", "-w",
                  "-t", "30", "restart")

    def running(self) -> bool:
        done = subprocess.run([*self.as_user, str(self.bindir / "pg_ctl"), "-D", str(self.data), "status"],
                              check=False, cwd=self.root, capture_output=True, text=True, timeout=30)
        return done.returncode == 0

    def url(self, name: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{name}"

    def execute(self, statement: str) -> None:
        import psycopg

        with psycopg.connect(self.url("postgres"), autocommit=True, connect_timeout=5) as connection:
            connection.execute(statement)

    def destroy(self) -> None:
        try:
            if self.data.exists() and self.running():
                self.stop("immediate")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)


@pytest.fixture(scope="session")
def pg_cluster():
    """The tests' own PostgreSQL, with `jb_template` migrated and seeded once for the session."""
    bindir = _postgres_bindir()
    if bindir is None:
        unavailable("initdb PostgreSQL tidak ditemukan: uji kegagalan butuh PostgreSQL sendiri")
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            unavailable("berjalan sebagai root tanpa pengguna 'postgres': initdb menolak root")
        if not shutil.which("runuser"):
            unavailable("runuser tidak ada: initdb harus dijalankan sebagai pengguna 'postgres'")
    cluster = PostgresCluster(bindir)
    try:
        cluster.init()
        cluster.start()
        cluster.execute("CREATE DATABASE jb_template")
        env = base_env(DATABASE_URL=cluster.url("jb_template"), REDIS_URL="", SEED_PASSWORD=PASSWORD)
        manage(env, "migrate", "-v0", "--noinput")
        cluster.seed = json.loads(manage(env, "shell", "-v0", "-c", SEED).strip().splitlines()[-1])
        yield cluster
    finally:
        cluster.destroy()


@pytest.fixture
def database(pg_cluster):
    """A fresh copy of the seeded template: its URL."""
    if not pg_cluster.running():  # a test that restarts the cluster leaves it running; make sure
        pg_cluster.start()
    name = f"jbf_{uuid.uuid4().hex[:10]}"
    pg_cluster.execute(f'CREATE DATABASE "{name}" TEMPLATE jb_template')
    try:
        yield pg_cluster.url(name)
    finally:
        try:
            if not pg_cluster.running():
                pg_cluster.start()
            pg_cluster.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        except Exception as error:  # noqa: BLE001 - the cluster goes away with the session anyway
            print(f"dropping {name}: {error}")


@pytest.fixture
def seed(pg_cluster) -> dict:
    return pg_cluster.seed


class RedisServer:
    """redis-server on a free port, nothing written to disk; stop() and start() keep the port."""

    def __init__(self, workdir: Path):
        self.binary = shutil.which("redis-server")
        self.port = free_port()
        self.workdir = workdir
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--daemonize", "no", "--dir", str(self.workdir), "--logfile", str(self.workdir / "redis.log")],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        assert wait_for(self.ping, 15), "redis-server did not start"

    def ping(self) -> bool:
        import redis

        return redis.Redis(host="127.0.0.1", port=self.port, socket_connect_timeout=0.5).ping()

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self.process = None

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def client(self, db: int = 0):
        import redis

        return redis.Redis(host="127.0.0.1", port=self.port, db=db, socket_connect_timeout=1)


@pytest.fixture
def redis_server():
    binary = shutil.which("redis-server")
    if binary is None:
        unavailable("redis-server tidak ditemukan: uji kegagalan butuh Redis sendiri")
    workdir = Path(tempfile.mkdtemp(prefix="jb-failure-redis-", dir="/tmp"))
    server = RedisServer(workdir)
    try:
        server.start()
        yield server
    finally:
        server.stop()
        shutil.rmtree(workdir, ignore_errors=True)


class Processes:
    """Subprocesses of one test, each with a log file; all stopped at teardown."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.started: list[tuple[str, subprocess.Popen]] = []

    def spawn(self, name: str, args: list[str], env: dict) -> subprocess.Popen:
        log = open(self.folder / f"{name}.log", "w")  # noqa: SIM115 - closed with the process
        process = subprocess.Popen(args, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                                   start_new_session=True)
        process.log_file = log
        self.started.append((name, process))
        return process

    def log(self, name: str) -> str:
        path = self.folder / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def web(self, name: str, env: dict, *, workers: int = 2, threads: int = 4) -> str:
        """gunicorn serving config.wsgi on a free port; returns its base URL once it answers."""
        port = free_port()
        self.spawn(name, [
            PYTHON, "-m", "gunicorn", "config.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
            "--worker-class", "gthread", "--threads", str(threads), "--timeout", "30", "--graceful-timeout", "5",
        ], env)
        base = f"http://127.0.0.1:{port}"
        assert wait_for(lambda: Browser(base, timeout=2).get("/sehat/").status == 200, 30), self.log(name)[-4000:]
        return base

    def worker(self, name: str, env: dict, pool: str = "solo") -> subprocess.Popen:
        """A Celery worker; `pool="prefork"` runs one child process, as production does."""
        concurrency = ["--concurrency", "1"] if pool == "prefork" else []
        return self.spawn(name, [
            PYTHON, "-m", "celery", "-A", "config", "worker", "--pool", pool, *concurrency, "--loglevel", "INFO",
            "--without-mingle", "--without-gossip", "--hostname", f"{name}-{uuid.uuid4().hex[:6]}@%h",
        ], env)

    @staticmethod
    def stop(process: subprocess.Popen, sig: int = signal.SIGTERM, timeout: float = 15) -> None:
        if process.poll() is None:
            try:
                os.killpg(process.pid, sig)  # the process and its children (gunicorn's workers)
            except ProcessLookupError:
                pass
            try:
                process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)

    def stop_all(self) -> None:
        for _name, process in reversed(self.started):
            try:
                self.stop(process)
            finally:
                process.log_file.close()


@pytest.fixture
def processes(tmp_path):
    running = Processes(tmp_path)
    try:
        yield running
    finally:
        running.stop_all()


@pytest.fixture(scope="session")
def collected_static():
    """Static files collected once (DJANGO_DEBUG=0 serves them from the manifest), then removed."""
    folder = Path(tempfile.mkdtemp(prefix="jb-failure-static-", dir="/tmp"))
    try:
        manage(base_env(DJANGO_DEBUG="0", DJANGO_SECRET_KEY="failure-tests", NIK_HMAC_KEYS="t:failure-tests",
                        STATIC_ROOT=str(folder), DATABASE_URL="", REDIS_URL=""),
               "collectstatic", "--noinput", "-v0")
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)
