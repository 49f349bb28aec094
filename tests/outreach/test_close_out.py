import io
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Sum
from django.urls import reverse
from PIL import Image

from outreach.models import Activation, DailyCount, Session, SessionPhoto, Status
from outreach.services import activation_record


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def session(plan):
    return plan()


def photo(name="foto.jpg", size=(3000, 2000), fmt="JPEG", gps=True) -> SimpleUploadedFile:
    image = Image.new("RGB", size, (30, 120, 200))
    out = io.BytesIO()
    if gps and fmt == "JPEG":
        exif = Image.Exif()
        exif[0x8825] = {2: (7.0, 0.0, 0.0), 4: (110.0, 0.0, 0.0)}  # GPSInfo: latitude, longitude
        image.save(out, format=fmt, exif=exif)
    else:
        image.save(out, format=fmt)
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


def close(client, session, **extra):
    data = {"actual_participants": 73, "notes": "Listrik sempat padam"}
    data.update(extra)
    return client.post(reverse("outreach:close", kwargs={"pk": session.pk}), data)


def test_the_operator_closes_with_photos_resized_and_stripped(client_for, operator, session):
    response = close(client_for(operator), session, photos=[photo(), photo("b.png", (800, 600), "PNG")])
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.status == Status.DONE and session.close_out.actual_participants == 73
    stored = list(SessionPhoto.objects.order_by("pk"))
    assert [(p.width, p.height) for p in stored] == [(1600, 1067), (800, 600)]
    with Image.open(stored[0].image.path) as image:
        assert image.format == "JPEG" and max(image.size) <= 1600
        assert not image.getexif().get(0x8825)


def test_a_file_that_is_not_a_photo_or_too_many_photos_saves_nothing(client_for, operator, session):
    client = client_for(operator)
    fake = SimpleUploadedFile("foto.jpg", b"%PDF-1.4 not an image", content_type="image/jpeg")
    response = close(client, session, photos=[fake])
    assert "bukan foto" in response.content.decode()
    response = close(client, session, photos=[photo(f"{i}.jpg", (50, 50)) for i in range(6)])
    assert "Paling banyak 5 foto" in response.content.decode()
    session.refresh_from_db()
    assert session.status != Status.DONE and not SessionPhoto.objects.exists()


def test_photos_are_served_only_to_users_in_scope(client, client_for, operator, outsider, session, settings):
    close(client_for(operator), session, photos=[photo()])
    url = reverse("outreach:photo", kwargs={"pk": SessionPhoto.objects.get().pk})
    response = client_for(operator).get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert "private" in response["Cache-Control"]
    assert client_for(outsider).get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302
    # Nothing serves MEDIA_URL: the file path itself is not a URL of the site.
    assert client.get("/" + settings.MEDIA_URL + SessionPhoto.objects.get().image.name).status_code == 404


def test_a_closed_session_takes_no_results_until_staff_reopen_it(client_for, operator, staff, session):
    close(client_for(operator), session)
    post = {"service": "ikd", "nik": "3324080101900001", "result": "success", "idempotency_key": str(uuid.uuid4())}
    page = client_for(operator).post(reverse("outreach:log", kwargs={"pk": session.pk}), post).content.decode()
    assert "hasil tidak dapat dicatat lagi" in page
    assert client_for(operator).post(reverse("outreach:reopen", kwargs={"pk": session.pk})).status_code == 403
    detail = reverse("outreach:detail", kwargs={"pk": session.pk})
    assert "Buka kembali" not in client_for(operator).get(detail).content.decode()
    assert "Buka kembali" in client_for(staff).get(detail).content.decode()
    client_for(staff).post(reverse("outreach:reopen", kwargs={"pk": session.pk}))
    assert "Buka kembali" not in client_for(staff).get(detail).content.decode()
    session.refresh_from_db()
    assert session.status == Status.CONFIRMED
    assert client_for(operator).post(reverse("outreach:log", kwargs={"pk": session.pk}), post).status_code == 302


