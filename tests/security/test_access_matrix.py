"""Who may open what: every URL pattern of the project, every role, an object inside Kendal
and one outside (Kota Blitar).

The test walks `get_resolver()` (the admin site and the i18n include too) and compares the
routes it finds with the table below: a new view that nobody added to the table fails the
test, so it is covered without anyone having to remember.

The objects "inside" lie in Kecamatan Kaliwungu (33.24.08), inside Kabupaten Kendal, so the
Kendal staff, the Kendal manager and the Kaliwungu operator all see them; the objects
"outside" lie in Kota Blitar (35.72), where only the outsider (Blitar staff) and the
superuser see them.

Kinds of page, and what each role gets (`ok` is the row's success status, 200 by default):

    public     everyone, signed in or not: ok
    own        one's own account pages: anonymous → /masuk/, everyone signed in → ok
    read       region-scoped reading: anonymous → /masuk/; a user who cannot see the object → 404;
               everyone else → ok
    write      staff only (create, edit, cancel, postpone, import, upload, corrections):
               anonymous → /masuk/; managers and operators → 403; staff who cannot see the
               object → 404; staff of the object's regions → ok
    log        operators and staff record results: anonymous → /masuk/; cannot see → 404;
               managers → 403; operators and staff → ok
    admin      the Django admin, see ADMIN_MODELS below

Each write view is also POSTed to (empty form) by the manager, the operator and the outsider:
a write must be refused (403, or 404 for an object outside the user's regions) before any
form is read.
"""

from __future__ import annotations

import datetime
import io
import re
from dataclasses import dataclass, field

import pytest
from django.core import signing
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.utils import timezone
from PIL import Image

from outreach import reports, services
from outreach.models import SessionPhoto, Team, Venue, VenueType
from outreach.views import TEAM_FEED_SALT
from partners.models import Agreement, Benefit, Partner, Sector
from regions import audit
from regions.figures import default_year
from regions.models import OfficialFigure, Population, Target, User
from tests.conftest import make_region, make_user

LOGIN = "/masuk/"
ADMIN_LOGIN = "/admin/login/"
ROLES = ["anonymous", "operator", "manager", "staff", "outsider", "superuser"]
# Who sees the object, by where it lies (None: a page without an object).
SEES = {
    "inside": {"operator", "manager", "staff", "superuser"},
    "outside": {"outsider", "superuser"},
    None: {"operator", "manager", "staff", "outsider", "superuser"},
}
WRITERS = {"staff", "outsider", "superuser"}
LOGGERS = {"operator", "staff", "outsider", "superuser"}


# ---- The table: every route of the project -------------------------------------------------------


def kw(**spec):
    """Kwargs for a route from the world's objects: {"pk": "session"} → the session's pk,
    {"code": "region.code"} → the region's code."""

    def fill(world, where):
        values = {}
        for name, path in spec.items():
            key, _dot, attr = path.partition(".")
            values[name] = getattr(world[where][key], attr or "pk")
        return values

    return fill


def const(**values):
    """Kwargs that do not depend on the object (a chart kind, an export format)."""

    def fill(world, where):
        return dict(values)

    fill.no_object = True
    return fill


def both(*fills):
    def fill(world, where):
        values = {}
        for part in fills:
            values.update(part(world, where))
        return values

    return fill


@dataclass(frozen=True)
class Route:
    get: str  # public, own, read, write, log
    kwargs: object = None  # None: no object; else fill(world, where) → kwargs
    post: str | None = None  # the kind a POST is checked as (None: GET only)
    ok: int = 200
    query: str = ""
    # Exceptions to the kind's rule, each one explained where it is used: {(role, where): status}.
    overrides: dict = field(default_factory=dict)
    # Text of the inside objects that a user who cannot see them must never receive.
    leak: str = ""


SESSION = kw(pk="session")
CLOSED = kw(pk="closed")
REGION = kw(code="region.code")
SUMMARY = kw(pk="summary")

