"""Importing a list of activations: every bad line with its reason, nothing twice, counts exact,
scoped to the importer's regions, and the NIK never whole in the rejects file."""

import csv
import datetime
import importlib
import io
import logging
import os
import re
import tempfile
import uuid
import zipfile

import pytest
from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import number_format
from openpyxl import Workbook

from outreach import activation_import, tasks, views
from outreach.activation_import import IMPORT_NAME, KEY_NAMESPACE, activations_import
from outreach.models import Activation, DailyCount, Outcome, Session, Status
from outreach.nik import check_nik
from outreach.privacy import nik_hash
from outreach.services import _digest, activation_record, daily_counts_rebuild, tally_record
from regions.imports import ImportRejected
from tests.conftest import make_region, make_user
from tests.outreach.conftest import MONDAY

HEADER = "nik,service,outcome,failure_reason,date,married,village_code,session"
VILLAGE = "33.24.08.2003"  # Sumberejo, Kaliwungu, Kendal (the `village` fixture)
OTHER_VILLAGE = "33.24.08.2004"
BLITAR_VILLAGE = "35.72.03.1001"
ADULT = "3324080101900001"  # a man born 1 January 1990, issued in Kaliwungu
WOMAN = "3324084101900002"
CHILD = "3324080106150003"  # born 1 June 2015
DAY = MONDAY.isoformat()
NEXT_DAY = (MONDAY + datetime.timedelta(days=1)).isoformat()
FULL_NIK = re.compile(r"\d{16}")


def adult(serial: int) -> str:
    return f"33240801019{serial:05d}"


def csv_bytes(*lines: str, header: str = HEADER) -> bytes:
    return ("\n".join([header, *lines]) + "\n").encode("utf-8")


def run(actor, content: bytes, filename: str = "hasil.csv", **extra):
    return activations_import(actor=actor, path_or_file=io.BytesIO(content), filename=filename, **extra)


def rejected_lines(result) -> dict[int, str]:
    reader = csv.DictReader(io.StringIO(result.rejects_bytes().decode("utf-8-sig")))
    return {int(row["line"]): row["reason"] for row in reader}


def counts_by_key() -> dict[tuple, int]:
    rows = DailyCount.objects.values("village_id", "service", "outcome", "failure_reason", "day").annotate(total=Sum("count"))
    return {(r["village_id"], r["service"], r["outcome"], r["failure_reason"], r["day"]): r["total"]
            for r in rows.order_by() if r["total"]}


@pytest.fixture(autouse=True)
def private_files(settings, tmp_path, monkeypatch):
    settings.MEDIA_ROOT = tmp_path / "media"
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))


@pytest.fixture
def villages(village):
    return {VILLAGE: village, OTHER_VILLAGE: make_region(OTHER_VILLAGE), BLITAR_VILLAGE: make_region(BLITAR_VILLAGE)}


@pytest.fixture
def session(plan):
    return plan(offers_kia=True)


# ---- Rejected lines -------------------------------------------------------------------------


def test_each_bad_line_is_rejected_with_its_reason_and_the_good_ones_are_stored(staff, villages):
    future = (timezone.localdate() + datetime.timedelta(days=3)).isoformat()
    result = run(staff, csv_bytes(
        f"{ADULT},ikd,success,,{DAY},,{VILLAGE},",                  # 2 stored
        f"33240801019,ikd,success,,{DAY},,{VILLAGE},",              # 3 NIK too short
        f"{adult(4)},paspor,success,,{DAY},,{VILLAGE},",            # 4 unknown service
        f"{adult(5)},ikd,gagal,,{DAY},,{VILLAGE},",                 # 5 failed without a reason
        f"{adult(6)},ikd,berhasil,,{DAY},,33.24.08.9999,",          # 6 no such village
        f"{adult(7)},ikd,success,,{DAY},,{BLITAR_VILLAGE},",        # 7 a village outside Kendal
        f"{adult(8)},ikd,success,,{future},,{VILLAGE},",            # 8 not yet happened
        f"{ADULT},ikd,success,,{NEXT_DAY},,{VILLAGE},",             # 9 second success, same file
        f"{adult(10)},ikd,success,no_phone,{DAY},,{VILLAGE},",      # 10 reason with a success
        f"{CHILD},kia,success,,{DAY},tidak,{VILLAGE},",             # 11 stored
        f"{adult(12)},kia,success,,{DAY},,{VILLAGE},",              # 12 KIA for an adult
        f"{WOMAN},ikd,failed,lupa,{DAY},,{VILLAGE},",               # 13 unknown reason
        f"{WOMAN},ektp,failed,mismatch,31/12/2025x,,{VILLAGE},",    # 14 not a date
        f"{WOMAN},ikd,failed,face,{DAY},mungkin,{VILLAGE},",        # 15 married not yes/no
        f"3324080101900000,ikd,success,,{DAY},,{VILLAGE},",         # 16 serial 0000
        f"3324080101900017,ikd,success,,{DAY},,,",                  # 17 no village and no session
        f"{CHILD[:-1]}8,kia,failed,no_phone,{DAY},,{VILLAGE},",     # 18 a reason only IKD fails for
    ))
    assert (result.saved, result.existing, result.rejected) == (2, 0, 15)
    reasons = rejected_lines(result)
    assert sorted(reasons) == [3, 4, 5, 6, 7, 8, 9, 10, 12, 13, 14, 15, 16, 17, 18]
    assert reasons[3].startswith("NIK harus 16 angka (tertulis 11)")
    assert reasons[4] == "layanan 'paspor' tidak dikenal (isi ikd, ektp atau kia)"
    assert reasons[5].startswith("alasan gagal wajib diisi bila hasilnya gagal")
    assert reasons[6] == "desa/kelurahan 33.24.08.9999 tidak dikenal atau di luar wilayah Anda"
    assert reasons[7] == f"desa/kelurahan {BLITAR_VILLAGE} tidak dikenal atau di luar wilayah Anda"
    assert reasons[8] == f"tanggal {future} belum terjadi: hasil dicatat pada tanggal terjadinya"
    assert reasons[9] == "NIK ini sudah berhasil Aktivasi IKD di baris 2 berkas ini"
    assert reasons[10] == "alasan gagal harus kosong bila hasilnya berhasil"
    assert reasons[12] == "Umur 35 tahun: KIA hanya untuk anak di bawah 17 tahun."
    assert reasons[13].startswith("alasan gagal 'lupa' tidak dikenal")
    assert "bukan tanggal" in reasons[14]
    assert reasons[15].startswith("married 'mungkin' tidak dikenal")
    assert "0000" in reasons[16]
    assert reasons[17] == "desa/kelurahan (kosong) tidak dikenal atau di luar wilayah Anda"
    assert reasons[18] == "alasan gagal 'no_phone' tidak berlaku untuk layanan kia (isi mismatch, other)"
    assert [error.line for error in result.rejects_preview] == sorted(reasons)

    stored = {(a.service, a.nik_last4, a.outcome, a.happened_on, a.village.code) for a in Activation.objects.select_related("village")}
    assert stored == {("ikd", "0001", "success", MONDAY, VILLAGE), ("kia", "0003", "success", MONDAY, VILLAGE)}


