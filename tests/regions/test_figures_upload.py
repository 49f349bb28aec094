import io
from datetime import date

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from regions.models import OfficialFigure, Population

URL = reverse("regions:figures_upload")
POPULATION = "region_code,as_of,population,wajib_ktp,children\n33.24,2025-12-31,,832474,265855\n33.24.08,2025-12-31,,70000,20000\n"


def upload(client, text: str, kind: str = "population", name: str = "data.csv", **extra):
    content = text.encode() if isinstance(text, str) else text
    return client.post(URL, {"kind": kind, "file": SimpleUploadedFile(name, content), **extra})


def test_staff_preview_then_confirm_and_a_second_confirm_adds_nothing(client_for, staff, kaliwungu):
    client = client_for(staff)
    response = upload(client, POPULATION)
    assert response.status_code == 200
    assert response.context["preview"].ok
    assert "2 baris siap disimpan" in response.content.decode()
    assert not Population.objects.exists()

    confirm = {"kind": "population", "text": response.context["text"], "confirm": "1"}
    response = client.post(URL, confirm, follow=True)
    assert "Tersimpan: 2 baru" in response.content.decode()
    assert Population.objects.get(region__code="33.24").wajib_ktp == 832_474

    response = client.post(URL, confirm, follow=True)
    assert "0 baru, 0 diperbarui, 2 tidak berubah" in response.content.decode()
    assert Population.objects.count() == 2


def test_every_bad_line_is_listed_and_nothing_is_written(client_for, staff, kendal, blitar):
    text = "region_code,indicator,as_of,count,source\n33.24,ikd,2025-12-31,124044,x\n35.72,ikd,2025-12-31,23000,x\n33.24,kartu,2025-12-31,1,x\n"
    response = upload(client_for(staff), text, kind="achievements")
    page = response.content.decode()
    assert "2 kesalahan" in page
    assert "wilayah 35.72 tidak dikenal atau di luar wilayah Anda" in page
    assert "indikator &#x27;kartu&#x27; tidak dikenal" in page
    assert 'name="confirm"' not in page
    assert not OfficialFigure.objects.exists()


def test_a_forged_confirmation_with_an_outside_row_writes_nothing(client_for, staff, kendal, blitar):
    text = "region_code,indicator,as_of,count,source\n33.24,ikd,2025-12-31,124044,x\n35.72,ikd,2025-12-31,23000,x\n"
    response = client_for(staff).post(URL, {"kind": "achievements", "text": text, "confirm": "1"})
    assert response.status_code == 200
    assert not response.context["preview"].ok
    assert not OfficialFigure.objects.exists()


def test_population_without_a_date_column_takes_the_date_field(client_for, staff, kendal):
    client = client_for(staff)
    response = upload(client, "region_code,population\n33.24,1094214\n", as_of="2025-04-25")
    assert response.context["preview"].ok
    client.post(URL, {"kind": "population", "text": response.context["text"], "as_of": "2025-04-25", "confirm": "1"})
    assert Population.objects.get().as_of == date(2025, 4, 25)

    response = upload(client, "region_code,population\n33.24,1094214\n")
    assert "tidak ada kolom as_of" in response.content.decode()


def test_an_xlsx_file_is_accepted(client_for, staff, kendal):
    book = Workbook()
    book.active.append(["region_code", "indicator", "as_of", "count", "source"])
    book.active.append(["33.24", "kia", date(2025, 12, 31), 220737, "Dukcapil Kendal"])
    content = io.BytesIO()
    book.save(content)
    client = client_for(staff)
    response = upload(client, content.getvalue(), kind="achievements", name="capaian.xlsx")
    assert response.context["preview"].ok
    client.post(URL, {"kind": "achievements", "text": response.context["text"], "confirm": "1"})
    assert OfficialFigure.objects.get().count == 220_737


def test_wrong_files_get_a_clear_message(client_for, staff):
    client = client_for(staff)
    assert "Pilih berkas .csv atau .xlsx" in upload(client, "x", name="data.pdf").content.decode()
    page = upload(client, "region_code\n33.24,Sémarang\n".encode("latin-1")).content.decode()
    assert "UTF-8" in page


def test_only_staff_upload(client, client_for, manager, operator):
    assert client_for(manager).get(URL).status_code == 403
    assert client_for(operator).post(URL, {"kind": "population"}).status_code == 403
    client.logout()
    response = client.get(URL)
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
