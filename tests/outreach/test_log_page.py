"""The operator's page: one person at a time, nothing twice, the NIK nowhere after the form."""

import datetime
import html
import io
import logging
import os
import re
import uuid

import pytest
from django.core.management import call_command
from django.urls import reverse

from outreach.models import Activation

NIK = "3324080101900001"


@pytest.fixture
def session(plan):
    return plan(offers_kia=True)


def url(session):
    return reverse("outreach:log", kwargs={"pk": session.pk})


def post(client, session, **extra):
    data = {"service": "ikd", "nik": "3324 0801 0190 0001", "result": "success", "idempotency_key": str(uuid.uuid4())}
    data.update(extra)
    return client.post(url(session), data)


def test_the_operator_saves_and_gets_an_empty_form_for_the_next_person(client_for, operator, session):
    client = client_for(operator)
    page = client.get(url(session)).content.decode()
    assert 'inputmode="numeric"' in page and 'autocomplete="off"' in page and "Simpan & berikutnya" in page
    response = post(client, session)
    assert response.status_code == 302 and response.url.endswith("?layanan=ikd")
    page = client.get(response.url).content.decode()
    assert "Tersimpan: Aktivasi IKD — Berhasil · NIK •••• •••• •••• 0001" in page
    assert NIK not in page and "3324 0801 0190 0001" not in page
    assert re.search(r"✓ 1</span>", page)
    assert Activation.objects.count() == 1


def test_a_resubmitted_form_counts_once(client_for, operator, session):
    client = client_for(operator)
    key = str(uuid.uuid4())
    post(client, session, idempotency_key=key)
    response = post(client, session, idempotency_key=key)
    assert "Sudah tersimpan sebelumnya" in client.get(response.url).content.decode()
    response = post(client, session, idempotency_key=key, result="no_phone")
    assert "Formulir ini sudah dipakai untuk data lain" in response.content.decode()
    assert Activation.objects.count() == 1


def test_a_bad_nik_comes_back_in_that_response_only_with_its_message(client_for, operator, session):
    client = client_for(operator)
    response = post(client, session, nik="3324083102900001")
    page = response.content.decode()
    assert response.status_code == 200
    assert "Tanggal lahir pada NIK tidak ada (31-02)" in page
    assert 'value="3324083102900001"' in page  # kept so the typo can be fixed
    assert "3324083102900001" not in client.get(url(session)).content.decode()
    assert not Activation.objects.exists()


def test_an_unknown_kecamatan_asks_for_confirmation(client_for, operator, session):
    client = client_for(operator)
    page = post(client, session, nik="3324990101900001").content.decode()
    assert "Kode kecamatan 33.24.99" in page and 'name="confirm_district"' in page
    response = post(client, session, nik="3324990101900001", confirm_district="on")
    assert response.status_code == 302
    assert Activation.objects.get().district_code == "33.24.99"


def test_a_missing_choice_says_what_to_do_and_saves_nothing(client_for, operator, session):
    client = client_for(operator)
    page = post(client, session, service="", result="", nik="").content.decode()
    assert "Pilih layanan dulu." in page and "Pilih hasil: Berhasil atau alasan gagalnya." in page
    assert "Isi NIK dari kartu (16 angka)." in page
    assert "NIK harus 16 angka" in post(client, session, nik="3" * 30).content.decode()
    assert not Activation.objects.exists()


def test_a_session_with_one_service_has_it_chosen_already(client_for, operator, session, plan):
    client = client_for(operator)
    two = client.get(url(session)).content.decode()
    assert not re.search(r'<input[^>]*name="service"[^>]*checked', two)
    one = client.get(url(plan(date=session.date + datetime.timedelta(days=7)))).content.decode()
    assert re.search(r'<input[^>]*name="service"[^>]*value="ikd"[^>]*checked', one)


def test_each_service_offers_its_own_failure_reasons(client_for, operator, session, plan):
    client = client_for(operator)
    page = client.get(url(session)).content.decode()
    # Both services' reasons, each naming its services: log-reasons.js shows the chosen one's.
    assert re.search(r'value="no_phone" data-services="ikd">', page)
    assert re.search(r'value="mismatch" data-services="ikd kia">', page)
    assert re.search(r'value="success"( checked)?>', page)  # success fits every service
    kia_only = client.get(url(plan(date=session.date + datetime.timedelta(days=7), offers_ikd=False, offers_kia=True)))
    page = kia_only.content.decode()
    assert re.findall(r'name="result" id="[^"]+" value="(\w+)"', page) == ["success", "mismatch", "other"]


def test_a_reason_the_service_cannot_fail_for_is_refused_next_to_it(client_for, operator, session):
    client = client_for(operator)
    response = post(client, session, service="kia", nik="3324080106150003", result="no_phone")
    assert response.status_code == 200 and not Activation.objects.exists()
    assert ("Alasan 'Tidak punya HP' tidak berlaku untuk Penerbitan KIA. Pilih 'Data tidak cocok di SIAK' atau "
            "'Lainnya'.") in html.unescape(response.content.decode())
    assert post(client, session, service="kia", nik="3324080106150003", result="mismatch").status_code == 302
    assert Activation.objects.get().failure_reason == "mismatch"