def test_a_success_already_stored_is_a_rejected_line_and_a_failure_is_still_taken(staff, operator, session, villages):
    activation_record(actor=operator, session=session, service="ikd", nik=ADULT, outcome=Outcome.SUCCESS,
                      idempotency_key=uuid.uuid4())
    result = run(staff, csv_bytes(
        f"{ADULT},ikd,success,,{NEXT_DAY},,{OTHER_VILLAGE},",
        f"{ADULT},ikd,failed,no_phone,{NEXT_DAY},,{OTHER_VILLAGE},",
        f"{ADULT},ektp,success,,{NEXT_DAY},,{OTHER_VILLAGE},",
    ))
    assert (result.saved, result.existing, result.rejected) == (2, 0, 1)
    assert rejected_lines(result) == {2: f"NIK ini sudah tercatat berhasil Aktivasi IKD pada {DAY}"}
    assert Activation.objects.filter(service="ikd", outcome="success").count() == 1


def test_a_cancelled_or_postponed_session_takes_no_imported_results(staff, plan, session, villages):
    from outreach.services import session_cancel
    from regions.imports import ImportRejected

    cancelled = session_cancel(actor=staff, session=plan(start_time=datetime.time(13), end_time=datetime.time(15)),
                               reason="Banjir")
    result = run(staff, csv_bytes(f"{ADULT},ikd,success,,,,,{cancelled.pk}", f"{WOMAN},ikd,success,,,,,{session.pk}"))
    assert (result.saved, result.rejected) == (1, 1)
    assert rejected_lines(result) == {2: f"kegiatan {cancelled.pk} dibatalkan atau ditunda: hasilnya tidak dapat diimpor"}
    assert Activation.objects.get().session == session
    # The same session for the whole file is refused before any line is read.
    with pytest.raises(ImportRejected):
        run(staff, csv_bytes(f"{adult(3)},ikd,success,,,,,"), session=cancelled.pk)
    assert Activation.objects.count() == 1


def test_another_office_is_not_told_where_the_earlier_success_was(operator, session, blitar, villages):
    activation_record(actor=operator, session=session, service="ikd", nik=ADULT, outcome=Outcome.SUCCESS,
                      idempotency_key=uuid.uuid4())
    blitar_staff = make_user("dina", "staff", [blitar])
    result = run(blitar_staff, csv_bytes(f"{ADULT},ikd,success,,{NEXT_DAY},,{BLITAR_VILLAGE},"))
    assert rejected_lines(result) == {2: "NIK ini sudah tercatat berhasil Aktivasi IKD di tempat lain"}


def test_a_second_success_in_a_later_batch_of_the_same_file_is_rejected(staff, villages, monkeypatch):
    monkeypatch.setattr(activation_import, "BATCH_SIZE", 2)
    result = run(staff, csv_bytes(
        f"{ADULT},ikd,success,,{DAY},,{VILLAGE},",
        f"{WOMAN},ikd,success,,{DAY},,{VILLAGE},",
        f"{adult(3)},ikd,success,,{DAY},,{VILLAGE},",
        f"{ADULT},ikd,success,,{NEXT_DAY},,{OTHER_VILLAGE},",
        f"{ADULT},ikd,success,,{DAY},,{VILLAGE},",  # the very same line as line 2: already there
    ))
    assert (result.saved, result.existing, result.rejected) == (3, 1, 1)
    assert rejected_lines(result) == {5: f"NIK ini sudah tercatat berhasil Aktivasi IKD pada {DAY}"}


def test_the_reasons_speak_the_importers_language_though_a_helper_thread_checks_the_rows(staff, villages):
    """`check` runs in the importer's helper thread; translations are per thread."""
    with translation.override("en"):
        result = run(staff, csv_bytes(
            f"33240801019,ikd,success,,{DAY},,{VILLAGE},",
            f"{adult(3)},ikd,success,,{DAY},,33.24.08.9999,",
            f"{ADULT},ikd,success,,{DAY},,{VILLAGE},",
        ))
    assert (result.saved, result.rejected) == (1, 2)
    assert rejected_lines(result) == {
        2: "A NIK has 16 digits (11 typed) — check the card again.",
        3: "village 33.24.08.9999 is unknown or outside your regions",
    }


# ---- The natural key --------------------------------------------------------------------------


