import csv
import datetime
import io
import smtplib
from unittest import mock

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from partners import tasks, views
from partners.models import Agreement, Partner, ReminderSent, Sector
from partners.services import directory, reminders_send
from tests.partners.conftest import TODAY


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


# ---- Reminders ---------------------------------------------------------------------------------------


def test_reminders_go_once_per_agreement_and_threshold(staff, partner, agreement_for, kendal):
    staff.email = "alice@dukcapil.example"
    staff.save()
    agreement_for(partner, number="A/1", end=TODAY + datetime.timedelta(days=10))   # expiring
    agreement_for(partner, number="A/2", end=TODAY - datetime.timedelta(days=1))    # expired
    agreement_for(partner, number="A/3", end=TODAY + datetime.timedelta(days=90))   # fine
    agreement_for(partner, number="A/4", signed=False, end=TODAY + datetime.timedelta(days=5))  # draft: no reminder
    assert reminders_send(office=kendal, today=TODAY) == 2
    assert reminders_send(office=kendal, today=TODAY) == 0
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["alice@dukcapil.example"]
    body = mail.outbox[0].body
    assert "A/1 — Warung Bu Sri: berakhir dalam 30 hari" in body and "A/2 — Warung Bu Sri: sudah berakhir" in body
    assert "A/3" not in body and "A/4" not in body
    # Thirty days later A/1 has expired: one more e-mail, for that threshold only.
    assert reminders_send(office=kendal, today=TODAY + datetime.timedelta(days=11)) == 1
    assert ReminderSent.objects.count() == 3


def test_a_reminder_the_mail_server_refused_is_not_claimed_and_goes_next_time(staff, partner, agreement_for, kendal):
    staff.email = "alice@dukcapil.example"
    staff.save()
    agreement_for(partner, number="A/1", end=TODAY + datetime.timedelta(days=10))
    with mock.patch("partners.services.send_mail", side_effect=smtplib.SMTPServerDisconnected("down")):
        with pytest.raises(smtplib.SMTPServerDisconnected):
            reminders_send(office=kendal, today=TODAY)
    assert not ReminderSent.objects.exists()
    assert reminders_send(office=kendal, today=TODAY) == 1 and len(mail.outbox) == 1
    assert reminders_send(office=kendal, today=TODAY) == 0


def test_the_daily_task_fans_out_per_office_and_is_safe_to_run_twice(staff, partner, agreement_for, celery_eager):
    staff.email = "alice@dukcapil.example"
    staff.save()
    agreement_for(partner, end=TODAY + datetime.timedelta(days=3))
    with mock.patch("django.utils.timezone.localdate", return_value=TODAY):
        tasks.send_agreement_reminders.apply()
        tasks.send_agreement_reminders.apply()
    assert len(mail.outbox) == 1


# ---- Directory ---------------------------------------------------------------------------------------


def test_the_directory_shows_only_benefits_in_force(client, partner, blitar_partner, agreement_for):
    live = agreement_for(partner, number="LIVE")
    agreement_for(blitar_partner, number="DRAFT", signed=False)
    expired_partner = blitar_partner
    agreement_for(expired_partner, number="OLD", start=datetime.date(2025, 1, 1), end=datetime.date(2025, 12, 31))
    ended = agreement_for(partner, number="ENDED", terminated_on=datetime.date(2026, 3, 1), termination_reason="Tutup")
    entries = directory(today=TODAY)
    assert [entry.partner for entry in entries] == [partner]
    assert [b.agreement for b in entries[0].benefits] == [live]
    assert ended not in [b.agreement for b in entries[0].benefits]
    with mock.patch("django.utils.timezone.localdate", return_value=TODAY):
        page = client.get(reverse("partners:directory")).content.decode()
    assert "Warung Bu Sri" in page and "Toko Buku Blitar" not in page
    assert "Potongan 10% untuk pemegang KIA: setiap pembelian" in page and "https://wa.me/6281234567890" in page
    # No coordinates were entered: the map link searches for the village, its kecamatan and its regency.
    assert 'href="https://www.openstreetmap.org/search?query=Sumberejo%2C+Kaliwungu%2C+Kabupaten+Kendal"' in page


def test_the_directory_filters_by_kecamatan_sector_and_card(partner, agreement_for):
    agreement_for(partner)
    assert directory(today=TODAY, district="33.24.08")
    assert not directory(today=TODAY, district="33.24.01")
    assert directory(today=TODAY, sector="makanan") and not directory(today=TODAY, sector="jasa")
    assert directory(today=TODAY, card="kia") and not directory(today=TODAY, card="ikd")


# ---- Staff pages, exports, documents -----------------------------------------------------------------


