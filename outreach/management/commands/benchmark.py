"""`make bench`: set up national-scale data on PostgreSQL and print every figure of issue 8.

Not part of the test suite. Run against a database of its own (the Makefile names one);
every figure is measured in this one run and printed as a Markdown table for BENCHMARKS.md.
"""

from __future__ import annotations

import csv
import datetime
import gc
import http.client
import io
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test import Client
from django.urls import reverse

from outreach import reports
from outreach.management.bench_urls import MINIMAL_TABLE
from outreach.models import Activation, Session, Team, Venue, VenueType
from regions.models import COUNTRY_CODE, Level, Region, Target, User

LEVEL_CODES = [("negara", COUNTRY_CODE), ("provinsi", "33"), ("kabupaten", "33.24"), ("kecamatan", "33.24.08"),
               ("desa", "33.24.08.2003")]
AS_OF = "2025-11-30"
PORT = 8765
LOAD_ROUNDS = 3
RAW_SQL = (
    "SELECT count(*) FROM outreach_activation a JOIN regions_region r ON r.id = a.village_id "
    "WHERE a.service = 'ikd' AND a.outcome = 'success' AND a.happened_on <= %s AND (r.code = %s OR r.code LIKE %s)"
)
LUA = """
local counter = 0
thread_no = 0
local threads = {}
local dates = {%(dates)s}
local districts = {%(districts)s}
function setup(thread)
  thread:set("thread_no", #threads)
  table.insert(threads, thread)
end
function init(args)
  math.randomseed(os.time() + thread_no * 7919)
end
local function uuid()
  return string.format("%%08x-%%04x-4%%03x-a%%03x-%%06x%%06x", math.random(0, 0x7fffffff), math.random(0, 0xffff),
    math.random(0, 0xfff), math.random(0, 0xfff), math.random(0, 0xffffff), math.random(0, 0xffffff))
end
request = function()
  -- A random person each time, issued in any kecamatan of the province (about 20 billion
  -- possible): a later run does not repeat a NIK an earlier one saved, which would be refused.
  local n = math.random(0, 9999 * #dates - 1)
  local nik = districts[math.random(1, #districts)] .. dates[math.floor(n / 9999) %% #dates + 1]
    .. string.format("%%04d", n %% 9999 + 1)
  local body = "csrfmiddlewaretoken=%(token)s" .. %(fields)s
  return wrk.format("POST", "%(path)s", {["Content-Type"] = "application/x-www-form-urlencoded",
    ["Cookie"] = "%(cookie)s", ["X-CSRFToken"] = "%(token)s", ["Referer"] = "https://127.0.0.1:%(port)d/",
    ["X-Forwarded-Proto"] = "https"}, body)
end
"""
DONE_LUA = """
done = function(summary, latency, requests)
  io.write(string.format("JSON{\\"requests\\": %d, \\"seconds\\": %f, \\"p50\\": %f, \\"p95\\": %f, \\"p99\\": %f, \\"errors\\": %d, \\"status\\": %d}\\n",
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1e3, latency:percentile(95) / 1e3,
    latency:percentile(99) / 1e3, summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.errors.status))
end
"""


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