MIXED = csv_bytes(
    f"{ADULT},ikd,success,,{DAY},,{VILLAGE},",
    f"{WOMAN},ikd,gagal,no_phone,{DAY},,{VILLAGE},",
    f"{WOMAN},ikd,gagal,no_phone,{DAY},,{VILLAGE},",           # the same line twice in one file
    f"{WOMAN},ikd,failed,face,{NEXT_DAY},,{OTHER_VILLAGE},",
    f"{CHILD},kia,success,,24-11-2025,,{VILLAGE},",
    f"{adult(9)},ektp,success,,{DAY},ya,{VILLAGE},",
    f"not-a-nik,ikd,success,,{DAY},,{VILLAGE},",
)


def test_importing_the_same_file_twice_adds_nothing(staff, villages):
    first = run(staff, MIXED)
    assert (first.saved, first.existing, first.rejected) == (5, 1, 1)
    stored, counts = Activation.objects.count(), counts_by_key()
    assert stored == 5 and sum(counts.values()) == 5

    again = run(staff, MIXED)
    assert (again.saved, again.existing, again.rejected) == (0, 6, 1)
    assert Activation.objects.count() == stored
    assert counts_by_key() == counts


def test_a_dry_run_gives_the_imports_figures_and_rejects_and_keeps_nothing(staff, operator, session, villages,
                                                                          monkeypatch):
    from regions.models import AuditEvent

    monkeypatch.setattr(activation_import, "BATCH_SIZE", 2)  # later batches must see the earlier ones
    activation_record(actor=operator, session=session, service="ikd", nik=ADULT, outcome=Outcome.SUCCESS,
                      idempotency_key=uuid.uuid4())
    run(staff, csv_bytes(f"{CHILD},kia,success,,{DAY},,{VILLAGE},"))
    content = csv_bytes(
        f"{WOMAN},ikd,failed,face,{NEXT_DAY},,{OTHER_VILLAGE},",  # new, in a new import session
        f"{ADULT},ikd,success,,{NEXT_DAY},,{OTHER_VILLAGE},",  # succeeded at the session before
        f"{adult(9)},ektp,success,,{DAY},,{VILLAGE},",  # new
        f"{adult(9)},ektp,success,,{DAY},,{VILLAGE},",  # line 4 again
        f"{adult(9)},ektp,success,,{NEXT_DAY},,{VILLAGE},",  # a second success, in the next batch
        f"not-a-nik,ikd,success,,{DAY},,{VILLAGE},",
        f"{CHILD},kia,success,,{DAY},,{VILLAGE},",  # stored by the import above
    )
    kept = (Activation.objects.count(), counts_by_key(), Session.objects.count(), AuditEvent.objects.count())

    preview = run(staff, content, dry_run=True)
    assert (preview.saved, preview.existing, preview.rejected) == (2, 2, 3)
    assert preview.summary() == "2 akan disimpan, 2 sudah ada, 3 ditolak"
    assert (Activation.objects.count(), counts_by_key(), Session.objects.count(), AuditEvent.objects.count()) == kept

    result = run(staff, content)
    assert (result.saved, result.existing, result.rejected) == (2, 2, 3)
    assert rejected_lines(result) == rejected_lines(preview)
    assert set(rejected_lines(result)) == {3, 6, 7}
    running = counts_by_key()
    assert sum(running.values()) == Activation.objects.count() == 4
    daily_counts_rebuild()
    assert counts_by_key() == running


def test_the_key_is_derived_from_the_nik_hash_not_the_nik(staff, villages):
    run(staff, csv_bytes(f"{WOMAN},ikd,failed,no_email,{DAY},ya,{VILLAGE},"))
    activation = Activation.objects.get()
    key_id, hashed = nik_hash(WOMAN)
    assert (activation.nik_key_id, activation.nik_hash) == (key_id, hashed)
    assert activation.idempotency_key == uuid.uuid5(KEY_NAMESPACE, f"{hashed}|ikd|{DAY}|failed|no_email")
    assert activation.idempotency_key != uuid.uuid5(KEY_NAMESPACE, f"{WOMAN}|ikd|{DAY}|failed|no_email")
    assert activation.content_digest == _digest(activation.session_id, "ikd", hashed, "failed", "no_email", "", True)
    assert (activation.sex, activation.birth_year, activation.district_code, activation.married) == ("P", 1990, "33.24.08", True)
    assert activation.created_by == staff


@pytest.mark.parametrize("service, outcome, reason", [("ikd", "success", ""), ("ektp", "failed", "mismatch"),
                                                     ("kia", "failed", "other")])
def test_the_written_out_key_is_uuid5_of_the_natural_key(service, outcome, reason):
    row = activation_import._Row(1, {}, service=service, outcome=outcome, reason=reason, day=datetime.date(2025, 11, 27))
    for hashed in ("0" * 64, "f" * 64, nik_hash(WOMAN)[1]):
        expected = uuid.uuid5(KEY_NAMESPACE, f"{hashed}|{service}|2025-11-27|{outcome}|{reason}").hex
        assert activation_import._natural_key(hashed, row) == expected


def test_a_file_imported_before_a_key_rotation_is_still_recognised(staff, villages, settings):
    settings.NIK_HMAC_KEYS = [("k1", "first-secret")]
    assert run(staff, MIXED).saved == 5
    settings.NIK_HMAC_KEYS = [("k1", "first-secret"), ("k2", "second-secret")]
    again = run(staff, MIXED)
    assert (again.saved, again.existing, again.rejected) == (0, 6, 1)
    assert Activation.objects.count() == 5


# ---- Files ---------------------------------------------------------------------------------