def test_staff_see_their_partners_and_outsiders_do_not(client_for, staff, outsider, partner, agreement_for):
    agreement_for(partner)
    assert "Warung Bu Sri" in client_for(staff).get(reverse("partners:list")).content.decode()
    assert "Warung Bu Sri" not in client_for(outsider).get(reverse("partners:list")).content.decode()


def test_exports_make_formula_cells_safe(client_for, staff, partner, agreement_for):
    partner.business_name = "=HYPERLINK(\"http://x\",\"klik\")"
    partner.owner_name = "@SUM(A1)"
    partner.save()
    client = client_for(staff)
    response = client.get(reverse("partners:export", kwargs={"what": "mitra", "fmt": "csv"}))
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[1][0] == "'=HYPERLINK(\"http://x\",\"klik\")" and rows[1][1] == "'@SUM(A1)"
    response = client.get(reverse("partners:export", kwargs={"what": "mitra", "fmt": "xlsx"}))
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet["A2"].value.startswith("'=") and sheet["A2"].data_type == "s"
    assert client.get(reverse("partners:export", kwargs={"what": "pks", "fmt": "csv"})).status_code == 200


def test_the_signed_pdf_is_private_and_checked_by_content(client, client_for, staff, outsider, partner, agreement_for):
    agreement = agreement_for(partner)
    url = f"/admin/partners/agreement/{agreement.pk}/change/"
    form = {
        "office": agreement.office_id, "partner": partner.pk, "number": agreement.number, "title": agreement.title,
        "signed_on": "2026-01-01", "valid_from": "2026-01-01", "valid_until": "2026-12-31",
        "office_signatory": "Kepala Dinas", "partner_signatory": "Sri", "termination_reason": "",
        "benefits-TOTAL_FORMS": "0", "benefits-INITIAL_FORMS": "0", "benefits-MIN_NUM_FORMS": "0", "benefits-MAX_NUM_FORMS": "1000",
    }
    fake = SimpleUploadedFile("pks.pdf", b"GIF89a not a pdf", content_type="application/pdf")
    response = client_for(staff).post(url, {**form, "document": fake})
    assert response.status_code == 200 and "Dokumen harus berkas PDF." in response.content.decode()
    real = SimpleUploadedFile("pks.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF", content_type="application/pdf")
    response = client_for(staff).post(url, {**form, "document": real})
    assert response.status_code == 302
    document = reverse("partners:document", kwargs={"pk": agreement.pk})
    response = client_for(staff).get(document)
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"%PDF-")
    assert client_for(outsider).get(document).status_code == 404
    client.logout()
    assert client.get(document).status_code == 302


def test_the_admin_normalises_whatsapp_and_refuses_a_bad_nib(client_for, staff, partner):
    form = {"business_name": "Salon Ayu", "owner_name": "Ayu", "nib": "12345", "sector": "jasa", "address": "Jl. A",
            "village": partner.village_id, "whatsapp": "0812 9999 8888", "is_active": "on",
            "recaps-TOTAL_FORMS": "0", "recaps-INITIAL_FORMS": "0", "recaps-MIN_NUM_FORMS": "0", "recaps-MAX_NUM_FORMS": "1000"}
    response = client_for(staff).post("/admin/partners/partner/add/", form)
    assert "NIB harus 13 angka" in response.content.decode()
    response = client_for(staff).post("/admin/partners/partner/add/", {**form, "nib": ""})
    assert response.status_code == 302
    from partners.models import Partner

    assert Partner.objects.get(business_name="Salon Ayu").whatsapp == "6281299998888"


def test_staff_enter_monthly_recaps_and_renew_in_the_admin(client_for, staff, partner, agreement_for):
    agreement = agreement_for(partner)
    client = client_for(staff)
    form = {"business_name": partner.business_name, "owner_name": partner.owner_name, "nib": "", "sector": "makanan",
            "address": partner.address, "village": partner.village_id, "whatsapp": "0812 3456 7890", "is_active": "on",
            "recaps-TOTAL_FORMS": "1", "recaps-INITIAL_FORMS": "0", "recaps-MIN_NUM_FORMS": "0", "recaps-MAX_NUM_FORMS": "1000",
            "recaps-0-month": "2026-05-01", "recaps-0-kia_users": "12", "recaps-0-ikd_users": "30"}
    response = client.post(f"/admin/partners/partner/{partner.pk}/change/", form)
    assert response.status_code == 302
    recap = partner.recaps.get()
    assert (recap.kia_users, recap.ikd_users, recap.entered_by) == (12, 30, staff)

    client.post("/admin/partners/agreement/", {"action": "renew_for_a_year", "_selected_action": [agreement.pk]})
    renewal = Agreement.objects.get(renewal_of=agreement)
    assert (renewal.number, renewal.valid_from, renewal.valid_until) == ("PKS/001-P", datetime.date(2027, 1, 1), datetime.date(2027, 12, 31))
    assert renewal.signed_on is None


