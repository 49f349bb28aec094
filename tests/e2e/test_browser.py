"""End to end, in Chromium on a 360 px phone screen: an operator, a manager and a citizen.

Each step leaves a screenshot in tests/e2e/screenshots/ (ignored by git) to look at.
"""

import datetime
import os
import re
import uuid

import pytest
from django.utils import timezone
from openpyxl import load_workbook
from PIL import Image
from playwright.sync_api import expect

from outreach.models import Activation, Status
from outreach.services import tally_record
from partners.models import Agreement, Benefit, Partner, Sector
from regions.models import OfficialFigure, Population, Region, Target
from tests.conftest import make_region
from tests.e2e.conftest import CHROMIUM, shot, sign_in

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists() and os.environ.get("CI") != "true",
    reason=f"{CHROMIUM} tidak ada (paket Debian `chromium`); di CI tes ini gagal, tidak dilewati",
)

ADULT = "3324080101900001"  # Kaliwungu, laki-laki, lahir 1 Januari 1990
NO_SUCH_DAY = "3324083102900001"  # 31 Februari
ADULT_WOMAN = "3324084101900002"


def choose_ikd(page) -> None:
    """The service buttons are labels over hidden radios: tap the label, as a thumb does."""
    page.get_by_text("Aktivasi IKD", exact=True).click()
    expect(page.get_by_role("radio", name="Aktivasi IKD")).to_be_checked()


def log_one(page, nik: str) -> None:
    """On the operator's page: IKD, this NIK, 'Berhasil' (already chosen), save."""
    choose_ikd(page)
    page.get_by_label("NIK (16 angka)").fill(nik)
    page.get_by_role("button", name="Simpan & berikutnya").click()


def charts_drawn(page) -> None:
    """The dashboard's two charts are lazy images: bring each into view and wait for its PNG."""
    charts = page.get_by_role("img", name=re.compile(r"^Grafik "))
    expect(charts).to_have_count(2)
    for chart in charts.all():
        chart.scroll_into_view_if_needed()
        expect(chart).to_have_js_property("complete", True)
        assert chart.evaluate("img => img.naturalWidth") > 0