def xlsx_bytes(rows: list[list]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER.split(","))
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_a_mixed_xlsx_file_stores_the_good_rows_and_rejects_the_bad(staff, villages):
    content = xlsx_bytes([
        [ADULT, "ikd", "berhasil", None, MONDAY, None, VILLAGE, None],
        [WOMAN, "IKD", "Gagal", "no_data", "24/11/2025", "tidak", OTHER_VILLAGE, None],
        [int(adult(3)), "ektp", "success", None, datetime.datetime(2025, 11, 25), 0, VILLAGE, None],
        ["3324080101900004", "ikd", "success", None, MONDAY, None, BLITAR_VILLAGE, None],
        [None, None, None, None, None, None, None, None],
        ["3324080101", "ikd", "success", None, MONDAY, None, VILLAGE, None],
    ])
    result = run(staff, content, filename="daftar.xlsx")
    assert (result.saved, result.existing, result.rejected) == (3, 0, 2)
    assert set(rejected_lines(result)) == {5, 7}  # line 6 is blank and keeps its number
    assert set(Activation.objects.values_list("nik_last4", "happened_on")) == {
        ("0001", MONDAY), ("0002", MONDAY), ("0003", MONDAY + datetime.timedelta(days=1)),
    }
    assert run(staff, content, filename="daftar.xlsx").existing == 3


def test_an_xlsx_row_keeps_its_sheet_row_number_after_a_cell_on_two_lines(staff, villages):
    content = xlsx_bytes([
        ["3324\n0801", "ikd", "success", None, MONDAY, None, VILLAGE, None],  # sheet row 2, two lines in a cell
        [ADULT, "sidik jari", "success", None, MONDAY, None, VILLAGE, None],  # sheet row 3
        [adult(2), "ikd", "success", None, MONDAY, "TRUE", VILLAGE, None],  # a spreadsheet's boolean word
    ])
    result = run(staff, content, filename="daftar.xlsx")
    assert (result.saved, result.rejected) == (1, 2)
    assert set(rejected_lines(result)) == {2, 3}
    assert Activation.objects.get().married is True


BILLION_LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(b'<!ENTITY lol%d "%s">' % (n, (b"&lol%d;" % (n - 1) if n > 1 else b"&lol;") * 10) for n in range(1, 10))
    + b']><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1">'
    b'<c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row></sheetData></worksheet>'
)