ROUTES: dict[str, Route] = {
    # config/urls.py
    "": Route("read", leak="Kaliwungu"),
    "sehat/": Route("public"),
    # The sign-in page sends a signed-in user on to the home page.
    "masuk/": Route("public", overrides={(r, None): 302 for r in ROLES if r != "anonymous"}),
    # Signing out is POST only (a GET would be a cross-site sign-out).
    "keluar/": Route("public", ok=405),
    "akun/sandi/": Route("own"),
    "akun/sandi/selesai/": Route("own"),
    # A GET changes nothing and sends the browser back.
    "i18n/setlang/": Route("public", ok=302),
    # regions/urls.py: with one root region the index redirects to it.
    "wilayah/": Route("read", ok=302),
    "wilayah/cari/": Route("read", query="?q=Kaliwungu", leak="33.24.08"),
    "wilayah/unggah/": Route("write", post="write"),
    "wilayah/<str:code>/": Route("read", REGION),
    "akun/impor/": Route("write", post="write"),
    "akun/saya/": Route("own"),
    # POST only: a GET is refused for everyone signed in.
    "akun/keluar-semua/": Route("own", ok=405),
    # Two-factor sign-in: one's own key. Without a key yet, the code page sends to the setup page.
    "akun/dua-langkah/": Route("own"),
    "akun/dua-langkah/kode/": Route("own", ok=302),
    # outreach/urls.py
    "kegiatan/": Route("read", query="?semua=1", leak="Balai Desa Matriks"),
    "kegiatan/kalender/": Route("read", query="?bulan=2026-12", leak="Balai Desa Matriks"),
    "kegiatan/saya/": Route("read", leak="Balai Desa Matriks"),
    "kegiatan/baru/": Route("write", post="write"),
    "kegiatan/<int:pk>/": Route("read", SESSION),
    "kegiatan/<int:pk>/catat/": Route("log", SESSION, post="log"),
    "kegiatan/<int:pk>/rekap/": Route("log", SESSION, post="log"),
    "kegiatan/<int:pk>/tutup/": Route("log", SESSION, post="log"),
    # POST only (a GET answers 405 to everyone signed in); reopening is for staff.
    "kegiatan/<int:pk>/buka/": Route("own", CLOSED, post="write", ok=405),
    "kegiatan/<int:pk>/hasil/": Route("write", SESSION, post="write"),
    "hasil/impor/": Route("write", post="write"),
    "kegiatan/foto/<int:pk>/": Route("read", kw(pk="photo")),
    "kegiatan/<int:pk>/ubah/": Route("write", SESSION, post="write"),
    "kegiatan/<int:pk>/tunda/": Route("write", SESSION, post="write"),
    "kegiatan/<int:pk>/batal/": Route("write", SESSION, post="write"),
    # POST only.
    "kegiatan/<int:pk>/konfirmasi/": Route("own", SESSION, post="write", ok=405),
    "kegiatan/rangkaian/baru/": Route("write", post="write"),
    # A series belongs to its team, and a team to its office (the regency): an operator of a
    # kecamatan does not see the regency's teams, so not their series either.
    "kegiatan/rangkaian/<int:pk>/": Route("read", kw(pk="series"), post="write",
                                          overrides={("operator", "inside"): 404, ("operator", "inside", "POST"): 404}),
    "laporan/": Route("read", ok=302),
    "laporan/ringkasan/<int:pk>/": Route("read", SUMMARY),
    "laporan/ringkasan/<int:pk>/ringkasan.pdf": Route("read", SUMMARY),
    "laporan/ringkasan/<int:pk>/grafik-<str:kind>.png": Route("read", both(SUMMARY, const(kind="kumulatif"))),
    "laporan/<str:code>/": Route("read", REGION),
    "laporan/<str:code>/grafik-<str:kind>.png": Route("read", both(REGION, const(kind="kumulatif"))),
    "laporan/<str:code>/ringkasan/": Route("read", REGION),
    "jadwal/": Route("public"),
    "jadwal/<str:code>/": Route("public", kw(code="regency.code")),
    "jadwal/<str:code>/kalender.ics": Route("public", kw(code="regency.code")),
    "kalender/tim/<str:token>.ics": Route("public", kw(token="team_token.value")),
    # partners/urls.py
    "mitra/": Route("public"),
    "mitra/<int:pk>/logo.jpg": Route("public", kw(pk="partner")),
    "mitra/staf/": Route("read", leak="Warung Matriks"),
    "mitra/staf/ekspor/<str:what>.<str:fmt>": Route("read", const(what="mitra", fmt="csv"), leak="Warung Matriks"),
    "mitra/pks/<int:pk>/dokumen.pdf": Route("read", kw(pk="agreement")),
}


