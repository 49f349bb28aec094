"""Staff create many operator accounts from a CSV: preview every line, then confirm."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from regions.models import User
from tests.conftest import can_sign_in, make_region

URL = reverse("regions:accounts_import")
HEADER = "username,nama,email,wilayah\n"


def upload(client, text: str | bytes):
    content = text.encode() if isinstance(text, str) else text
    return client.post(URL, {"file": SimpleUploadedFile("akun.csv", content)})


def test_every_bad_line_is_shown_and_nothing_is_created(client_for, staff, operator, kaliwungu):
    make_region("35.72.01")
    text = HEADER + (
        "op.satu,Satu,satu@example.org,33.24.08\n"   # 2: fine
        ",Tanpa Nama,,33.24.08\n"                     # 3: empty username
        "op.dua,Dua,bukan-email,33.24.08\n"           # 4: bad e-mail
        "op.tiga,Tiga,,35.72.01\n"                    # 5: outside the staff's regions
        "op.empat,Empat,,99.99.99\n"                  # 6: unknown region
        "oscar,Oscar Lagi,,33.24.08\n"                # 7: username taken
        "op.satu,Satu Lagi,,33.24.08\n"               # 8: twice in the file
    )
    users = User.objects.count()
    response = upload(client_for(staff), text)
    rows = {row.line: row.errors for row in response.context["rows"]}
    assert rows[2] == []
    assert rows[3] == ["username kosong"]
    assert rows[4] == ["alamat email tidak valid"]
    assert rows[5] == ["wilayah 35.72.01 tidak dikenal atau di luar wilayah Anda"]
    assert rows[6] == ["wilayah 99.99.99 tidak dikenal atau di luar wilayah Anda"]
    assert rows[7] == ["username oscar sudah dipakai"]
    assert rows[8] == ["username op.satu sudah ada di baris 2"]
    assert 'name="confirm"' not in response.content.decode()
    assert User.objects.count() == users


def test_staff_cannot_give_the_staff_role(client_for, staff, kaliwungu):
    response = upload(client_for(staff), "username,nama,email,wilayah,peran\nop.boss,Boss,,33.24.08,staff\n")
    assert response.context["rows"][0].errors == ["peran 'staff' tidak boleh Anda berikan"]


def test_a_good_file_is_confirmed_once_and_its_passwords_work(client_for, staff, kaliwungu):
    client = client_for(staff)
    text = HEADER + "op.satu,Siti Aminah,siti@example.org,33.24.08\nop.dua,Budi,,33.24.08;33.24\n"
    preview = upload(client, text)
    assert not preview.context["has_errors"]
    assert not User.objects.filter(username__startswith="op.").exists()

    confirm = {"text": preview.context["text"], "confirm": "1"}
    response = client.post(URL, confirm)
    created = {account.username: account.password for account in response.context["created"]}
    assert set(created) == {"op.satu", "op.dua"}
    assert "no-store" in response["Cache-Control"]
    siti = User.objects.get(username="op.satu")
    assert (siti.first_name, siti.last_name, siti.role) == ("Siti", "Aminah", User.Role.OPERATOR)
    assert [r.code for r in User.objects.get(username="op.dua").regions.order_by("code")] == ["33.24", "33.24.08"]
    for username, password in created.items():
        assert can_sign_in(username, password)
        assert password in response.content.decode()

    again = client.post(URL, confirm)
    assert "sudah dipakai" in again.content.decode()
    assert User.objects.filter(username__startswith="op.").count() == 2


def test_an_outsider_cannot_create_accounts_in_kendal(client_for, outsider, kaliwungu):
    response = client_for(outsider).post(URL, {"text": HEADER + "op.x,X,,33.24.08\n", "confirm": "1"})
    assert response.context["rows"][0].errors == ["wilayah 33.24.08 tidak dikenal atau di luar wilayah Anda"]
    assert not User.objects.filter(username="op.x").exists()


def test_missing_and_unreadable_files_get_a_clear_message(client_for, staff):
    client = client_for(staff)
    assert "Pilih berkas CSV terlebih dahulu." in client.post(URL, {}).content.decode()
    assert "UTF-8" in upload(client, "username,nama,email,wilayah\nop,Sémarang,,33.24\n".encode("latin-1")).content.decode()
    assert "kolom tidak ada: wilayah" in upload(client, "username,nama,email\nop,X,\n").content.decode()


def test_only_staff_import_accounts(client, client_for, manager, operator):
    assert client_for(manager).get(URL).status_code == 403
    assert client_for(operator).get(URL).status_code == 403
    client.logout()
    response = client.get(URL)
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