@pytest.mark.parametrize("damage", [
    lambda sheet: sheet[: len(sheet) // 2],  # cut off in the middle of the rows
    lambda sheet: BILLION_LAUGHS,  # an entity expansion bomb: expat refuses it
], ids=["truncated", "entity-bomb"])
def test_a_workbook_damaged_inside_is_refused_whole(staff, villages, damage):
    good = xlsx_bytes([[adult(n), "ikd", "success", None, MONDAY, None, VILLAGE, None] for n in range(1, 4)])
    damaged = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(good)) as source, zipfile.ZipFile(damaged, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = damage(data)
            target.writestr(item, data)
    with pytest.raises(ImportRejected) as refused:
        run(staff, damaged.getvalue(), filename="daftar.xlsx")
    assert "XLSX" in str(refused.value)
    assert Activation.objects.count() == 0


def test_a_mixed_csv_with_a_bom_and_extra_columns_is_read(staff, villages):
    content = "\ufeffNIK,Nama,Service,Outcome,Failure_Reason,Date,Village_Code\n".encode()
    content += f"{ADULT},Budi,ikd,success,,{DAY},{VILLAGE}\n\n{WOMAN},Sari,ikd,failed,,{DAY},{VILLAGE}\n".encode()
    result = run(staff, content)
    assert (result.saved, result.rejected) == (1, 1)
    assert list(rejected_lines(result)) == [4]
    assert b"Sari" not in result.rejects_bytes()  # columns the import does not know are not copied


@pytest.mark.parametrize(
    ("content", "words"),
    [
        ("nik,service\n".encode(), "kolom tidak ada: outcome"),
        (HEADER.encode("utf-16-le"), "UTF-8"),
        ("nik,service,outcome\n3324,ikd,gagal é\n".encode("latin-1"), "UTF-8"),
        (b"", "berkas kosong"),
        (b"PK\x03\x04 not really a workbook", "XLSX"),
    ],
)
def test_a_file_that_cannot_be_read_stores_nothing(staff, villages, content, words):
    with pytest.raises(ImportRejected) as refused:
        run(staff, content, filename="daftar.xlsx" if content.startswith(b"PK") else "hasil.csv")
    assert words in str(refused.value)
    assert Activation.objects.count() == 0


# ---- Sessions ------------------------------------------------------------------------------


def test_rows_of_a_session_take_its_village_and_date(staff, session, villages):
    result = run(staff, csv_bytes(
        f"{ADULT},ikd,success,,,,,{session.pk}",
        f"{WOMAN},ikd,failed,face,{NEXT_DAY},,,{session.pk}",   # another date than the session's
        f"{WOMAN},ektp,failed,mismatch,{DAY},,,{session.pk}",   # not offered at this session
        f"{adult(5)},ikd,success,,,,{OTHER_VILLAGE},{session.pk}",
        f"{adult(6)},ikd,success,,,,,99999999",
    ))
    assert (result.saved, result.rejected) == (2, 3)
    reasons = rejected_lines(result)
    assert reasons[3] == f"tanggal {NEXT_DAY} berbeda dengan tanggal kegiatan ({DAY})"
    assert reasons[4] == "layanan Perekaman KTP-el tidak dibuka pada kegiatan ini"
    assert reasons[6] == "kegiatan 99999999 tidak ada atau di luar wilayah Anda"
    assert set(Activation.objects.values_list("session", "village__code", "happened_on")) == {
        (session.pk, VILLAGE, MONDAY), (session.pk, OTHER_VILLAGE, MONDAY),
    }


def test_the_session_argument_applies_to_rows_without_one(staff, session, villages):
    result = run(staff, csv_bytes(f"{ADULT},ikd,success,,,,,"), session=session.pk)
    assert result.saved == 1
    assert Activation.objects.get().session == session


def test_rows_without_a_session_go_to_the_office_import_session(staff, villages):
    result = run(staff, csv_bytes(f"{ADULT},ikd,success,,{DAY},,{VILLAGE},", f"{WOMAN},ikd,success,,{NEXT_DAY},,{OTHER_VILLAGE},"))
    assert result.saved == 2
    holder = Session.objects.select_related("venue", "team").get(venue__name=IMPORT_NAME)
    assert set(Activation.objects.values_list("session", flat=True)) == {holder.pk}
    assert (holder.status, holder.is_public, holder.venue.is_active, holder.venue.village.code) == (Status.DONE, False, False, "33.24")
    assert holder.team.office.code == "33.24"
    # The activation's own village and date are what counts, not the holder's.
    assert set(Activation.objects.values_list("village__code", "happened_on")) == {
        (VILLAGE, MONDAY), (OTHER_VILLAGE, MONDAY + datetime.timedelta(days=1)),
    }
    run(staff, csv_bytes(f"{adult(3)},ikd,success,,{DAY},,{VILLAGE},"))
    assert Session.objects.filter(venue__name=IMPORT_NAME).count() == 1


# ---- Counts --------------------------------------------------------------------------------


def test_daily_counts_equal_a_recount_after_imports(staff, operator, session, villages, monkeypatch):
    monkeypatch.setattr(activation_import, "BATCH_SIZE", 3)
    activation_record(actor=operator, session=session, service="ikd", nik=adult(90), outcome=Outcome.SUCCESS,
                      idempotency_key=uuid.uuid4())
    tally_record(actor=operator, session=session, counts={("ikd", "success", ""): 4}, idempotency_key=uuid.uuid4())
    run(staff, MIXED)
    lines = []
    for serial in range(20, 40):
        outcome, reason = ("success", "") if serial % 3 else ("failed", "no_phone")
        where = VILLAGE if serial % 2 else OTHER_VILLAGE
        lines.append(f"{adult(serial)},ikd,{outcome},{reason},{NEXT_DAY if serial % 4 else DAY},,{where},")
    run(staff, csv_bytes(*lines))
    run(staff, csv_bytes(*lines))  # again: nothing changes

    running = counts_by_key()
    assert sum(running.values()) == 1 + 4 + 5 + 20
    rolled = roll_ups()
    assert sum(rolled[("33.24", "ikd", "success")].values()) == sum(
        n for (_village, service, outcome, *_rest), n in running.items() if (service, outcome) == ("ikd", "success"))
    daily_counts_rebuild()
    assert counts_by_key() == running
    assert roll_ups() == rolled


def roll_ups():
    """The regency's and the country's successes and failures per day, as the reports read them."""
    from outreach import counts

    found = {}
    for code in ("ID", "33.24"):
        region = make_region(code)
        for service, outcome in (("ikd", "success"),):
            found[(code, service, outcome)] = counts.successes_by_day([region], service, through=NEXT_DAY)[region.pk]
    return found


# ---- Who may import ------------------------------------------------------------------------


def test_an_outsider_cannot_import_into_another_region(outsider, session, villages):
    result = run(outsider, csv_bytes(f"{ADULT},ikd,success,,{DAY},,{VILLAGE},", f"{WOMAN},ikd,success,,,,,{session.pk}"))
    assert (result.saved, result.rejected) == (0, 2)
    assert rejected_lines(result) == {
        2: f"desa/kelurahan {VILLAGE} tidak dikenal atau di luar wilayah Anda",
        3: f"kegiatan {session.pk} tidak ada atau di luar wilayah Anda",
    }
    with pytest.raises(ImportRejected, match="tidak ada atau di luar wilayah Anda"):
        run(outsider, csv_bytes(f"{ADULT},ikd,success,,,,,"), session=session.pk)
    assert Activation.objects.count() == 0 and DailyCount.objects.count() == 0


@pytest.mark.parametrize("who", ["operator", "manager"])
def test_only_staff_import(request, who, villages):
    with pytest.raises(PermissionDenied):
        run(request.getfixturevalue(who), csv_bytes(f"{ADULT},ikd,success,,{DAY},,{VILLAGE},"))
    assert Activation.objects.count() == 0


# ---- Privacy -------------------------------------------------------------------------------


def test_the_rejects_file_never_holds_a_full_nik(staff, villages, caplog):
    caplog.set_level(logging.DEBUG)
    future = (timezone.localdate() + datetime.timedelta(days=3)).isoformat()
    niks = [ADULT, WOMAN, adult(3), adult(4), "9924080101900005"]
    result = run(staff, csv_bytes(
        f"{ADULT},ikd,success,,{future},,{VILLAGE},",             # a valid NIK, rejected for its date
        f'"{WOMAN[:4]} {WOMAN[4:8]} {WOMAN[8:12]} {WOMAN[12:]}",kia,success,,{DAY},,{VILLAGE},',
        f"{adult(3)},ikd,success,,{DAY},,{adult(4)},",            # a NIK typed in the village column
        f"9924080101900005,ikd,success,,{DAY},,{VILLAGE},",       # unknown province
    ))
    assert result.rejected == 4
    text = result.rejects_bytes().decode("utf-8-sig")
    assert not FULL_NIK.search(text.replace(" ", "").replace("-", ""))
    for nik in niks:
        assert nik not in text and nik[4:] not in text.replace(" ", "")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [row["nik"] for row in rows] == ["•••• •••• •••• 0001", "•••• •••• •••• 0002", "•••• •••• •••• 0003",
                                            "•••• •••• •••• 0005"]
    assert rows[2]["village_code"] == "•••• •••• •••• 0004"
    assert rows[2]["reason"] == "desa/kelurahan •••• •••• •••• 0004 tidak dikenal atau di luar wilayah Anda"
    assert "0004" in str(result.rejects_preview) and adult(4) not in str(result.rejects_preview)
    assert not any(nik in caplog.text for nik in niks)


def test_check_nik_outside_an_import_still_asks_the_database(staff, villages):
    run(staff, csv_bytes(f"{ADULT},ikd,success,,{DAY},,{VILLAGE},"))
    make_region("33.24.77")  # a kecamatan added after the import's cache was filled
    assert check_nik("3324770101900001", on=MONDAY, service="ikd", married=False).warnings == []


# ---- The command ---------------------------------------------------------------------------


def test_the_command_prints_the_counts_and_where_the_rejects_are(staff, superuser, villages, tmp_path):
    path = tmp_path / "daftar.csv"
    path.write_bytes(csv_bytes(f"{ADULT},ikd,success,,{DAY},,{VILLAGE},", f"{WOMAN},ikd,failed,,{DAY},,{VILLAGE},"))
    out = io.StringIO()
    call_command("import_activations", str(path), "--dry-run", stdout=out)
    assert out.getvalue().splitlines()[0] == "1 akan disimpan, 0 sudah ada, 1 ditolak"
    assert not Activation.objects.exists()
    out = io.StringIO()
    call_command("import_activations", str(path), stdout=out)
    printed = out.getvalue().splitlines()
    assert printed[0] == "1 disimpan, 0 sudah ada, 1 ditolak"
    # The import's own time and pace, in Indonesian number format (2 rows: "2 baris per detik" or more).
    assert re.fullmatch(r"Selesai dalam \d+,\d\d detik \([\d.]+ baris per detik\)\.", printed[1]), printed[1]
    rejects = printed[2].removeprefix("Baris yang ditolak: ")
    assert rejects != printed[2] and "alasan gagal wajib diisi" in open(rejects, encoding="utf-8-sig").read()
    assert Activation.objects.get().created_by == superuser

    out = io.StringIO()
    target = tmp_path / "ditolak.csv"
    call_command("import_activations", str(path), "--user", staff.username, "--rejects", str(target), stdout=out)
    printed = out.getvalue().splitlines()
    assert [printed[0], printed[2]] == ["0 disimpan, 1 sudah ada, 1 ditolak", f"Baris yang ditolak: {target}"]
    assert list(csv.reader(io.StringIO(target.read_text(encoding="utf-8-sig"))))[1][:2] == ["3", "alasan gagal wajib diisi bila hasilnya gagal (no_phone, old_phone, no_email, no_data, face, mismatch, no_ektp, other)"]


def test_the_command_fails_only_when_the_file_cannot_be_read(staff, villages, tmp_path):
    with pytest.raises(CommandError, match="Berkas tidak ditemukan"):
        call_command("import_activations", str(tmp_path / "tidak-ada.csv"), "--user", staff.username)
    broken = tmp_path / "latin1.csv"
    broken.write_bytes("nik,service,outcome\n1,ikd,gagal é\n".encode("latin-1"))
    with pytest.raises(CommandError, match="UTF-8"):
        call_command("import_activations", str(broken), "--user", staff.username)
    with pytest.raises(CommandError, match="tidak ada superuser aktif"):
        call_command("import_activations", str(broken))
    all_bad = tmp_path / "semua-salah.csv"
    all_bad.write_bytes(csv_bytes(f"{ADULT},paspor,success,,{DAY},,{VILLAGE},"))
    out = io.StringIO()
    call_command("import_activations", str(all_bad), "--user", staff.username, stdout=out)
    assert out.getvalue().startswith("0 disimpan, 0 sudah ada, 1 ditolak")


# ---- The upload page -----------------------------------------------------------------------


def upload(client, content: bytes, name: str = "hasil.csv", **data):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(reverse("outreach:activation_import"), {"file": SimpleUploadedFile(name, content), **data})


def held_files(settings) -> list[str]:
    folder = settings.MEDIA_ROOT / "import-uploads"
    return sorted(path.name for path in folder.iterdir()) if folder.exists() else []


def confirm(client, response, **extra):
    return client.post(reverse("outreach:activation_import"), {"berkas": response.context["held"]["token"], **extra})


def test_staff_see_a_preview_then_store_the_file_and_download_the_rejected_lines(client_for, staff, villages, settings):
    client = client_for(staff)
    assert client.get(reverse("outreach:activation_import")).status_code == 200
    preview = upload(client, csv_bytes(f"{ADULT},ikd,success,,{DAY},,{VILLAGE},", f"{WOMAN},ikd,success,,{DAY},,{BLITAR_VILLAGE},"))
    assert preview.status_code == 200
    page = preview.content.decode()
    assert "1 akan disimpan, 0 sudah ada, 1 ditolak." in page and "Simpan 1 baris" in page
    assert f"desa/kelurahan {BLITAR_VILLAGE} tidak dikenal atau di luar wilayah Anda" in page
    assert ADULT not in page and WOMAN not in page
    assert not Activation.objects.exists() and not DailyCount.objects.exists()
    assert len(held_files(settings)) == 1
    token = preview.context["rejects_token"]
    download = client.get(reverse("outreach:activation_import"), {"ditolak": token})
    assert download.status_code == 200 and "attachment" in download["Content-Disposition"]
    body = b"".join(download.streaming_content).decode("utf-8-sig")
    assert "•••• •••• •••• 0002" in body and WOMAN not in body and not FULL_NIK.search(body)

    stored = confirm(client, preview)
    assert "1 disimpan, 0 sudah ada, 1 ditolak." in stored.content.decode()
    assert Activation.objects.get().created_by == staff and sum(counts_by_key().values()) == 1
    assert held_files(settings) == []
    # A second click, or the browser sending the confirmation again, stores nothing more.
    again = confirm(client, preview)
    assert again.status_code == 302
    assert "sudah diimpor atau dibatalkan" in client.get(again["Location"]).content.decode()
    assert Activation.objects.count() == 1

    # The tokens are good only in the session that uploaded the file.
    preview = upload(client, csv_bytes(f"{WOMAN},ikd,success,,{DAY},,{VILLAGE},"))
    other = Client()
    other.force_login(make_user("dewi", "staff", [staff.regions.get()]))
    assert other.get(reverse("outreach:activation_import"), {"ditolak": token}).status_code == 404
    assert confirm(other, preview).status_code == 302
    assert Activation.objects.count() == 1 and len(held_files(settings)) == 1


def test_a_cancelled_preview_stores_nothing_and_deletes_the_file(client_for, staff, villages, settings):
    client = client_for(staff)
    preview = upload(client, csv_bytes(f"{ADULT},ikd,success,,{DAY},,{VILLAGE},"))
    assert len(held_files(settings)) == 1
    response = confirm(client, preview, batal="1")
    assert "tidak ada yang disimpan" in client.get(response["Location"]).content.decode()
    assert held_files(settings) == [] and not Activation.objects.exists()
    assert confirm(client, preview).status_code == 302 and not Activation.objects.exists()

    # A newer upload replaces the one waiting: one file with whole NIKs at a time.
    first = upload(client, csv_bytes(f"{ADULT},ikd,success,,{DAY},,{VILLAGE},"))
    second = upload(client, csv_bytes(f"{WOMAN},ikd,success,,{DAY},,{VILLAGE},"))
    assert len(held_files(settings)) == 1
    assert confirm(client, first).status_code == 302
    confirm(client, second)
    assert Activation.objects.get().nik_last4 == "0002"


def test_a_file_with_nothing_new_waits_for_no_confirmation(client_for, staff, villages, settings):
    client = client_for(staff)
    content = csv_bytes(f"{ADULT},ikd,success,,{DAY},,{VILLAGE},")
    confirm(client, upload(client, content))
    response = upload(client, content)
    page = response.content.decode()
    assert "0 akan disimpan, 1 sudah ada, 0 ditolak." in page and "Tidak ada baris baru untuk disimpan." in page
    assert "held" not in response.context and held_files(settings) == []
    assert Activation.objects.count() == 1


def test_a_session_cancelled_after_the_preview_is_refused_at_the_confirmation(client_for, staff, session, villages):
    from outreach.services import session_cancel

    client = client_for(staff)
    preview = upload(client, csv_bytes(f"{ADULT},ikd,success,,,,,"), session=session.pk)
    assert "Untuk kegiatan: <strong>Balai Desa Sumberejo</strong>" in preview.content.decode()
    session_cancel(actor=staff, session=session, reason="Banjir")
    response = confirm(client, preview)
    assert "dibatalkan atau ditunda" in response.content.decode()
    assert not Activation.objects.exists()


def test_the_page_refuses_a_file_longer_than_a_request_can_check(client_for, staff, villages, settings, monkeypatch,
                                                                 tmp_path):
    from outreach import import_views

    # The form names the real bound, in Indonesian figures.
    help_text = str(import_views.ActivationImportForm().fields["file"].help_text)
    assert f"{number_format(import_views.MAX_ROWS, force_grouping=True)} baris" in help_text

    monkeypatch.setattr(import_views, "MAX_ROWS", 2)
    monkeypatch.setattr(activation_import, "BATCH_SIZE", 1)  # a rejected line is written before the refusal
    client = client_for(staff)
    lines = [f"{adult(serial)},ikd,success,,{DAY},,{VILLAGE}," for serial in range(1, 4)]
    response = upload(client, csv_bytes("not-a-nik,ikd,success,,,,,", *lines))
    assert "baris 4: berkas berisi lebih dari 2 baris: bagi menjadi beberapa berkas" in response.content.decode()
    assert "held" not in response.context and held_files(settings) == []
    assert not Activation.objects.exists()
    assert not list(tmp_path.glob("impor-hasil-ditolak-*"))  # the refused file's rejects are removed
    confirm(client, upload(client, csv_bytes(*lines[:2])))
    assert Activation.objects.count() == 2


def test_files_left_behind_are_deleted_after_a_day(client_for, staff, villages, settings):
    from outreach.retention import sweep_import_files

    upload(client_for(staff), csv_bytes(f"{ADULT},ikd,success,,{DAY},,{BLITAR_VILLAGE},", f"{WOMAN},ikd,success,,{DAY},,{VILLAGE},"))
    left = [*settings.MEDIA_ROOT.glob("import-uploads/*"), *settings.MEDIA_ROOT.glob("import-rejects/*")]
    assert len(left) == 2
    assert sweep_import_files() == 0
    assert sweep_import_files(timezone.now() + datetime.timedelta(days=1, minutes=1)) == 2
    assert not any(path.exists() for path in left)

    # The nightly purge task sweeps them.
    upload(client_for(staff), csv_bytes(f"{ADULT},ikd,success,,{DAY},,{VILLAGE},"))
    (held,) = settings.MEDIA_ROOT.glob("import-uploads/*")
    tasks.purge_personal_data()
    assert held.exists()
    two_days_ago = (timezone.now() - datetime.timedelta(days=2)).timestamp()
    os.utime(held, (two_days_ago, two_days_ago))
    tasks.purge_personal_data()
    assert not held.exists()


def test_a_sessions_page_leads_to_the_import_with_the_session_filled_in(client_for, staff, outsider, session, villages):
    client = client_for(staff)
    url = f"{reverse('outreach:activation_import')}?kegiatan={session.pk}"
    assert url in client.get(reverse("outreach:detail", kwargs={"pk": session.pk})).content.decode()
    response = client.get(url)
    assert response.context["form"]["session"].value() == session.pk
    assert "Untuk kegiatan: <strong>Balai Desa Sumberejo</strong>" in response.content.decode()

    # No number, or another region's session, fills in nothing and names nothing.
    assert client.get(f"{reverse('outreach:activation_import')}?kegiatan=satu").context["chosen"] is None
    other = client_for(outsider).get(url)
    assert other.context["chosen"] is None and other.context["form"]["session"].value() is None
    assert "Balai Desa Sumberejo" not in other.content.decode()


def test_the_upload_page_refuses_other_files_and_reports_unreadable_ones(client_for, staff, villages):
    client = client_for(staff)
    response = upload(client, b"%PDF-1.4", name="hasil.pdf")
    assert response.status_code == 200 and "Pilih berkas .csv atau .xlsx." in response.content.decode()
    response = upload(client, b"nik,service\n")
    assert "kolom tidak ada: outcome" in response.content.decode()
    assert Activation.objects.count() == 0


@pytest.mark.parametrize("who", ["operator", "manager"])
def test_operators_and_managers_get_403(client_for, request, who, villages):
    client = client_for(request.getfixturevalue(who))
    assert client.get(reverse("outreach:activation_import")).status_code == 403
    assert upload(client, csv_bytes(f"{ADULT},ikd,success,,{DAY},,{VILLAGE},")).status_code == 403
    assert Activation.objects.count() == 0


def test_anonymous_users_are_sent_to_log_in(client):
    response = client.get(reverse("outreach:activation_import"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


# ---- The office's "Impor daftar" list is no field visit ------------------------------------


@pytest.fixture
def import_list(staff, villages):
    run(staff, csv_bytes(f"{ADULT},ikd,success,,{DAY},,{VILLAGE},"))
    return Session.objects.select_related("team").get(venue__name=IMPORT_NAME)


def test_the_import_list_stays_out_of_the_sessions_and_teams_staff_plan_with(client_for, staff, plan, team, import_list):
    assert import_list.is_field_visit is False and import_list.date == timezone.localdate()
    visit = plan(date=timezone.localdate())
    client = client_for(staff)

    assert client.get(reverse("home")).context["todays"] == [visit]
    assert list(client.get(reverse("outreach:list")).context["sessions"]) == [visit]
    calendar_page = client.get(reverse("outreach:calendar"))
    grid = calendar_page.context["grid"]
    assert [shown for row in grid for cell in row for shown in cell.sessions] == [visit]
    assert [t for t, _url in calendar_page.context["team_feeds"]] == [team]
    for url in (reverse("outreach:create"), reverse("outreach:series_create"), reverse("outreach:list")):
        assert list(client.get(url).context["form"].fields["team"].queryset) == [team]


def test_the_import_page_leads_to_the_import_lists_results(client_for, staff, outsider, import_list):
    response = client_for(staff).get(reverse("outreach:activation_import"))
    assert response.context["import_lists"] == [import_list]
    assert reverse("outreach:results", kwargs={"pk": import_list.pk}) in response.content.decode()
    assert client_for(outsider).get(reverse("outreach:activation_import")).context["import_lists"] == []


def test_the_import_list_is_never_reopened_nor_logged_into(client_for, staff, import_list):
    client = client_for(staff)
    page = client.get(reverse("outreach:detail", kwargs={"pk": import_list.pk})).content.decode()
    assert reverse("outreach:reopen", kwargs={"pk": import_list.pk}) not in page
    assert f"?kegiatan={import_list.pk}" not in page  # its rows name no session

    response = client.post(reverse("outreach:reopen", kwargs={"pk": import_list.pk}), follow=True)
    assert "bukan kegiatan lapangan" in response.content.decode()
    import_list.refresh_from_db()
    assert import_list.status == Status.DONE
    log_page = client.get(reverse("outreach:log", kwargs={"pk": import_list.pk}))
    assert log_page.context["not_open"].startswith("Ini daftar hasil yang diimpor")
    assert "Buka kembali" not in log_page.content.decode()


def test_a_file_that_names_the_import_list_as_its_session_is_refused(staff, import_list):
    result = run(staff, csv_bytes(f"{WOMAN},ikd,success,,{DAY},,{VILLAGE},{import_list.pk}"))
    assert result.saved == 0
    assert "adalah daftar “Impor daftar”: kosongkan kolom session" in rejected_lines(result)[2]
    with pytest.raises(ImportRejected) as refused:
        run(staff, csv_bytes(f"{WOMAN},ikd,success,,{DAY},,{VILLAGE},"), session=import_list.pk)
    assert "kosongkan kolom session" in str(refused.value.errors[0])
    assert Activation.objects.count() == 1


def test_the_database_keeps_an_import_list_done_and_private(import_list):
    for change in ({"status": Status.CONFIRMED}, {"is_public": True}):
        with pytest.raises(IntegrityError), transaction.atomic():
            Session.objects.filter(pk=import_list.pk).update(**change)


def test_the_migration_marks_the_import_lists_made_before_the_flag(staff, session, import_list):
    migration = importlib.import_module("outreach.migrations.0013_session_is_field_visit")
    Session.objects.update(is_field_visit=True)
    migration.mark_import_lists(apps, None)
    assert dict(Session.objects.values_list("pk", "is_field_visit")) == {session.pk: True, import_list.pk: False}


def test_the_import_lists_results_come_a_page_at_a_time_with_their_dates(client_for, staff, import_list, monkeypatch,
                                                                         django_assert_max_num_queries):
    monkeypatch.setattr(views, "RESULTS_PER_PAGE", 2)
    run(staff, csv_bytes(f"{WOMAN},ikd,success,,{NEXT_DAY},,{VILLAGE},", f"{adult(3)},ikd,success,,{DAY},,{VILLAGE},"))
    url = reverse("outreach:results", kwargs={"pk": import_list.pk})
    client = client_for(staff)
    with django_assert_max_num_queries(12):
        first = client.get(url)
    assert len(first.context["page"]) == 2
    text = first.content.decode()
    assert "Halaman 1 dari 2 · 3 hasil" in text and "?halaman=2" in text
    assert "Hasil yang diimpor tanpa kegiatan" in text and "00.00–23.59" not in text
    second = client.get(url, {"halaman": "2"})
    (last,) = second.context["page"]  # the oldest: the first file's one row, of that Monday
    assert last.nik_last4 == ADULT[-4:] and f"<td>{MONDAY:%d-%m-%Y}</td>" in second.content.decode()
    # A correction on the second page comes back to it.
    response = client.post(f"{url}?halaman=2", {"activation": last.pk, "reason": "Salah ketik"})
    assert response["Location"].endswith("?halaman=2")
    assert Activation.objects.count() == 2