# ---- The admin site: one row per registered model, and the routes every model has -------------------


@dataclass(frozen=True)
class AdminModel:
    obj: str  # the world's key of its inside/outside objects
    scoped: bool = True  # rows limited to the user's regions (else Django's own permissions)
    add: str = "staff"  # who may add: staff (any staff role), superuser, nobody
    change: str = "staff"  # change pages: staff, view (staff see read-only), superuser
    delete: str = "staff"
    history_id: str = ""  # world key of a historical row, for simple-history's page


ADMIN_MODELS: dict[str, AdminModel] = {
    "auth.group": AdminModel("group", scoped=False, add="superuser", change="superuser", delete="superuser"),
    "axes.accessattempt": AdminModel("attempt", scoped=False, add="nobody", change="superuser", delete="superuser"),
    "axes.accesslog": AdminModel("accesslog", scoped=False, add="nobody", change="superuser", delete="superuser"),
    "axes.accessfailurelog": AdminModel("failurelog", scoped=False, add="nobody", change="superuser", delete="superuser"),
    # Two-factor keys: the superuser's only (a staff member resets a key with `reset_2fa`).
    "otp_totp.totpdevice": AdminModel("device", scoped=False, add="superuser", change="superuser", delete="superuser"),
    # The code list comes from import_regions: staff only read it.
    "regions.region": AdminModel("region", add="superuser", change="view", delete="nobody"),
    "regions.user": AdminModel("user", delete="superuser", history_id="user_history"),
    "regions.population": AdminModel("population", history_id="population_history"),
    "regions.officialfigure": AdminModel("figure", history_id="figure_history"),
    "regions.target": AdminModel("target", history_id="target_history"),
    "outreach.venue": AdminModel("venue", history_id="venue_history"),
    "outreach.team": AdminModel("team", history_id="team_history"),
    "partners.partner": AdminModel("partner", history_id="partner_history"),
    "partners.agreement": AdminModel("agreement", history_id="agreement_history"),
    # The audit log: read-only for everyone (regions/audit.py), scoped by the event's region.
    "regions.auditevent": AdminModel("audit", add="nobody", change="view", delete="nobody"),
}

# The routes of one model's admin: suffix → what the page does (list, add, change, delete, …).
ADMIN_SUFFIXES = {
    "": "list",
    "add/": "add",
    "<path:object_id>/history/": "history",
    "<path:object_id>/delete/": "delete",
    "<path:object_id>/change/": "change",
    "<path:object_id>/": "redirect",  # Django's old URL: redirects to change/
    "^([^/]+)/history/([^/]+)/$": "history_row",  # simple-history's view of one past version
    "<id>/password/": "password",  # the user admin's "set password"
    "<int:pk>/config/": "device_config",  # a two-factor key's settings (its secret)
    "<int:pk>/qrcode/": "device_qrcode",  # … and its QR code
}