@pytest.mark.parametrize("status, words", [("done", "sudah selesai"), ("cancelled", "sudah dibatalkan")])
def test_a_session_no_longer_open_shows_why_instead_of_the_forms(client_for, operator, session, status, words):
    session.status = status
    session.status_reason = "Banjir" if status == "cancelled" else ""
    session.save()
    client = client_for(operator)
    for name in ("outreach:log", "outreach:tally"):
        page = client.get(reverse(name, kwargs={"pk": session.pk})).content.decode()
        assert f"Kegiatan ini {words}: hasil tidak dapat dicatat lagi." in page
        assert ("staf kantor dapat membuka kembali" in page) == (status == "done")
        assert 'name="nik"' not in page and 'type="submit" class="btn btn-primary btn-lg' not in page
    # A form sent from a page opened before the close stores nothing.
    assert post(client, session).status_code == 200
    assert not Activation.objects.exists()


def test_managers_get_403_and_outsiders_404(client_for, manager, outsider, session):
    assert client_for(manager).get(url(session)).status_code == 403
    assert client_for(outsider).get(url(session)).status_code == 404
    assert post(client_for(outsider), session).status_code == 404
    assert not Activation.objects.exists()


def test_the_page_issues_a_bounded_number_of_queries(client_for, operator, session, django_assert_max_num_queries):
    client = client_for(operator)
    for index in range(5):
        post(client, session, nik=f"33240801019000{index + 1:02d}")
    with django_assert_max_num_queries(8):
        assert client.get(url(session)).status_code == 200


def test_a_save_reads_only_what_it_must(client_for, operator, session, django_assert_max_num_queries, settings):
    """The user, their regions and the session are read; then the row, its audit event and the
    counts are written. A new form for a new person needs no look-up first: the unique
    constraints refuse a replay or a second success at the insert. (The same statements run
    prepared or not; unprepared, Django can show their SQL: config/db.py.)"""
    settings.DATABASE_PREPARED_SAVES = False
    client = client_for(operator)
    post(client, session)
    # SQLite writes the counts in two statements, PostgreSQL in one; a savepoint wraps them in tests.
    with django_assert_max_num_queries(9) as captured:
        assert post(client, session, nik="3324084101900002").status_code == 302
    reads = [query["sql"] for query in captured.captured_queries if query["sql"].startswith("SELECT")]
    assert [sql.split(" FROM ")[1].split()[0] for sql in reads] == ['"regions_user"', '"regions_region"', '"outreach_session"']


def test_a_submitted_nik_is_found_nowhere_in_the_database_or_the_logs(client_for, operator, session, caplog):
    caplog.set_level(logging.DEBUG)
    client = client_for(operator)
    post(client, session)
    post(client, session, nik="3324084101900002", result="face")
    post(client, session, nik="33240801019000")  # refused: too short
    dump = io.StringIO()
    call_command("dumpdata", stdout=dump)
    for nik in ("3324080101900001", "3324084101900002", "33240801019000"):
        assert nik not in dump.getvalue()
        assert nik not in caplog.text
    assert Activation.objects.count() == 2


def prepared_inserts() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE 'INSERT INTO \"outreach_activation\"%%'")
        return cursor.fetchone()[0]


needs_postgresql = pytest.mark.skipif(not os.environ.get("DATABASE_URL"), reason="butuh PostgreSQL (DATABASE_URL)")


@needs_postgresql
def test_a_save_runs_as_prepared_statements_and_pages_do_not(client_for, operator, session):
    """The save's statements are prepared on the connection and reused by the next save; after
    it the connection's defaults are back (client-side binding, nothing prepared), so the page
    itself and every other page keep PostgreSQL's custom plans (config/db.py)."""
    from django.db import connection
    from django.db.backends.postgresql.base import Cursor

    client = client_for(operator)
    assert post(client, session).status_code == 302
    assert prepared_inserts() == 1
    assert post(client, session, nik="3324080101900002").status_code == 302
    assert prepared_inserts() == 1 and Activation.objects.count() == 2  # reused, not prepared again
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE '%%FROM \"outreach_session\" INNER JOIN%%'")
        assert cursor.fetchone()[0] == 1  # the session look-up, the dearest to plan
    assert connection.connection.prepare_threshold is None
    assert connection.connection.cursor_factory is Cursor  # Django's client-side binding again
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_prepared_statements")
        prepared = cursor.fetchone()[0]
        client.get(url(session))
        cursor.execute("SELECT count(*) FROM pg_prepared_statements")
        assert cursor.fetchone()[0] == prepared


@needs_postgresql
def test_prepared_saves_can_be_turned_off_for_a_pooler(client_for, operator, session, settings):
    settings.DATABASE_PREPARED_SAVES = False
    assert post(client_for(operator), session).status_code == 302
    assert prepared_inserts() == 0 and Activation.objects.count() == 1