def test_staff_correct_a_mistaken_result_and_the_counts_follow(client_for, operator, staff, session):
    activation = activation_record(actor=operator, session=session, service="ikd", nik="3324080101900001",
                                   outcome="success", idempotency_key=uuid.uuid4()).activation
    url = reverse("outreach:results", kwargs={"pk": session.pk})
    assert client_for(operator).get(url).status_code == 403
    page = client_for(staff).get(url).content.decode()
    assert "••••0001" in page and "3324080101900001" not in page
    response = client_for(staff).post(url, {"activation": activation.pk, "reason": "NIK salah ketik"})
    assert response.status_code == 302
    assert not Activation.objects.exists()
    assert DailyCount.objects.aggregate(total=Sum("count"))["total"] == 0
    deleted = Activation.history.filter(history_type="-").get()
    assert (deleted.history_user, deleted.history_change_reason) == (staff, "NIK salah ketik")


def test_a_tally_page_counts_once_per_form(client_for, operator, outsider, session):
    from outreach.services import session_counts

    Session.objects.filter(pk=session.pk).update(offers_kia=True)
    session.refresh_from_db()
    url = reverse("outreach:tally", kwargs={"pk": session.pk})
    assert client_for(outsider).get(url).status_code == 404
    client = client_for(operator)
    page = client.get(url).content.decode()
    assert 'name="n_ikd_no_phone"' in page and 'name="n_kia_mismatch"' in page and 'name="n_kia_other"' in page
    assert "Tidak punya HP" in page and 'name="n_kia_no_phone"' not in page  # only IKD fails for want of a phone
    data = {"idempotency_key": str(uuid.uuid4()), "n_ikd_success": "40", "n_ikd_no_phone": "6", "n_ikd_face": ""}
    assert client.post(url, data).status_code == 302
    response = client.post(url, data, follow=True)
    assert "Rekap sudah tersimpan sebelumnya." in response.content.decode()
    assert session_counts(session)["ikd"] == {"success": 40, "failed": 6}
    response = client.post(url, {"idempotency_key": str(uuid.uuid4()), "n_ikd_success": "-3"})
    assert response.status_code == 200 and session_counts(session)["ikd"]["success"] == 40
    response = client.post(url, {"idempotency_key": str(uuid.uuid4())})
    assert "Isi paling sedikit satu jumlah." in response.content.decode()



def test_the_per_person_list_says_what_a_tally_added(client_for, operator, staff, session):
    """Counts without NIKs show on the session's totals but have no rows here: the page says so."""
    url = reverse("outreach:results", kwargs={"pk": session.pk})
    assert "rekap tanpa NIK" not in client_for(staff).get(url).content.decode()
    tally = {"idempotency_key": str(uuid.uuid4()), "n_ikd_success": "1200", "n_ikd_no_phone": "6"}
    client_for(operator).post(reverse("outreach:tally", kwargs={"pk": session.pk}), tally)
    page = client_for(staff).get(url).content.decode()
    assert "Kegiatan ini juga punya rekap tanpa NIK: 1.200 berhasil, 6 gagal." in page


def test_the_sessions_page_shows_what_it_yielded_people_and_tallies_together(client_for, operator, staff, session):
    client = client_for(operator)
    tally = {"idempotency_key": str(uuid.uuid4()), "n_ikd_success": "40", "n_ikd_no_phone": "6"}
    page = client.post(reverse("outreach:tally", kwargs={"pk": session.pk}), tally, follow=True).content.decode()
    assert "Hasil layanan" in page and "✓ 40</span>" in page and "✗ 6</span>" in page
    activation_record(actor=operator, session=session, service="ikd", outcome="success", nik="3324080101900001",
                      idempotency_key=uuid.uuid4())
    page = client_for(staff).get(reverse("outreach:detail", kwargs={"pk": session.pk})).content.decode()
    assert "✓ 41</span>" in page


def test_a_cancelled_session_shows_no_results_block(client_for, staff, session):
    from outreach.services import session_cancel

    session_cancel(actor=staff, session=session, reason="Banjir")
    page = client_for(staff).get(reverse("outreach:detail", kwargs={"pk": session.pk})).content.decode()
    assert "Hasil layanan" not in page