# The admin site's own pages, by URL name (the app list's pattern names every app).
ADMIN_SITE = {
    "admin:index": "index",
    "admin:login": "login",
    "admin:logout": "logout",
    "admin:password_change": "password_change",
    "admin:password_change_done": "password_change_done",
    "admin:autocomplete": "autocomplete",
    "admin:jsi18n": "jsi18n",
    "admin:view_on_site": "view_on_site",
    "admin:app_list": "app_list",
}
ADMIN_CATCH_ALL = "admin/(?P<url>.*)$"


def admin_routes(found: dict[str, str | None]) -> dict[str, tuple[str, str]]:
    """Every admin route the table knows among those found: route → (model label or "", page)."""
    known = {route: ("", ADMIN_SITE[name]) for route, name in found.items() if name in ADMIN_SITE}
    known[ADMIN_CATCH_ALL] = ("", "catch_all")
    for label in ADMIN_MODELS:
        app, model = label.split(".")
        for suffix, page in ADMIN_SUFFIXES.items():
            known[f"admin/{app}/{model}/{suffix}"] = (label, page)
    return known


# ---- Walking the resolver ---------------------------------------------------------------------------


def walk(resolver, prefix="", namespace=""):
    for pattern in resolver.url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from walk(pattern, route, inner)
        elif isinstance(pattern, URLPattern):
            yield route, (namespace + pattern.name) if pattern.name else None


def project_routes() -> dict[str, str | None]:
    """Every route of the project (its pattern text, prefixes included) → its URL name."""
    return dict(walk(get_resolver()))


def test_the_table_knows_every_route_of_the_project():
    routes = project_routes()
    found = set(routes)
    admin_known = admin_routes(routes)
    # A model's admin has only some of the suffixes (simple-history's, the user's password page):
    # the ones it lacks are not required, but every route found must be known.
    known = set(ROUTES) | set(admin_known)
    unknown = sorted(found - known)
    assert not unknown, f"Rute tanpa baris di tabel akses (tambahkan ke ROUTES/ADMIN_MODELS): {unknown}"
    missing = sorted(set(ROUTES) - found)
    assert not missing, f"Baris tabel tanpa rute (hapus dari ROUTES): {missing}"
    site = resolve("/admin/").func.admin_site  # the site config/urls.py serves, whichever it is
    registered = {f"{model._meta.app_label}.{model._meta.model_name}" for model in site._registry}
    assert registered == set(ADMIN_MODELS), "Model admin yang terdaftar berbeda dari ADMIN_MODELS"
    # Every model's list, add, change, delete and history routes are there.
    for label in ADMIN_MODELS:
        app, model = label.split(".")
        for suffix in ["", "add/", "<path:object_id>/change/", "<path:object_id>/delete/", "<path:object_id>/history/"]:
            assert f"admin/{app}/{model}/{suffix}" in found, (label, suffix)


# ---- The world: one set of objects inside Kendal and one in Blitar ------------------------------------