class Command(BaseCommand):
    help = "Benchmark nasional (make bench): butuh PostgreSQL, wrk dan data bersama. Tidak untuk CI."

    def add_arguments(self, parser):
        parser.add_argument("--activations", type=int, default=10_000_000)
        parser.add_argument("--repeat", type=int, default=20, help="permintaan per halaman per tingkat")
        parser.add_argument("--load-seconds", type=int, default=15)
        parser.add_argument("--import-rows", type=int, default=200_000)
        parser.add_argument("--workers", type=int, default=(os.cpu_count() or 2) * 2, help="gunicorn workers")
        parser.add_argument("--only", default="pages,summaries,posts,imports", help="which parts to measure")

    def handle(self, *args, activations, repeat, load_seconds, import_rows, workers, only, **options):
        if connection.vendor != "postgresql":
            raise CommandError("Benchmark hanya untuk PostgreSQL: isi DATABASE_URL.")
        self.rows: list[tuple[str, str, str]] = []
        self.workers = workers
        parts = set(only.split(","))
        self.setup(activations)
        if "pages" in parts:
            self.pages(repeat)
        if "summaries" in parts:
            self.summaries()
        if "posts" in parts:
            self.posts(load_seconds)
        if "imports" in parts:
            self.imports(import_rows)
        self.stdout.write("\n| figure | measured | goal |\n| --- | --- | --- |")
        for figure, measured, goal in self.rows:
            self.stdout.write(f"| {figure} | {measured} | {goal} |")

    def record(self, figure: str, measured: str, goal: str = "") -> None:
        self.rows.append((figure, measured, goal))
        self.stdout.write(f"{figure}: {measured}", ending="\n")
        self.stdout.flush()

    # ---- Data ------------------------------------------------------------------------------------

    def setup(self, activations: int) -> None:
        shared = Path(settings.SHARED_DATA_DIR) / "regions"
        if Region.objects.filter(level=Level.VILLAGE).count() < 80_000:
            started = time.perf_counter()
            call_command("import_regions", str(shared / "regions_id.csv"), stdout=io.StringIO())
            self.record("region import (91,599 rows)", f"{time.perf_counter() - started:.1f} s", "≤ 10 s")
        else:
            started = time.perf_counter()
            call_command("import_regions", str(shared / "regions_id.csv"), stdout=io.StringIO())
            self.record("region import again (91,599 rows, nothing changes)", f"{time.perf_counter() - started:.1f} s", "≤ 10 s")
        call_command("import_population", str(shared / "population_2025.csv"), "--as-of", "2025-04-25", stdout=io.StringIO())
        Target.objects.get_or_create(region=None, year=2025, indicator="ikd", defaults={"percent": 30, "due": datetime.date(2025, 12, 31)})
        if not Activation.objects.filter(created_by__username="sintetis").exists():
            started = time.perf_counter()
            call_command("generate_synthetic", "--activations", str(activations), "--seed", "1", stdout=self.stdout)
            self.record("synthetic data", f"{activations:,} activations in {time.perf_counter() - started:.0f} s")
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
        self.admin, _created = User.objects.get_or_create(username="bench", defaults={"is_superuser": True, "is_staff": True, "role": User.Role.STAFF})
        self.admin.set_password("bench-password-123")
        self.admin.is_superuser = True
        self.admin.save()
        self.record("activation rows", f"{Activation.objects.count():,}")

    # ---- Pages -----------------------------------------------------------------------------------

    def pages(self, repeat: int) -> None:
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(self.admin)
        client.get(reverse("regions:detail", kwargs={"code": COUNTRY_CODE}))  # load what a page loads
        gc.freeze()  # as config/wsgi.py does in every web worker
        for level, code in LEVEL_CODES:
            with connection.cursor() as cursor:
                started = time.perf_counter()
                cursor.execute(RAW_SQL, [AS_OF, code if code != COUNTRY_CODE else "%", code + ".%" if code != COUNTRY_CODE else "%"])
                cursor.fetchone()
                raw = (time.perf_counter() - started) * 1000
            for name, url in (
                ("dashboard", reverse("outreach:dashboard", kwargs={"code": code}) + f"?tahun=2025&tanggal={AS_OF}"),
                ("region browser", reverse("regions:detail", kwargs={"code": code}) + "?tahun=2025"),
            ):
                times = []
                for _n in range(repeat + 1):
                    cache.clear()
                    started = time.perf_counter()
                    response = client.get(url)
                    times.append((time.perf_counter() - started) * 1000)
                    if response.status_code != 200:
                        raise CommandError(f"{url}: {response.status_code}")
                times = times[1:]  # the first warms the process, not the data
                p50, p95 = statistics.median(times), percentile(times, 0.95)
                self.record(f"{name}, {level} ({code})", f"p50 {p50:.0f} ms, p95 {p95:.0f} ms; raw SQL {raw:.0f} ms; "
                            f"p95/raw {p95 / raw:.2f}", "p95 ≤ 100 ms")

    # ---- Weekly summaries --------------------------------------------------------------------------

    def summaries(self) -> None:
        week = reports.parse_week("2025-W47")
        regencies = list(Region.objects.filter(level=Level.REGENCY, is_current=True))
        started = time.perf_counter()
        for regency in regencies:
            reports.summary_data(regency, week)
        self.record(f"weekly summary figures, {len(regencies)} regencies", f"{time.perf_counter() - started:.1f} s", "≤ 30 s")
        summary = reports.summary_build(Region.objects.get(code="33.24"), week)
        started = time.perf_counter()
        reports.preload()  # what a web or Celery worker has done at start, before any PDF
        loaded = time.perf_counter()
        content = reports.summary_pdf(summary)
        self.record("one summary PDF", f"{time.perf_counter() - loaded:.2f} s ({len(content) // 1024} KB; loading "
                    f"matplotlib and fpdf2 before it, as a worker does at start: {loaded - started:.2f} s)", "≤ 2 s")

    # ---- Activation POSTs under load ----------------------------------------------------------------

    def posts(self, seconds: int) -> None:
        village = Region.objects.get(code="33.24.08.2003")
        venue, _created = Venue.objects.get_or_create(village=village, name="Balai benchmark", defaults={"type": VenueType.KANTOR_DESA})
        team, _created = Team.objects.get_or_create(office=village.parent.parent, name="Tim benchmark", defaults={"leader": self.admin})
        session = Session.objects.filter(venue=venue, date=datetime.date(2025, 11, 28)).first() or Session.objects.create(
            venue=venue, team=team, date=datetime.date(2025, 11, 28), start_time=datetime.time(6), end_time=datetime.time(7),
            status="confirmed", offers_ikd=True, created_by=self.admin,
        )
        # The project's settings with the benchmark's URLconf: every page plus the minimal POST.
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "outreach.management.bench_settings", "DJANGO_DEBUG": "0",
               "DJANGO_SECRET_KEY": "bench-" + "x" * 50, "DJANGO_ALLOWED_HOSTS": "127.0.0.1", "DJANGO_SECURE_SSL_REDIRECT": "0",
               "NIK_HMAC_KEYS": ",".join(f"{k}:{v}" for k, v in settings.NIK_HMAC_KEYS), "LOG_LEVEL": "WARNING",
               "DJANGO_REQUIRE_2FA": "0"}
        subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=settings.BASE_DIR, env=env, check=True)
        workers = self.workers
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {MINIMAL_TABLE}")
            cursor.execute(f"CREATE TABLE {MINIMAL_TABLE} (id bigserial PRIMARY KEY, value text NOT NULL)")
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "config.wsgi", "--bind", f"127.0.0.1:{PORT}", "--workers", str(workers),
             "--log-level", "warning"], cwd=settings.BASE_DIR, env=env,
        )
        try:
            self._wait_for_server()
            cookie, token = self._sign_in()
            before = Activation.objects.count()
            dates = ",".join(f'"{d:%d%m%y}"' for d in (datetime.date(1940, 1, 1) + datetime.timedelta(days=n) for n in range(3650)))
            districts = ",".join(f'"{code.replace(".", "")}"' for code in Region.objects.filter(
                level=Level.DISTRICT, is_current=True, code__startswith="33.").values_list("code", flat=True))
            def script(path: str, fields: str) -> str:
                with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
                    handle.write(LUA % {"dates": dates, "districts": districts, "token": token, "cookie": cookie,
                                        "port": PORT, "path": path, "fields": fields} + DONE_LUA)
                return handle.name

            activation_script = script(reverse("outreach:log", kwargs={"pk": session.pk}),
                                       '"&service=ikd&result=success&nik=" .. nik .. "&idempotency_key=" .. uuid()')
            minimal_script = script("/bench/minimal/", '"&value=" .. uuid()')
            # The bare view, the minimal POST and the activation POST take turns (LOAD_ROUNDS each):
            # a shared machine's speed drifts over a minute, and the ratios should compare the
            # three under the same drift.
            bare, minimal, post = {}, {}, {}
            for _round in range(LOAD_ROUNDS):
                self._load(bare, server.pid, None, f"http://127.0.0.1:{PORT}/sehat/", seconds / LOAD_ROUNDS)
                self._load(minimal, server.pid, minimal_script, f"http://127.0.0.1:{PORT}/", seconds / LOAD_ROUNDS)
                self._load(post, server.pid, activation_script, f"http://127.0.0.1:{PORT}/", seconds / LOAD_ROUNDS)
            self.record(f"bare Django view (gunicorn {workers} workers, 32 clients)",
                        f"{bare['requests'] / bare['seconds']:.0f} req/s, p95 {bare['p95']:.1f} ms; "
                        f"{self._cpu_words(bare)}")
            with connection.cursor() as cursor:
                cursor.execute(f"SELECT count(*) FROM {MINIMAL_TABLE}")  # noqa: S608
                (inserted,) = cursor.fetchone()
            minimal_errors = minimal["errors"] + minimal["status"] + max(0, minimal["requests"] - inserted)
            self.record(f"minimal signed-in form POST, one row (gunicorn {workers} workers, 32 clients)",
                        f"{minimal['requests'] / minimal['seconds']:.0f} req/s, p95 {minimal['p95']:.1f} ms, "
                        f"{minimal_errors} errors; 1/{bare['requests'] / max(minimal['requests'], 1):.1f} of the bare "
                        f"view; {self._cpu_words(minimal)}",
                        "reference machine: about 650 req/s")
            saved = Activation.objects.count() - before
            rate = post["requests"] / post["seconds"]
            # A request still in flight when wrk stops may save after being counted as not done.
            errors = post["errors"] + post["status"] + max(0, post["requests"] - saved)
            self.record(f"activation POST (gunicorn {workers} workers, 32 clients)",
                        f"{rate:.0f} req/s, p95 {post['p95']:.1f} ms, p99 {post['p99']:.1f} ms, {errors} errors "
                        f"({saved:,} rows saved); "
                        f"1/{bare['requests'] / max(post['requests'], 1):.1f} of the bare view, "
                        f"{post['requests'] / max(minimal['requests'], 1):.2f} of the minimal POST; "
                        f"{self._cpu_words(post)}",
                        "≥ 350 req/s, ≥ 1/11 of bare, p95 ≤ 150 ms, 0 errors")
            peak = max(self._peak_kb(pid) for pid in self._children(server.pid))
            self.record("peak memory of a web worker", f"{peak / 1024:.0f} MB")
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)
            with connection.cursor() as cursor:
                cursor.execute(f"DROP TABLE IF EXISTS {MINIMAL_TABLE}")

    def _wait_for_server(self) -> None:
        for _n in range(100):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{PORT}/sehat/", timeout=1)
                return
            except OSError:
                time.sleep(0.2)
        raise CommandError("gunicorn tidak menyala")

    def _sign_in(self) -> tuple[str, str]:
        """Sign in as a browser behind the TLS proxy would (X-Forwarded-Proto): the cookies are Secure."""
        proxy = {"X-Forwarded-Proto": "https", "Referer": f"https://127.0.0.1:{PORT}/masuk/"}
        first = http.client.HTTPConnection("127.0.0.1", PORT)
        first.request("GET", "/masuk/", headers=proxy)
        page = first.getresponse()
        cookies = self._cookies(page)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.read().decode()).group(1)
        body = urllib.parse.urlencode({"username": "bench", "password": "bench-password-123", "csrfmiddlewaretoken": token})
        second = http.client.HTTPConnection("127.0.0.1", PORT)
        second.request("POST", "/masuk/", body=body, headers={
            **proxy, "Cookie": f"csrftoken={cookies['csrftoken']}", "Content-Type": "application/x-www-form-urlencoded"})
        cookies.update(self._cookies(second.getresponse()))
        if "sessionid" not in cookies:
            raise CommandError("masuk gagal")
        return f"csrftoken={cookies['csrftoken']}; sessionid={cookies['sessionid']}", cookies["csrftoken"]

    @staticmethod
    def _cookies(response) -> dict[str, str]:
        found = {}
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _eq, rest = header.partition("=")
            found[name.strip()] = rest.split(";")[0]
        return found

    def _wrk(self, script: str | None, url: str, seconds: float) -> dict:
        if script is None:
            with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
                handle.write(DONE_LUA)
            script = handle.name
        done = subprocess.run(["wrk", "-t2", "-c32", f"-d{max(1, round(seconds))}s", "--latency", "-s", script, url],
                              capture_output=True, text=True, check=True)
        line = next(line for line in done.stdout.splitlines() if line.startswith("JSON"))
        return json.loads(line[4:])

    @staticmethod
    def _children(pid: int) -> list[int]:
        out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()
        return [int(child) for child in out]

    def _cpu_seconds(self, server: int) -> tuple[float, float]:
        """CPU time used so far by the web workers and by PostgreSQL's processes. CPU per request
        moves much less than req/s when another tenant of a shared machine takes cycles."""
        tick = os.sysconf("SC_CLK_TCK")

        def used(pid: int) -> float:
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except FileNotFoundError:  # a process that ended between listing and reading
                return 0.0
            return (int(fields[11]) + int(fields[12])) / tick  # utime, stime

        listed = subprocess.run(["pgrep", "-u", "postgres"], capture_output=True, text=True, check=False)
        postgres = listed.stdout.split()
        return sum(map(used, self._children(server))), sum(used(int(pid)) for pid in postgres)

    def _load(self, totals: dict, server: int, script: str | None, url: str, seconds: float) -> None:
        """One wrk run added to `totals`: requests, seconds, errors and CPU summed; p95 and p99 the worst run's."""
        web, database = self._cpu_seconds(server)
        run = self._wrk(script, url, seconds)
        web_after, database_after = self._cpu_seconds(server)
        run.update(web_cpu=web_after - web, database_cpu=database_after - database)
        for key, value in run.items():
            totals[key] = max(totals.get(key, 0), value) if key in {"p50", "p95", "p99"} else totals.get(key, 0) + value

    @staticmethod
    def _cpu_words(totals: dict) -> str:
        requests = max(totals["requests"], 1)
        return (f"CPU per request: web workers {totals['web_cpu'] * 1000 / requests:.2f} ms, "
                f"PostgreSQL {totals['database_cpu'] * 1000 / requests:.2f} ms")

    @staticmethod
    def _peak_kb(pid: int) -> int:
        status = Path(f"/proc/{pid}/status").read_text()
        return int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1))

    # ---- Activation import -------------------------------------------------------------------------------

    def imports(self, rows: int) -> None:
        try:
            from outreach import activation_import  # noqa: F401
        except ImportError:
            self.record("activation import", "not built yet", "CSV ≥ 50,000 rows/s; XLSX ≥ 10,000 rows/s")
            return
        from openpyxl import Workbook

        self.insert_floor(rows)
        folder = Path(tempfile.mkdtemp())
        header = ["nik", "service", "outcome", "failure_reason", "date", "married", "village_code", "session"]

        def people(start: int, count: int):
            for n in range(start, start + count):
                born = datetime.date(1940, 1, 1) + datetime.timedelta(days=(n // 9999) % 3650)
                day = born.day + 40  # women: the POST benchmark above uses men
                failed = n % 7 == 0
                yield [f"332408{day:02d}{born:%m%y}{n % 9999 + 1:04d}", "ikd", "failed" if failed else "success",
                       "no_phone" if failed else "", "2025-11-27", "", "33.24.08.2003", ""]

        # People nobody imported before: a run starts after the rows already there (the same
        # NIKs again would measure a re-import, where every row already exists).
        first = Activation.objects.count()
        csv_path = folder / "impor.csv"
        with csv_path.open("w", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(header)
            writer.writerows(people(first, rows))
        xlsx_rows = max(rows // 5, 1000)
        book = Workbook(write_only=True)
        sheet = book.create_sheet()
        sheet.append(header)
        for row in people(first + rows, xlsx_rows):
            sheet.append(row)
        xlsx_path = folder / "impor.xlsx"
        book.save(xlsx_path)
        for label, path, count, goal in (("CSV", csv_path, rows, "≥ 50,000 rows/s, flat memory"),
                                         ("XLSX", xlsx_path, xlsx_rows, "≥ 10,000 rows/s, flat memory")):
            started = time.perf_counter()
            done = subprocess.run(["/usr/bin/time", "-f", "MAXRSS %M", sys.executable, "manage.py", "import_activations",
                                   str(path), "--user", "bench"], cwd=settings.BASE_DIR, capture_output=True, text=True)
            seconds = time.perf_counter() - started
            if done.returncode != 0:
                self.record(f"activation import, {label}", f"failed: {done.stderr[-300:]}", goal)
                continue
            peak = int(re.search(r"MAXRSS (\d+)", done.stderr).group(1))
            # The command prints the import's own time ("Selesai dalam 11,42 detik ...", in Indonesian
            # as every command's output): the pace of a web upload, which runs in a worker already
            # started, without this process's start. Should that line change, the table says so.
            own = re.search(r"Selesai dalam ([\d.,]+) detik", done.stdout)
            inner = float(own.group(1).replace(".", "").replace(",", ".")) if own else None
            self.record(f"activation import, {label} ({count:,} rows into {Activation.objects.count():,})",
                        f"{count / seconds:,.0f} rows/s end to end with the command's start-up"
                        + (f", {count / inner:,.0f} rows/s the import itself" if inner
                           else ", the import's own time not found in the command's output")
                        + f"; peak memory {peak / 1024:.0f} MB ({done.stdout.strip().splitlines()[0]})", goal)

    def insert_floor(self, rows: int) -> None:
        """What the database alone allows, with no checks per row: the issue's reference figure
        (COPY into a staging table, then one INSERT ... ON CONFLICT into an indexed 10M-row
        table) measured on this machine, once into a plain table (a primary key and one unique
        random key, like the issue's) and once into outreach_activation itself (its seven
        indexes, its checks, its three foreign keys checked before the end). Both are rolled
        back, so the tables are unchanged. The rows are made before the clock starts."""
        session = Session.objects.order_by("pk").values_list("pk", "venue__village_id").first()
        author = User.objects.get(username="bench").pk
        random_hex = lambda: uuid.uuid4().hex + uuid.uuid4().hex  # noqa: E731
        now = datetime.datetime.now(datetime.timezone.utc)
        columns = ("session_id", "village_id", "service", "outcome", "failure_reason", "failure_note", "married",
                   "nik_hash", "nik_key_id", "nik_last4", "sex", "birth_year", "district_code", "happened_on",
                   "idempotency_key", "content_digest", "created_by_id", "created_at")
        made = [(session[0], session[1], "ikd", "success", "", "", False, random_hex(), "k1", "0001", "L", 1980,
                 "33.24.08", datetime.date(2025, 11, 27), uuid.uuid4(), random_hex(), author, now) for _n in range(rows)]
        plain_columns = ("idempotency_key", "nik_hash", "service", "outcome", "happened_on")
        with connection.cursor() as cursor:
            cursor.execute("SELECT to_regclass('bench_floor') IS NOT NULL")
            if not cursor.fetchone()[0]:
                cursor.execute(f"CREATE TABLE bench_floor AS SELECT id, {', '.join(plain_columns)} FROM outreach_activation")
                cursor.execute("ALTER TABLE bench_floor ADD PRIMARY KEY (id), ADD UNIQUE (idempotency_key)")
                cursor.execute("CREATE SEQUENCE bench_floor_id OWNED BY bench_floor.id")
                cursor.execute("SELECT setval('bench_floor_id', (SELECT max(id) FROM bench_floor))")
                cursor.execute("ALTER TABLE bench_floor ALTER id SET DEFAULT nextval('bench_floor_id')")
                cursor.execute("VACUUM ANALYZE bench_floor")
            cursor.execute("SELECT count(*) FROM bench_floor")
            plain_rows = cursor.fetchone()[0]
            for label, table, wanted in (
                (f"plain table ({plain_rows:,} rows, primary key and one unique key)", "bench_floor", plain_columns),
                (f"outreach_activation ({Activation.objects.count():,} rows)", "outreach_activation", columns),
            ):
                positions = [columns.index(name) for name in wanted]
                names = ", ".join(wanted)
                cursor.execute("BEGIN")
                try:
                    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                    cursor.execute(f"CREATE TEMP TABLE floor_stage ON COMMIT DROP AS SELECT {names} FROM {table} WITH NO DATA")
                    started = time.perf_counter()
                    with cursor.cursor.copy(f"COPY floor_stage ({names}) FROM STDIN") as copy:
                        for row in made:
                            copy.write_row([row[position] for position in positions])
                    cursor.execute(f"INSERT INTO {table} ({names}) SELECT {names} FROM floor_stage ON CONFLICT DO NOTHING")
                    seconds = time.perf_counter() - started
                finally:
                    cursor.execute("ROLLBACK")
                self.record(f"insert floor: COPY + INSERT ... ON CONFLICT of {rows:,} made rows into {label}, rolled back",
                            f"{rows / seconds:,.0f} rows/s", "reference machine: about 77,000 rows/s")