def test_an_operator_logs_results_on_a_phone_and_closes_the_session(new_page, operator, plan, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    session = plan(date=timezone.localdate())
    page = new_page()

    sign_in(page, "oscar")
    expect(page.get_by_role("heading", name="Selamat datang, Oscar")).to_be_visible()
    # Today's session is on the first page, one tap from the log page.
    expect(page.get_by_role("link", name="Catat hasil")).to_have_attribute("href", f"/kegiatan/{session.pk}/catat/")
    shot(page, "operator-01-signed-in")

    # The menu is folded away on a phone.
    page.get_by_role("button", name="Buka menu").click()
    page.get_by_role("link", name="Kegiatan saya").click()
    expect(page.get_by_role("heading", name=re.compile(r"^Hari ini"))).to_be_visible()
    shot(page, "operator-02-my-sessions")
    page.get_by_role("link", name="Catat hasil").click()
    expect(page).to_have_url(re.compile(rf"/kegiatan/{session.pk}/catat/$"))

    nik = page.get_by_label("NIK (16 angka)")
    choose_ikd(page)
    nik.press_sequentially(ADULT)
    expect(nik).to_have_value("3324 0801 0190 0001")  # grouped by static/js/nik-input.js
    expect(page.get_by_text("Laki-laki, lahir 01-01-90")).to_be_visible()
    shot(page, "operator-03-nik-typed")
    page.get_by_role("button", name="Simpan & berikutnya").click()
    expect(page.get_by_role("status")).to_have_text("Tersimpan: Aktivasi IKD — Berhasil · NIK •••• •••• •••• 0001")
    expect(nik).to_be_empty()
    expect(page.get_by_title("berhasil").first).to_have_text("✓ 1")
    shot(page, "operator-04-saved")

    log_one(page, NO_SUCH_DAY)
    expect(page.get_by_text("Tanggal lahir pada NIK tidak ada (31-02) — periksa kembali kartu.")).to_be_visible()
    expect(nik).to_have_value("3324 0831 0290 0001")  # kept, to fix the typo
    shot(page, "operator-05-bad-nik")

    log_one(page, ADULT)
    expect(page.get_by_text(re.compile(r"^NIK ini sudah tercatat berhasil Aktivasi IKD pada Balai Desa Sumberejo"))).to_be_visible()
    expect(page.get_by_title("berhasil").first).to_have_text("✓ 1")
    shot(page, "operator-06-duplicate")

    page.get_by_role("link", name="Rincian kegiatan").click()
    page.get_by_role("link", name="Tutup kegiatan").click()
    expect(page.get_by_role("heading", name="Tutup kegiatan")).to_be_visible()
    photo = tmp_path / "balai-desa.jpg"
    Image.new("RGB", (320, 240), (30, 120, 200)).save(photo, format="JPEG")
    page.get_by_label("Jumlah peserta yang datang").fill("25")
    page.get_by_label("Catatan").fill("Antrean lancar")
    page.get_by_label("Foto kegiatan").set_input_files(photo)
    shot(page, "operator-07-close-form")
    page.get_by_role("button", name="Tutup kegiatan").click()

    expect(page.get_by_role("status")).to_have_text("Kegiatan ditutup. Terima kasih.")
    expect(page.get_by_text("Selesai", exact=True).first).to_be_visible()
    expect(page.get_by_text("25 peserta datang.")).to_be_visible()
    expect(page.get_by_role("link", name="Catat hasil")).to_have_count(0)
    image = page.get_by_role("img", name="Foto kegiatan")
    image.scroll_into_view_if_needed()
    expect(image).to_have_js_property("complete", True)
    assert image.evaluate("img => img.naturalWidth") == 320
    shot(page, "operator-08-closed")

    assert Activation.objects.filter(session=session, outcome="success").count() == 1
    assert Activation.objects.count() == 1  # the bad NIK and the duplicate saved nothing
    session.refresh_from_db()
    assert session.status == Status.DONE
    assert session.photos.count() == 1


def test_the_nik_hints_typed_in_the_browser_speak_english_when_chosen(new_page, operator, plan):
    session = plan(date=timezone.localdate())
    page = new_page()
    sign_in(page, "oscar")
    page.get_by_role("button", name="English").click()
    page.goto(f"/kegiatan/{session.pk}/catat/")
    nik = page.get_by_label("NIK (16 digits)")
    nik.press_sequentially(ADULT[:4])
    expect(page.get_by_text("12 more digits")).to_be_visible()
    nik.press_sequentially(ADULT[4:])
    expect(page.get_by_text("Male, born 01-01-90")).to_be_visible()
    nik.fill("")
    nik.press_sequentially(NO_SUCH_DAY)
    expect(page.get_by_text("The birth date in the NIK does not exist — check the card again")).to_be_visible()


def test_the_log_page_shows_the_chosen_services_own_failure_reasons(new_page, operator, plan):
    session = plan(date=timezone.localdate(), offers_kia=True)
    page = new_page()
    sign_in(page, "oscar")
    page.goto(f"/kegiatan/{session.pk}/catat/")
    no_phone = page.locator("label", has_text="Tidak punya HP")
    choose_ikd(page)
    no_phone.click()
    page.locator("label", has_text="Penerbitan KIA").click()
    expect(no_phone).to_be_hidden()  # a KIA does not fail for want of a phone; the choice is cleared
    expect(page.locator("input[value=no_phone]")).not_to_be_checked()
    expect(page.locator("label", has_text="Data tidak cocok di SIAK")).to_be_visible()
    choose_ikd(page)
    expect(no_phone).to_be_visible()


def test_a_manager_sees_the_dashboard_move_and_downloads_xlsx(new_page, manager, operator, kendal, kaliwungu, plan, tmp_path):
    today = timezone.localdate()
    Target.objects.create(region=None, year=today.year, indicator="ikd", percent=30, due=datetime.date(today.year, 12, 31))
    counted_from = today - datetime.timedelta(days=7)
    Population.objects.create(region=kendal, as_of=counted_from, wajib_ktp=832_474)
    Population.objects.create(region=kaliwungu, as_of=counted_from, wajib_ktp=60_000)
    OfficialFigure.objects.create(region=kendal, indicator="ikd", as_of=counted_from, count=124_044)
    # Outreach since that figure, as a tally of an earlier session; it also gives a pace (with
    # almost none, the projected date falls beyond the year 9999 and the page fails).
    earlier = plan(date=today - datetime.timedelta(days=3))
    tally_record(actor=operator, session=earlier, counts={("ikd", "success", ""): 3_000}, idempotency_key=uuid.uuid4())
    session = plan(date=today)

    boss = new_page()
    sign_in(boss, "bob")
    boss.goto("/laporan/33.24/")
    expect(boss.get_by_role("heading", name=re.compile(r"sesuai jalur\?$"))).to_be_visible()
    expect(boss.get_by_text("127.044 / 832.474", exact=True)).to_be_visible()
    charts_drawn(boss)
    shot(boss, "manager-01-dashboard-before")

    # Meanwhile the operator records one activation on their phone.
    phone = new_page()
    sign_in(phone, "oscar")
    phone.goto(f"/kegiatan/{session.pk}/catat/")
    log_one(phone, ADULT_WOMAN)
    expect(phone.get_by_role("status")).to_contain_text("Tersimpan: Aktivasi IKD — Berhasil")

    boss.reload()
    expect(boss.get_by_text("127.045 / 832.474", exact=True)).to_be_visible()
    charts_drawn(boss)
    shot(boss, "manager-02-dashboard-after")

    # The first XLSX link is the progress table's (Kendal, then its kecamatan).
    with boss.expect_download() as download_info:
        boss.get_by_role("link", name="XLSX").first.click()
    download = download_info.value
    assert download.suggested_filename == f"kemajuan-33.24-ikd-{today:%Y%m%d}.xlsx"
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    rows = list(load_workbook(path, read_only=True).active.values)
    table = [dict(zip(rows[0], row)) for row in rows[1:]]
    assert [row["region_code"] for row in table] == ["33.24", "33.24.08"]
    assert table[0]["achieved"] == 127_045 and table[0]["base"] == 832_474
    assert table[1]["achieved"] == 3_001


def test_staff_import_a_paper_list_from_a_sessions_page_after_a_preview(new_page, staff, plan, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    session = plan()
    paper = tmp_path / "daftar.csv"
    paper.write_text("nik,service,outcome,failure_reason,date,married,village_code,session\n"
                     f"{ADULT},ikd,success,,,,,\n1234,ikd,success,,,,,\n")
    page = new_page({"width": 1366, "height": 900})
    sign_in(page, "alice")
    page.goto(f"/kegiatan/{session.pk}/")
    page.get_by_role("link", name="Impor daftar hasil").click()
    expect(page.get_by_text("Untuk kegiatan: Balai Desa Sumberejo")).to_be_visible()

    page.get_by_label("Berkas CSV atau XLSX").set_input_files(paper)
    page.get_by_role("button", name="Periksa berkas").click()
    expect(page.get_by_role("status")).to_contain_text("1 akan disimpan, 0 sudah ada, 1 ditolak.")
    expect(page.get_by_role("cell", name="NIK harus 16 angka (tertulis 4) — periksa kembali kartu.")).to_be_visible()
    shot(page, "staff-01-import-preview")
    assert not Activation.objects.exists()

    page.get_by_role("button", name="Simpan 1 baris").click()
    expect(page.get_by_role("status")).to_contain_text("1 disimpan, 0 sudah ada, 1 ditolak.")
    shot(page, "staff-02-import-saved")
    assert Activation.objects.get().session == session


def test_a_list_imported_without_a_session_is_found_from_the_import_page_not_among_todays(new_page, staff, plan, settings,
                                                                                        tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    visit = plan(date=timezone.localdate())
    paper = tmp_path / "daftar.csv"
    paper.write_text("nik,service,outcome,failure_reason,date,married,village_code,session\n"
                     f"{ADULT_WOMAN},ikd,success,,{visit.date:%Y-%m-%d},,33.24.08.2003,\n")
    page = new_page()
    sign_in(page, "alice")
    page.goto("/hasil/impor/")
    page.get_by_label("Berkas CSV atau XLSX").set_input_files(paper)
    page.get_by_role("button", name="Periksa berkas").click()
    page.get_by_role("button", name="Simpan 1 baris").click()
    expect(page.get_by_role("status")).to_contain_text("1 disimpan, 0 sudah ada, 0 ditolak.")

    page.goto("/")
    today = page.get_by_role("region", name=re.compile("^Kegiatan hari ini"))
    expect(today).to_contain_text("Balai Desa Sumberejo")
    expect(today).not_to_contain_text("Impor daftar")

    page.goto("/hasil/impor/")
    page.get_by_text("Hasil yang diimpor tanpa kegiatan (1 kantor)").click()
    shot(page, "staff-03-import-lists")
    page.get_by_role("link", name=re.compile("^Impor daftar")).click()
    expect(page.get_by_role("cell", name=re.compile("0002"))).to_be_visible()
    shot(page, "staff-04-import-list-results")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def test_a_citizen_finds_a_partner_and_a_public_session(new_page, kendal, kaliwungu, plan, school):
    today = timezone.localdate()
    village = make_region("33.24.08.2003", "Sumberejo")
    partner = Partner.objects.create(
        business_name="Warung Bu Sri", owner_name="Sri Wahyuni", sector=Sector.FOOD, address="Jl. Pemuda 5",
        village=village, whatsapp="6281234567890",
    )
    start, end = today - datetime.timedelta(days=30), today + datetime.timedelta(days=300)
    agreement = Agreement.objects.create(
        office=kendal, partner=partner, number="PKS/001", title="Potongan harga untuk pemegang KIA/IKD",
        signed_on=start, valid_from=start, valid_until=end, office_signatory="Kepala Dinas", partner_signatory="Sri Wahyuni",
    )
    Benefit.objects.create(agreement=agreement, card="kia", kind="percent", value=10, terms="setiap pembelian",
                           valid_from=start, valid_until=end)
    next_week = today + datetime.timedelta(days=7)
    plan(date=next_week)  # Balai Desa: announced
    plan(date=next_week, venue=school, start_time=datetime.time(13), end_time=datetime.time(15))  # a school: not announced

    page = new_page()
    page.goto("/mitra/")
    expect(page.get_by_role("heading", name="Di mana KIA/IKD saya berlaku?")).to_be_visible()
    page.get_by_label("Kecamatan").select_option("33.24.08")
    page.get_by_label("Kartu").select_option("kia")
    page.get_by_role("button", name="Cari").click()
    expect(page).to_have_url(re.compile(r"kecamatan=33\.24\.08"))
    card = page.get_by_role("article").filter(has=page.get_by_role("heading", name="Warung Bu Sri"))
    expect(card).to_contain_text("Potongan 10% untuk pemegang KIA: setiap pembelian")
    expect(card.get_by_role("link", name="Hubungi lewat WhatsApp")).to_have_attribute("href", re.compile(r"^https://wa\.me/6281234567890"))
    shot(page, "citizen-01-partner-directory")

    page.get_by_role("link", name="Jadwal").click()
    expect(page.get_by_role("heading", name="Jadwal jemput bola Dukcapil")).to_be_visible()
    shot(page, "citizen-02-schedule-index")
    page.get_by_role("link", name=re.compile(re.escape(Region.objects.get(code="33.24").name))).click()
    expect(page).to_have_url(re.compile(r"/jadwal/33\.24/$"))
    sessions = page.get_by_role("article")
    expect(sessions).to_have_count(1)
    expect(sessions.get_by_role("heading", name="Balai Desa Sumberejo")).to_be_visible()
    expect(sessions).to_contain_text("Aktivasi IKD")
    expect(page.get_by_text("SMA Negeri 1 Kaliwungu")).to_have_count(0)
    expect(sessions.get_by_role("link", name="Bagikan ke WhatsApp")).to_be_visible()
    shot(page, "citizen-03-regency-schedule")