def jpeg(size=(40, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, format="JPEG")
    return out.getvalue()


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF"


@dataclass
class Token:
    value: str


def build_world(users) -> dict:
    today = timezone.localdate()
    kaliwungu, blitar = make_region("33.24.08"), make_region("35.72")
    kendal = make_region("33.24")
    monday = today - datetime.timedelta(days=today.weekday() + 7)
    for year in {default_year(today), monday.year}:
        Target.objects.get_or_create(region=None, year=year, indicator="ikd",
                                     defaults={"percent": 30, "due": datetime.date(year, 12, 31)})
    world = {"inside": {}, "outside": {}}
    places = {
        "inside": (kaliwungu, kendal, make_region("33.24.08.2003"), users["staff"], users["operator"], "Matriks"),
        "outside": (blitar, blitar, make_region("35.72.03.1001"), users["outsider"], users["outsider"], "Blitar"),
    }
    for where, (region, office, village, staff, logger, word) in places.items():
        objects = world[where]
        objects["region"] = region
        objects["regency"] = office if office.level == 2 else office.parent
        population = Population.objects.create(region=region, as_of=datetime.date(monday.year, 1, 1),
                                               population=40_000, wajib_ktp=30_000, children=9_000)
        figure = OfficialFigure.objects.create(region=region, indicator="ikd", as_of=datetime.date(monday.year, 1, 31),
                                               count=1_000)
        target = Target.objects.create(region=region, year=default_year(today) + 1, indicator="ikd", percent=35,
                                       due=datetime.date(default_year(today) + 1, 12, 31))
        venue = Venue.objects.create(name=f"Balai Desa {word}", type=VenueType.KANTOR_DESA, village=village,
                                     address="Jl. Raya 1")
        team = Team.objects.create(office=office, name=f"Tim {word}", leader=staff)
        team.members.add(staff)
        session = services.session_create(actor=staff, venue=venue, team=team, date=today + datetime.timedelta(days=3),
                                          start_time=datetime.time(8), end_time=datetime.time(10))
        closed = services.session_create(actor=staff, venue=venue, team=team, date=today - datetime.timedelta(days=1),
                                         start_time=datetime.time(8), end_time=datetime.time(10))
        services.session_close(actor=logger, session=closed, actual_participants=12, notes="Lancar",
                               photos=[SimpleUploadedFile("foto.jpg", jpeg(), content_type="image/jpeg")])
        series = services.series_create(
            actor=staff, title=f"Rangkaian {word}", team=team, venues=[venue], weekdays=[1],
            starts_on=today + datetime.timedelta(days=30), ends_on=today + datetime.timedelta(days=60),
            start_time=datetime.time(13), end_time=datetime.time(15),
        ).series
        partner = Partner.objects.create(business_name=f"Warung {word}", owner_name="Sri", sector=Sector.FOOD,
                                         address="Jl. Pemuda 5", village=village, whatsapp="6281234567890")
        partner.logo.save("logo.jpg", ContentFile(jpeg()))
        agreement = Agreement.objects.create(
            office=office, partner=partner, number=f"PKS/{word}", title="Potongan harga", signed_on=today,
            valid_from=today, valid_until=today + datetime.timedelta(days=300), office_signatory="Kadis",
            partner_signatory="Sri",
        )
        agreement.document.save("pks.pdf", ContentFile(PDF))
        Benefit.objects.create(agreement=agreement, card="kia", kind="percent", value=10, terms="setiap pembelian",
                               valid_from=today, valid_until=today + datetime.timedelta(days=300))
        account = make_user(f"petugas-{word.lower()}", User.Role.OPERATOR, [region])
        objects.update(
            population=population, figure=figure, target=target, venue=venue, team=team, session=session,
            closed=closed, photo=SessionPhoto.objects.get(session=closed), series=series, partner=partner,
            agreement=agreement, user=account, summary=reports.summary_build(region, monday),
            team_token=Token(signing.dumps(team.pk, salt=TEAM_FEED_SALT)),
            audit=audit.record("export", object_type="outreach.report", object_id=f"audit-{word.lower()}",
                               region_code=village.code),
        )
        for name in ["user", "population", "figure", "target", "venue", "team", "partner", "agreement"]:
            objects[f"{name}_history"] = objects[name].history.latest("history_date")
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog
    from django.contrib.auth.models import Group
    from django_otp.plugins.otp_totp.models import TOTPDevice

    unscoped = {
        "device": TOTPDevice.objects.create(user=world["inside"]["user"], name="HP Petugas", confirmed=True),
        "group": Group.objects.create(name="Grup Matriks"),
        "attempt": AccessAttempt.objects.create(username="x", ip_address="10.9.9.9", user_agent="t", http_accept="*",
                                                path_info="/masuk/", get_data="", post_data="", failures_since_start=1),
        "accesslog": AccessLog.objects.create(username="x", ip_address="10.9.9.9", user_agent="t", http_accept="*",
                                              path_info="/masuk/"),
        "failurelog": AccessFailureLog.objects.create(username="x", ip_address="10.9.9.9", user_agent="t",
                                                      http_accept="*", path_info="/masuk/"),
    }
    for objects in world.values():
        objects.update(unscoped)
    return world


@pytest.fixture
def world(settings, tmp_path, staff, manager, operator, outsider, superuser):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.REQUIRE_2FA = False  # force_login has no second step; the policy is tested elsewhere
    users = {"staff": staff, "manager": manager, "operator": operator, "outsider": outsider, "superuser": superuser}
    return users, build_world(users)


# ---- Expectations ------------------------------------------------------------------------------------


def expected(route: Route, role: str, where, *, method="GET"):
    """The status a role gets: a number, a set of acceptable numbers, or "login" (→ /masuk/).
    For a POST only refusals are checked: None means "allowed, not tried here"."""
    kind = route.get if method == "GET" else route.post
    key = (role, where) if method == "GET" else (role, where, "POST")
    if key in route.overrides:
        return route.overrides[key]
    ok = route.ok if method == "GET" else None
    if kind == "public":
        return ok
    if role == "anonymous":
        return "login"
    sees = role in SEES[where]
    if kind == "own":
        return ok
    if kind == "read":
        return ok if sees else 404
    if kind == "write":
        if role not in WRITERS:
            # Refused either way: some views check the role first (403), some look the object
            # up first (404 when it is outside the user's regions).
            return 403 if sees else {403, 404}
        return ok if sees else 404
    if kind == "log":
        if not sees:
            return 404
        return ok if role in LOGGERS else 403
    raise AssertionError(kind)


def admin_expected(label: str, page: str, role: str, where) -> int | str | set:
    if page == "login":
        return 302 if role in WRITERS else 200  # staff are already signed in; others may sign in
    if page == "logout":
        return 405 if role in WRITERS else {302, 405}  # never a sign-out by GET
    if role in ("anonymous", "manager", "operator"):
        return "admin_login"  # not is_staff: the admin sends them to its own sign-in page
    if page in ("index", "password_change", "password_change_done", "jsi18n", "autocomplete", "app_list"):
        return 200
    if page in ("view_on_site", "catch_all"):
        return 404  # no model has get_absolute_url; unknown admin pages do not exist
    model = ADMIN_MODELS[label]
    superuser = role == "superuser"
    if page == "redirect":
        return 302  # Django's old URL: a plain redirect to change/, which then decides
    if not model.scoped:
        # Lockout records and groups: Django's own permissions, which only the superuser holds.
        if not superuser:
            return 403
        rule = {"list": "superuser", "add": model.add, "delete": model.delete}.get(page, model.change)
        return 403 if rule == "nobody" else 200
    allowed = {"staff": True, "view": True, "superuser": superuser, "nobody": False}
    if page == "list":
        return 200
    if page == "add":
        return 200 if allowed[model.add] else 403
    if page == "delete" and not allowed[model.delete]:
        return 403  # refused before the object is looked up
    if role not in SEES[where]:
        # An object outside get_queryset(): Django's admin redirects to the index ("does not
        # exist"), the history and password pages answer 404. Never the object.
        return "not_found"
    return 200


def admin_url(route: str, name: str | None, label: str, page: str, world, where) -> str:
    objects = world[where]
    if page == "catch_all":
        return "/admin/tidak-ada/"
    if page == "autocomplete":
        return reverse(name) + "?app_label=partners&model_name=agreement&field_name=partner&term=Warung"
    if page == "view_on_site":
        from django.contrib.contenttypes.models import ContentType

        session = objects["session"]
        return reverse(name, kwargs={"content_type_id": ContentType.objects.get_for_model(session).pk,
                                     "object_id": session.pk})
    if page == "app_list":
        return reverse(name, kwargs={"app_label": "regions"})
    if not label:
        return reverse(name)
    model = ADMIN_MODELS[label]
    if page == "list":
        return reverse(name) + ("?q=" + LIST_SEARCH[label][0] if model.scoped else "")
    if page == "add":
        return reverse(name)
    obj = objects[model.obj]
    if page == "history_row":
        return reverse(name, args=[obj.pk, objects[model.history_id].history_id])
    if page == "password":
        return reverse(name, kwargs={"id": obj.pk})
    if page in ("device_config", "device_qrcode"):
        return reverse(name, kwargs={"pk": obj.pk})
    if page == "redirect":  # the only unnamed model route
        return f"/admin/{label.replace('.', '/')}/{obj.pk}/"
    return reverse(name, kwargs={"object_id": obj.pk})


# ---- The matrix ---------------------------------------------------------------------------------------


def body(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode("utf-8", "replace")
    return response.content.decode("utf-8", "replace")


def check(response, want, url: str, role: str, failures: list, leak: str = "") -> None:
    status = response.status_code
    where_to = response.get("Location", "")
    if want == "login":
        good = status == 302 and where_to.startswith(LOGIN)
    elif want == "admin_login":
        good = status == 302 and where_to.startswith(ADMIN_LOGIN)
    elif want == "not_found":
        # Redirected to the admin index (never to the object) or 404.
        good = status == 404 or (status == 302 and where_to.rstrip("/").endswith("/admin"))
    elif isinstance(want, set):
        good = status in want
    else:
        good = status == want
    if not good:
        failures.append(f"{role:>9} {url}: dapat {status} {where_to}, harus {want}")
    elif leak and leak in body(response):
        failures.append(f"{role:>9} {url}: menampilkan {leak!r} dari luar wilayahnya")


def clients(users) -> dict[str, Client]:
    result = {"anonymous": Client()}
    for role, user in users.items():
        result[role] = Client()
        result[role].force_login(user)
    return result


def route_url(route_text: str, kwargs: dict) -> str:
    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", lambda match: str(kwargs[match.group(1)]), route_text)


def test_every_route_answers_every_role_as_the_table_says(world):
    users, objects = world
    failures: list[str] = []
    by_role = clients(users)
    found = project_routes()
    checked = 0
    for route_text, route in ROUTES.items():
        has_object = route.kwargs is not None and not getattr(route.kwargs, "no_object", False)
        for where in ["inside", "outside"] if has_object else [None]:
            kwargs = route.kwargs(objects, where or "inside") if route.kwargs else {}
            url = route_url(route_text, kwargs) + route.query
            for role in ROLES:
                # Whatever the page, a user who cannot see the inside objects never receives them.
                leak = route.leak if role == "outsider" else ""
                check(by_role[role].get(url), expected(route, role, where), url, role, failures, leak)
                checked += 1
                refusal = expected(route, role, where, method="POST") if route.post else None
                if refusal is not None:
                    check(by_role[role].post(url, {}), refusal, f"POST {url}", role, failures)
                    checked += 1
    for route_text, (label, page) in admin_routes(found).items():
        if route_text not in found:
            continue  # a suffix this model's admin does not have (simple-history's, "set password")
        has_object = bool(label) and page not in ("list", "add")
        for where in ["inside", "outside"] if has_object else [None]:
            url = admin_url(route_text, found[route_text], label, page, objects, where or "inside")
            for role in ROLES:
                response = by_role[role].get(url)
                leak = ""
                if role == "outsider" and page == "autocomplete":
                    leak = marker("partners.partner")
                elif role == "outsider" and page == "list" and ADMIN_MODELS[label].scoped:
                    leak = marker(label)
                check(response, admin_expected(label, page, role, where), url, role, failures, leak)
                checked += 1
                # The staff member does see their own rows: the outsider's check means something.
                if role == "staff" and page == "list" and ADMIN_MODELS[label].scoped and marker(label) not in body(response):
                    failures.append(f"    staff {url}: tidak menampilkan {marker(label)!r}")
    assert checked > 600
    assert not failures, "\n" + "\n".join(failures)


# A search each scoped changelist is opened with, and what it must show of the inside object
# (never the searched text itself: the search box repeats it).
LIST_SEARCH = {
    "regions.region": ("Kaliwungu", "33.24.08"),
    "regions.user": ("petugas", "petugas-matriks"),
    "regions.population": ("33.24.08", "Kaliwungu"),
    "regions.officialfigure": ("33.24.08", "Kaliwungu"),
    "regions.target": ("33.24.08", "Kaliwungu"),
    "outreach.venue": ("Balai", "Balai Desa Matriks"),
    "outreach.team": ("Tim", "Tim Matriks"),
    "partners.partner": ("Warung", "Warung Matriks"),
    "partners.agreement": ("PKS", "PKS/Matriks"),
    "regions.auditevent": ("33.24.08", "audit-matriks"),
}


def marker(label: str) -> str:
    return LIST_SEARCH[label][1]


def test_uploaded_files_and_exports_stay_in_their_regions(world):
    """Close-out photos, PKS PDFs, summary PDFs and charts, every export: inside for the office,
    404 for an outsider, /masuk/ for the anonymous; and an outsider's export holds none of Kendal."""
    users, objects = world
    by_role = clients(users)
    inside = objects["inside"]
    files = [
        (reverse("outreach:photo", kwargs={"pk": inside["photo"].pk}), b"\xff\xd8"),
        (reverse("partners:document", kwargs={"pk": inside["agreement"].pk}), b"%PDF-"),
        (reverse("outreach:summary_pdf", kwargs={"pk": inside["summary"].pk}), b"%PDF-"),
        (reverse("outreach:summary_chart", kwargs={"pk": inside["summary"].pk, "kind": "kumulatif"}), b"\x89PNG"),
        (reverse("outreach:dashboard_chart", kwargs={"code": "33.24.08", "kind": "kumulatif"}), b"\x89PNG"),
    ]
    for url, magic in files:
        for role in ("staff", "manager", "superuser"):
            response = by_role[role].get(url)
            assert response.status_code == 200 and body_bytes(response).startswith(magic), (role, url)
        assert by_role["outsider"].get(url).status_code == 404, url
        response = by_role["anonymous"].get(url)
        assert response.status_code == 302 and response["Location"].startswith(LOGIN), url
    for what in ("mitra", "pks", "rekap"):
        for fmt in ("csv", "xlsx"):
            url = reverse("partners:export", kwargs={"what": what, "fmt": fmt})
            assert by_role["anonymous"].get(url).status_code == 302
            outsider_export = body_bytes(by_role["outsider"].get(url))
            assert b"Matriks" not in outsider_export and b"PKS/Matriks" not in outsider_export, (what, fmt)
    own = body_bytes(by_role["staff"].get(reverse("partners:export", kwargs={"what": "pks", "fmt": "csv"})))
    assert b"PKS/Matriks" in own and b"PKS/Blitar" not in own
    # Dashboard downloads answer like the dashboard: 404 for Kendal's outsider.
    for table in ("kemajuan", "kegiatan", "hasil-jenis", "hasil-sasaran", "alasan", "belum-lapor"):
        url = reverse("outreach:dashboard", kwargs={"code": "33.24.08"}) + f"?unduh=csv&tabel={table}"
        assert by_role["outsider"].get(url).status_code == 404
        assert by_role["manager"].get(url).status_code == 200
    # Static files are public (served by WhiteNoise, outside the URL patterns).
    assert Client().get("/static/css/app.css").status_code == 200
    # A team feed with a forged or tampered token is refused.
    token = inside["team_token"].value
    assert Client().get(reverse("outreach:team_ics", kwargs={"token": token[:-2] + "xx"})).status_code == 404
    assert Client().get(reverse("outreach:team_ics", kwargs={"token": signing.dumps(inside["team"].pk)})).status_code == 404


def body_bytes(response) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content