def test_a_logo_is_checked_resized_and_shown_publicly(client, client_for, staff, partner, agreement_for):
    from PIL import Image

    agreement_for(partner)
    form = {"business_name": partner.business_name, "owner_name": partner.owner_name, "nib": "", "sector": "makanan",
            "address": partner.address, "village": partner.village_id, "whatsapp": "081234567890", "is_active": "on",
            "recaps-TOTAL_FORMS": "0", "recaps-INITIAL_FORMS": "0", "recaps-MIN_NUM_FORMS": "0", "recaps-MAX_NUM_FORMS": "1000"}
    url = f"/admin/partners/partner/{partner.pk}/change/"
    bad = SimpleUploadedFile("logo.png", b"<svg onload=alert(1)>", content_type="image/png")
    assert "bukan foto" in client_for(staff).post(url, {**form, "logo": bad}).content.decode()
    picture = io.BytesIO()
    Image.new("RGB", (1200, 900), (200, 50, 50)).save(picture, format="PNG")
    response = client_for(staff).post(url, {**form, "logo": SimpleUploadedFile("logo.png", picture.getvalue(), content_type="image/png")})
    assert response.status_code == 302
    client.logout()
    response = client.get(reverse("partners:logo", kwargs={"pk": partner.pk}))
    assert response.status_code == 200
    with Image.open(io.BytesIO(b"".join(response.streaming_content))) as logo:
        assert max(logo.size) == 400


def test_the_partner_pages_issue_a_bounded_number_of_queries(client, client_for, staff, partner, agreement_for, django_assert_max_num_queries):
    from partners.models import Partner

    for index in range(8):
        other = Partner.objects.create(business_name=f"Usaha {index}", owner_name="X", sector="jasa", address="Jl. A",
                                       village=partner.village, whatsapp=f"62812345678{index:02d}")
        agreement_for(other, number=f"N/{index}")
    staff_client = client_for(staff)
    with django_assert_max_num_queries(10):
        assert staff_client.get(reverse("partners:list")).status_code == 200
    client.logout()
    with django_assert_max_num_queries(3):
        assert client.get(reverse("partners:directory")).status_code == 200


def test_the_report_counts_partners_and_agreements_in_force_per_kecamatan_and_sector(staff, outsider, partner, blitar_partner, agreement_for):
    from partners.services import partner_report

    agreement_for(partner, number="A")
    agreement_for(partner, number="B", signed=False)
    agreement_for(blitar_partner, number="C")
    report = partner_report(user=staff, today=TODAY)
    assert [(row["village__parent__code"], row["partners"], row["active"]) for row in report.by_region] == [("33.24.08", 1, 1)]
    assert [(row["label"], row["partners"], row["active"]) for row in report.by_sector] == [("Makanan dan minuman", 1, 1)]
    assert [(row["month"].month, row["count"]) for row in report.signed_per_month] == [(1, 1)]
    assert partner_report(user=outsider, today=TODAY).by_sector[0]["label"] == "Pendidikan dan buku"


def test_an_outsider_cannot_open_a_kendal_partner_or_agreement(client_for, outsider, partner, agreement_for):
    agreement = agreement_for(partner)
    client = client_for(outsider)
    for url in (f"/admin/partners/partner/{partner.pk}/change/", f"/admin/partners/agreement/{agreement.pk}/change/"):
        response = client.get(url, follow=True)
        assert response.redirect_chain[-1][0] == "/admin/" and "Warung Bu Sri" not in response.content.decode()
    for what in ("mitra", "pks", "rekap"):
        assert "Warung Bu Sri" not in client.get(reverse("partners:export", kwargs={"what": what, "fmt": "csv"})).content.decode("utf-8-sig")


def test_the_partner_list_comes_a_page_at_a_time(client_for, staff, partner, agreement_for, monkeypatch,
                                                 django_assert_max_num_queries):
    monkeypatch.setattr(views, "PARTNERS_PER_PAGE", 2)
    for n in range(4):
        agreement_for(Partner.objects.create(business_name=f"Toko {n}", owner_name="Ani", sector=Sector.FOOD,
                                             address="Jl. 1", village=partner.village, whatsapp="6281234567890"),
                      number=f"PKS/1{n}")
    client = client_for(staff)
    with django_assert_max_num_queries(16):
        first = client.get(reverse("partners:list"))
    assert [p.business_name for p, _agreements in first.context["rows"]] == ["Toko 0", "Toko 1"]
    assert "Halaman 1 dari 3 · 5 mitra" in first.content.decode()
    last = client.get(reverse("partners:list"), {"halaman": "3"})
    assert [p.business_name for p, _agreements in last.context["rows"]] == ["Warung Bu Sri"]
    assert "Sebelumnya" in last.content.decode() and "Berikutnya" not in last.content.decode()
