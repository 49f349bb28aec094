"""Bulk import of activations (people's service results) kept on paper or in spreadsheets.

A CSV (UTF-8, BOM allowed) or XLSX (first sheet) with the columns
``nik,service,outcome,failure_reason,date,married,village_code,session`` is read as a stream
and handled in batches of `BATCH_SIZE` rows: nothing holds the whole file or all its rows.
Each row passes the same checks as the form: `outreach.nik.check_nik` on the row's date,
service and marital status; the outcome and failure reason rules of `activation_record`; a
village (level 4) inside the actor's regions (`regions.access`); a session visible to the
actor. Bad rows go, with their line number and the reason in Indonesian, to a "rejects" CSV
whose NIK column keeps only the last 4 digits (and where any other long run of digits is
masked too); good rows are stored. `actor=None` (the command without --user) means no
region limit.

Decisions (see also the report that came with this module):

- **Natural key.** (NIK hash, service, date, outcome, failure reason). The activation's
  `idempotency_key` is uuid5 over that key using the HMAC hash of the NIK under the newest
  key, never the NIK itself; rows are inserted with ``INSERT ... ON CONFLICT DO NOTHING
  RETURNING`` the idempotency keys (PostgreSQL: the batch is copied into a temporary table
  and inserted from it in one statement; SQLite 3.35+: multi-row VALUES within its parameter
  limit), so importing a file again adds nothing and the RETURNING list says exactly which
  rows went in. Form entries use random keys and never collide with imported ones. When more
  than one HMAC key is active the keys derived from the older hashes are looked up too, so a
  file imported before a key rotation is still recognised.
- **Once per person.** A success for a NIK and service that already has one (under any
  active key, stored earlier or on an earlier line of the same file) is a rejected line
  with its reason, unless it is the very same natural key (then it "already exists"). With
  one HMAC key the unique constraints (``activation_once_per_person``, the idempotency key)
  keep such rows out inside ON CONFLICT DO NOTHING, and only the rows that did not go in are
  looked up afterwards to say why; with several keys the earlier successes are looked up
  before the insert, since the database cannot match a hash made under an older key.
- **Session.** Rows with a session (the ``session`` column, or the `session` argument for
  the whole file) are attached to it: it must be visible to the actor, not cancelled or
  postponed, nor an office's "Impor daftar" list (`Session.takes_imported_results`), and
  offer the row's service; a blank date takes the session's date and another date is
  refused; a blank village_code takes the venue's village. Rows without a session are
  attached to one "Impor daftar" session per office (the regency of the row's village),
  created on first use with its own team and an inactive venue, status done, not public,
  and marked as no field visit (`Session.is_field_visit`). This was chosen
  over making ``Activation.session`` nullable because every reader of
  ``activation.session`` (the duplicate message in ``services._earlier_success``,
  ``services.activation_delete``) keeps working unchanged. The flag keeps it out of the
  session list, the calendar and the day's sessions, its team out of the team choices, and
  stops it being reopened or named in a file's session column; the import page links to
  its results page, which lists every imported row of the office. It is never counted as
  held in the reports (it has no close-out, see `outreach.held`).
- **created_by.** The actor. The command without --user imports with no region limit and
  records the first active superuser (lowest id) as the author; with --user it imports as
  that user, with that user's regions and role.
- **content_digest.** The same recipe as the form (`services._digest` over session, service,
  NIK hash, outcome, failure reason, note, married), so a row reads the same whichever way
  it came in.
- **Counts.** Per batch, in the same transaction as the insert, exactly the inserted rows
  are added to `DailyCount` grouped by (village, service, outcome, reason, day) in one
  upsert statement on one random shard, so `services.daily_counts_rebuild()` gives the same
  numbers afterwards.
- **Not done here.** Imported rows get no simple_history "created" record (a bulk insert
  bypasses the model signals); a later correction is still recorded by history. A NIK with
  a known province and regency but an unknown kecamatan (a warning the form lets the
  operator confirm) is rejected: a file has no confirmation box. A failure reason
  "other" needs no note here (the form asks for one).
- **Dry run.** ``dry_run=True`` (the web page's preview, the command's --dry-run) runs the
  same batches in one transaction that is rolled back, and leaves the counts alone, so its
  figures and rejected lines are the import's own, whatever the file's size.
- **Speed.** Per batch: one query for the sessions, one for the villages and one pair for
  the NIK region codes not seen before (all cached for the rest of the file), one insert
  and one count upsert (villages and roll-ups, through `outreach.counts`), and look-ups
  only for rows that did not go in. `check_nik` gets the import's cache of region codes
  instead of asking the database for every row. A helper thread checks each batch (pure
  Python, no database) while the previous batch is stored (see `_Importer.run`).
"""

from __future__ import annotations

import codecs
import csv
import datetime
import hashlib
import io
import logging
import os
import re
import tempfile
import uuid
import zipfile
from collections import Counter
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone, translation
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from outreach import counts
from outreach.models import (
    LOGGED_SERVICES,
    Activation,
    FailureReason,
    Outcome,
    Service,
    Session,
    Status,
    Team,
    Venue,
    VenueType,
)
from outreach.nik import check_nik, normalize
from outreach.privacy import masked, nik_hash, nik_hashes
from outreach.services import _digest
from regions import access, audit
from regions.exports import spreadsheet_safe
from regions.imports import ImportRejected, LineError, parse_day
from regions.models import AuditAction, HistoricalCode, Level, Region, User

logger = logging.getLogger(__name__)

BATCH_SIZE = 5000
COLUMNS = ("nik", "service", "outcome", "failure_reason", "date", "married", "village_code", "session")
REQUIRED_COLUMNS = ("nik", "service", "outcome")
REJECT_COLUMNS = ("line", "reason", *COLUMNS)
PREVIEW_LINES = 50
IMPORT_NAME = "Impor daftar"  # stored data (team, venue), not interface text
# Fixed forever: changing it would make every file already imported look new.
KEY_NAMESPACE = uuid.UUID("0f7a4a52-3a43-4c36-9a8e-6c1d3f2b9e11")
_NAMESPACE_BYTES = KEY_NAMESPACE.bytes

OUTCOMES = {"success": Outcome.SUCCESS, "berhasil": Outcome.SUCCESS, "failed": Outcome.FAILED, "gagal": Outcome.FAILED}
MARRIED = {
    "": False, "no": False, "tidak": False, "0": False, "false": False,
    "yes": True, "ya": True, "1": True, "true": True,
}
SERVICES = {str(service.value) for service in LOGGED_SERVICES}
REASONS = frozenset(FailureReason.values)
REASON_LIST = ", ".join(FailureReason.values)
# Any run of 12 or more digits (spaces, dots and dashes between them allowed) in a column
# other than nik is masked in the rejects file: it may be a NIK typed in the wrong column.
LONG_NUMBER = re.compile(r"\d(?:[ .\-]*\d){11,}")


# ---- Result ---------------------------------------------------------------------------------


@dataclass
class ImportResult:
    saved: int = 0
    existing: int = 0
    rejected: int = 0
    rejects_path: str | None = None  # a temporary CSV (caller removes it); None when nothing was rejected
    rejects_preview: list[LineError] = field(default_factory=list)  # the first PREVIEW_LINES rejects
    stopped: str = ""  # why reading stopped before the end of the file, if it did
    dry_run: bool = False  # checked only: `saved` counts the rows an import would store

    @property
    def rows(self) -> int:
        return self.saved + self.existing + self.rejected

    def summary(self) -> str:
        if self.dry_run:
            return _("%(saved)d akan disimpan, %(existing)d sudah ada, %(rejected)d ditolak") % {
                "saved": self.saved, "existing": self.existing, "rejected": self.rejected,
            }
        return _("%(saved)d disimpan, %(existing)d sudah ada, %(rejected)d ditolak") % {
            "saved": self.saved, "existing": self.existing, "rejected": self.rejected,
        }

    def rejects_bytes(self) -> bytes:
        if not self.rejects_path:
            return b""
        with open(self.rejects_path, "rb") as handle:
            return handle.read()


def write_rejects_header(handle) -> csv.writer:
    writer = csv.writer(handle, lineterminator="\n")
    writer.writerow(REJECT_COLUMNS)
    return writer


def mask_numbers(text: str) -> str:
    """Any long run of digits (a NIK typed where it does not belong) with its last 4 digits only."""
    return LONG_NUMBER.sub(lambda match: masked(re.sub(r"\D", "", match.group())[-4:]), text)


def mask_row(values: dict[str, str]) -> list[str]:
    """The original columns as a rejects line shows them: the NIK with its last 4 digits only."""
    digits = "".join(ch for ch in values.get("nik", "") if ch.isdigit())
    cells = [masked(digits[-4:]) if digits else ("" if not values.get("nik") else "••••")]
    cells += [mask_numbers(values.get(name, "")) for name in COLUMNS[1:]]
    return cells


# ---- Reading the file as a stream -------------------------------------------------------------


class _Unreadable(Exception):
    def __init__(self, line: int, message: str):
        self.line, self.message = line, message
        super().__init__(message)


def _not_utf8() -> ImportRejected:
    return ImportRejected([LineError(1, _("berkas CSV harus berpengodean UTF-8 (di Excel: Simpan Sebagai, CSV UTF-8)"))])


def _open_binary(path_or_file):
    """A binary file object and whether this module opened it (and so closes it)."""
    if isinstance(path_or_file, (str, os.PathLike)):
        return open(path_or_file, "rb"), True  # noqa: SIM115 -- closed by the caller's finally
    if hasattr(path_or_file, "temporary_file_path"):  # a large Django upload, already on disk
        return open(path_or_file.temporary_file_path(), "rb"), True  # noqa: SIM115
    raw = getattr(path_or_file, "file", path_or_file)  # a Django File/UploadedFile, or a file object
    raw.seek(0)
    return raw, False


def _check_utf8(raw) -> None:
    """Decode the whole file once, in pieces, before anything is written: a CSV that is not
    UTF-8 (or is UTF-16 without a byte-order mark, which decodes full of NUL) is refused whole."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        while chunk := raw.read(1 << 20):
            if "\x00" in decoder.decode(chunk):
                raise _not_utf8()
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        raise _not_utf8() from None
    raw.seek(0)


def _csv_rows(raw) -> Iterator[tuple[int, list[str]]]:
    text = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
    reader = csv.reader(text)
    start = 1
    try:
        for cells in reader:
            # A quoted cell may span lines: a row is numbered by the line it starts on.
            yield start, cells
            start = reader.line_num + 1
    except (csv.Error, UnicodeDecodeError):
        raise _Unreadable(start, _("isi CSV tidak dapat dibaca mulai baris ini (periksa tanda kutip)")) from None
    finally:
        text.detach()


def _xlsx_rows(raw) -> Iterator[tuple[int, list[str]]]:
    """The first sheet, converted by xlsx2csv (a streaming expat reader) into a temporary CSV
    file on disk and read back row by row: memory holds the shared strings, not the rows.
    Dates come out as YYYY-MM-DD. A row keeps its sheet row number (a cell may span lines in
    the CSV). A damaged workbook is refused whole before any row is read."""
    from xlsx2csv import Xlsx2csv

    unreadable = _("berkas XLSX tidak dapat dibaca: simpan ulang dari Excel atau LibreOffice sebagai .xlsx")
    with tempfile.TemporaryFile("w+", encoding="utf-8", newline="") as text:
        try:
            Xlsx2csv(raw, outputencoding="utf-8", dateformat="%Y-%m-%d", skip_empty_lines=False).convert(text, sheetid=1)
        except Exception:  # noqa: BLE001 -- a damaged file raises many kinds (zip, XML, xlsx2csv's own)
            raise ImportRejected([LineError(1, unreadable)]) from None
        text.seek(0)
        for number, cells in enumerate(csv.reader(text), start=1):
            # Text already: xlsx2csv wrote dates and numbers out, and XML cannot hold a NUL, so the
            # cells need none of `regions.imports._cell`'s cleaning (the rows are stripped later).
            yield number, cells


def _is_xlsx(raw, filename: str) -> bool:
    if filename.lower().endswith(".xlsx"):
        return True
    head = raw.read(4)
    raw.seek(0)
    if head != b"PK\x03\x04":
        return False
    is_zip = zipfile.is_zipfile(raw)
    raw.seek(0)
    return is_zip


def _header(rows: Iterator[tuple[int, list[str]]]) -> list[tuple[int, str]]:
    """The positions of the known columns. Unknown columns (a name, say) are never read."""
    try:
        _line, cells = next(rows)
    except StopIteration:
        cells = []
    except _Unreadable as problem:
        raise ImportRejected([LineError(problem.line, problem.message)]) from None
    names = [cell.strip().lower() for cell in cells]
    if not any(names):
        raise ImportRejected([LineError(1, _("berkas kosong: baris pertama harus berisi nama kolom"))])
    repeated = sorted({name for name in names if name and names.count(name) > 1})
    if repeated:
        raise ImportRejected([LineError(1, _("kolom muncul lebih dari sekali: %s") % ", ".join(repeated))])
    missing = [name for name in REQUIRED_COLUMNS if name not in names]
    if missing:
        raise ImportRejected([LineError(1, _("kolom tidak ada: %s") % ", ".join(missing))])
    return [(index, name) for index, name in enumerate(names) if name in COLUMNS]


# ---- Rows -----------------------------------------------------------------------------------


@dataclass(slots=True)
class _Row:
    line: int
    values: dict[str, str]
    errors: list[str] = field(default_factory=list)
    service: str = ""
    outcome: str = ""
    reason: str = ""
    married: bool = False
    day: datetime.date | None = None
    session_id: int | None = None
    village_id: int | None = None
    village_code: str = ""
    # Filled once the row is valid:
    digits: str = ""
    key_id: str = ""
    hashed: str = ""
    hashes: tuple[str, ...] = ()
    key: str = ""  # the idempotency key, 32 hex digits (see _natural_key)
    keys: tuple[str, ...] = ()
    person: object = None


@dataclass(frozen=True, slots=True)
class _SessionInfo:
    pk: int
    village_id: int
    village_code: str
    date: datetime.date
    services: frozenset[str]
    takes_results: bool  # Session.takes_imported_results
    import_list: bool  # not Session.is_field_visit


def _natural_key(hashed: str, row: _Row) -> str:
    """The row's idempotency key, as the 32 hex digits the database returns and Django stores on SQLite.

    Exactly ``uuid.uuid5(KEY_NAMESPACE, name).hex`` (RFC 4122: SHA-1 of the namespace and the name,
    with the version and variant bits set), written out because building a UUID object for every
    row was a tenth of the import's interpreter time. A test holds the two equal.
    """
    name = f"{hashed}|{row.service}|{row.day.isoformat()}|{row.outcome}|{row.reason}"
    digest = bytearray(hashlib.sha1(_NAMESPACE_BYTES + name.encode(), usedforsecurity=False).digest()[:16])
    digest[6] = (digest[6] & 0x0F) | 0x50  # version 5
    digest[8] = (digest[8] & 0x3F) | 0x80  # RFC 4122 variant
    return digest.hex()


def _chunks(values: Iterable, size: int) -> Iterator[list]:
    values = list(values)
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _region_error(code: str) -> str:
    # The same words for a code that does not exist and one outside the actor's regions.
    return _("desa/kelurahan %s tidak dikenal atau di luar wilayah Anda") % (code or "(kosong)")


def _session_error(text: str) -> str:
    return _("kegiatan %s tidak ada atau di luar wilayah Anda") % text


def _closed_session_error(text: str, import_list: bool) -> str:
    if import_list:
        return _("kegiatan %s adalah daftar “Impor daftar”: kosongkan kolom session, baris tanpa kegiatan dicatat "
                 "di sana") % text
    return _("kegiatan %s dibatalkan atau ditunda: hasilnya tidak dapat diimpor") % text


def _session_info(session: Session) -> _SessionInfo:
    """What the checks need of a session (loaded with its venue's village)."""
    services = frozenset(str(service.value) for service in session.services if service in LOGGED_SERVICES)
    return _SessionInfo(session.pk, session.venue.village_id, session.venue.village.code, session.date, services,
                        session.takes_imported_results, not session.is_field_visit)


def _default_author():
    author = User.objects.filter(is_superuser=True, is_active=True).order_by("pk").first()
    if author is None:
        raise ImportRejected([LineError(1, _("tidak ada superuser aktif: jalankan dengan --user NAMA_PENGGUNA"))])
    return author


class _Importer:
    def __init__(self, *, actor, author, default_session: _SessionInfo | None, result: ImportResult):
        self.actor = actor
        self.dry_run = result.dry_run
        self.author = author
        self.default_session = default_session
        self.result = result
        self.today = timezone.localdate()
        self.multi_key = len(settings.NIK_HMAC_KEYS) > 1
        self.postgres = connection.vendor == "postgresql"
        self.in_size = 5000 if self.postgres else 900  # values per IN (...) query
        # Caches for the whole file: few distinct values, however long the file.
        self.sessions: dict[int, _SessionInfo | None] = {}
        if default_session is not None:
            self.sessions[default_session.pk] = default_session
        self.villages: dict[str, int | None] = {}
        self.known: dict[str, bool] = {}
        self.known_sets: dict[str, set[str]] = {}
        self.days: dict[str, datetime.date | str] = {}
        self.import_sessions: dict[str, int] = {}
        self.rejects_file = None
        self.rejects_writer = None
        self.pending: list[tuple[int, str, dict[str, str]]] = []
        # One helper thread checks a batch while the previous one is stored (see `run`).
        self.helper = ThreadPoolExecutor(max_workers=1, thread_name_prefix="activation-import-check")
        self.checking: tuple[list[_Row], Future] | None = None

    # -- rejects --

    def reject(self, line: int, reason: str, values: dict[str, str]) -> None:
        if self.rejects_writer is None:
            self.rejects_file = tempfile.NamedTemporaryFile(  # noqa: SIM115 -- kept for the caller
                "w", encoding="utf-8-sig", newline="", suffix=".csv", prefix="impor-hasil-ditolak-", delete=False
            )
            self.result.rejects_path = self.rejects_file.name
            self.rejects_writer = write_rejects_header(self.rejects_file)
        reason = mask_numbers(reason)  # a reason may quote a cell
        # The cells come from the uploaded file: a formula in them must not run in a spreadsheet.
        self.rejects_writer.writerow([spreadsheet_safe(cell) for cell in (line, reason, *mask_row(values))])
        if len(self.result.rejects_preview) < PREVIEW_LINES:
            self.result.rejects_preview.append(LineError(line, reason))

    def reject_row(self, row: _Row, reason: str | None = None) -> None:
        """Count a rejected row; it is written when the batch ends, the batch's rejects in line order."""
        self.result.rejected += 1
        self.pending.append((row.line, reason or "; ".join(row.errors), row.values))

    def close(self) -> None:
        self.helper.shutdown(cancel_futures=True)
        if self.rejects_file is not None:
            self.rejects_file.close()

    # -- one batch --

    def run(self, batch: list[tuple[int, dict[str, str]]]) -> None:
        """Parse the batch and look up what it names, then store the previous batch while a helper
        thread checks this one. The checks (NIK rules, hashing, natural keys) are pure Python and
        never touch the database; storing mostly waits for PostgreSQL, which frees the
        interpreter, so the two overlap. `flush` stores the last batch.

        `look_up` may run while the helper still checks the batch before: it only adds entries
        to the caches the helper reads, and a dict insert is atomic in CPython."""
        rows = [self.parse(line, values) for line, values in batch]
        self.look_up(rows)
        checking = self.helper.submit(self.check_all, rows, translation.get_language())
        self.flush()
        self.checking = (rows, checking)

    def check_all(self, rows: list[_Row], language: str | None) -> list[_Row]:
        """The helper thread's part: the valid rows. The messages speak the importer's language."""
        with translation.override(language):
            return [row for row in rows if self.check(row)]

    def flush(self) -> None:
        """Store the batch the helper thread is checking, if any, and write its rejects in line order."""
        if self.checking is None:
            return
        rows, checking = self.checking
        self.checking = None
        valid = checking.result()
        for row in valid:
            if row.session_id is None:
                row.session_id = self.import_session(row.village_code)
        for row in rows:
            if row.errors:
                self.reject_row(row)
        self.store(valid)
        self.pending.sort(key=lambda pending: pending[0])
        for line, reason, values in self.pending:
            self.reject(line, reason, values)
        self.pending = []

    def parse(self, line: int, values: dict[str, str]) -> _Row:
        """The checks that need no database."""
        row = _Row(line, values)
        errors = row.errors
        row.service = values["service"].lower()
        if row.service not in SERVICES:
            errors.append(_("layanan '%s' tidak dikenal (isi ikd, ektp atau kia)") % values["service"])
        outcome = OUTCOMES.get(values["outcome"].lower())
        if outcome is None:
            errors.append(_("hasil '%s' tidak dikenal (isi success/berhasil atau failed/gagal)") % values["outcome"])
        else:
            row.outcome = outcome.value
        reason = values.get("failure_reason", "").lower()
        if outcome == Outcome.SUCCESS and reason:
            errors.append(_("alasan gagal harus kosong bila hasilnya berhasil"))
        elif outcome == Outcome.FAILED and not reason:
            errors.append(_("alasan gagal wajib diisi bila hasilnya gagal (%s)") % REASON_LIST)
        elif reason and reason not in REASONS:
            errors.append(
                _("alasan gagal '%(given)s' tidak dikenal (%(choices)s)")
                % {"given": values["failure_reason"], "choices": REASON_LIST}
            )
        elif reason and row.service in SERVICES and reason not in FailureReason.for_service(row.service):
            errors.append(
                _("alasan gagal '%(given)s' tidak berlaku untuk layanan %(service)s (isi %(choices)s)")
                % {"given": values["failure_reason"], "service": row.service,
                   "choices": ", ".join(FailureReason.for_service(row.service))}
            )
        row.reason = reason if outcome == Outcome.FAILED else ""
        married = MARRIED.get(values.get("married", "").lower())
        if married is None:
            errors.append(_("married '%s' tidak dikenal (isi ya/tidak, yes/no, 1/0 atau kosong)") % values["married"])
        row.married = bool(married)
        text = values.get("date", "")
        if text:
            day = self.days.get(text)
            if day is None:
                day = self.days[text] = self.parse_day(text)
            if isinstance(day, str):
                errors.append(day)
            else:
                row.day = day
        session_text = values.get("session", "")
        if session_text:
            if session_text.isdigit():
                row.session_id = int(session_text)
            else:
                errors.append(_session_error(session_text))
        elif self.default_session is not None:
            row.session_id = self.default_session.pk
        row.village_code = values.get("village_code", "")
        row.digits = normalize(values["nik"])
        return row

    def parse_day(self, text: str) -> datetime.date | str:
        """The date of a cell, or what is wrong with it (the answer is kept: a file has few distinct dates)."""
        if len(self.days) > 100_000:
            self.days.clear()
        try:
            day = parse_day(text, "date")
        except ValueError as problem:
            return str(problem)
        if day > self.today:
            return _("tanggal %s belum terjadi: hasil dicatat pada tanggal terjadinya") % text
        return day

    def look_up(self, rows: list[_Row]) -> None:
        """Sessions, villages and NIK region codes the batch names that the caches lack: a few queries."""
        session_ids = {row.session_id for row in rows if row.session_id is not None} - set(self.sessions)
        if session_ids:
            found = Session.objects.filter(pk__in=session_ids).select_related("venue__village")
            if self.actor is not None:
                found = found.visible_to(self.actor)
            for session in found:
                self.sessions[session.pk] = _session_info(session)
            for pk in session_ids:
                self.sessions.setdefault(pk, None)

        codes = {row.village_code for row in rows if row.village_code} - set(self.villages)
        for chunk in _chunks(sorted(codes), self.in_size):
            found = dict(Region.objects.filter(code__in=chunk, level=Level.VILLAGE).values_list("code", "pk"))
            for code in chunk:
                visible = code in found and (self.actor is None or access.can_see_code(self.actor, code))
                self.villages[code] = found[code] if visible else None

        prefixes = set()
        for row in rows:
            digits = row.digits
            if len(digits) == 16 and digits.isdigit():
                prefixes.update((digits[0:2], f"{digits[0:2]}.{digits[2:4]}", f"{digits[0:2]}.{digits[2:4]}.{digits[4:6]}"))
        prefixes -= set(self.known)
        for chunk in _chunks(sorted(prefixes), self.in_size):
            current = set(Region.objects.filter(code__in=chunk).values_list("code", flat=True))
            old = set(HistoricalCode.objects.filter(code__in=chunk).values_list("code", flat=True))
            for code in chunk:
                self.known[code] = code in current or code in old

    def known_codes(self, codes: list[str]) -> set[str]:
        """For `check_nik`: which of a NIK's province, regency and kecamatan codes exist, from the
        codes `look_up` found. Kept per kecamatan code, which names the other two: `look_up` has
        looked up a batch's codes before any row of it is checked, and a code found stays found."""
        found = self.known_sets.get(codes[-1])
        if found is None:
            found = self.known_sets[codes[-1]] = {code for code in codes if self.known.get(code)}
        return found

    def check(self, row: _Row) -> bool:
        """The checks that need the looked-up values, then the NIK exactly as the form checks it."""
        errors = row.errors
        session = None
        if row.session_id is not None:
            session = self.sessions.get(row.session_id)
            if session is None:
                errors.append(_session_error(str(row.session_id)))
            elif not session.takes_results:
                errors.append(_closed_session_error(str(row.session_id), session.import_list))
            else:
                if row.service in SERVICES and row.service not in session.services:
                    errors.append(_("layanan %s tidak dibuka pada kegiatan ini") % Service(row.service).label)
                if row.day is None and not row.values.get("date"):
                    row.day = session.date
                elif row.day is not None and row.day != session.date:
                    errors.append(
                        _("tanggal %(date)s berbeda dengan tanggal kegiatan (%(session)s)")
                        % {"date": row.values["date"], "session": session.date.isoformat()}
                    )
        if row.day is None and not row.values.get("date") and row.session_id is None:
            errors.append(_("tanggal kosong: isi kolom date (TTTT-BB-HH)"))

        if row.village_code:
            row.village_id = self.villages.get(row.village_code)
            if row.village_id is None:
                errors.append(_region_error(row.village_code))
        elif session is not None:
            row.village_id, row.village_code = session.village_id, session.village_code
        elif row.session_id is None:
            errors.append(_region_error(""))

        if not row.digits:
            errors.append(_("NIK kosong"))
        elif row.day is not None and row.service in SERVICES:
            check = check_nik(row.values["nik"], on=row.day, service=row.service, married=row.married,
                              known_codes=self.known_codes)
            errors.extend(check.errors)
            if not check.errors and check.warnings:
                digits = row.digits
                errors.append(
                    _("kode kecamatan %s pada NIK tidak ada di daftar wilayah — periksa kembali kartu")
                    % f"{digits[0:2]}.{digits[2:4]}.{digits[4:6]}"
                )
            row.person = check.nik
        if errors:
            return False

        person = row.person
        row.key_id, row.hashed = nik_hash(person.digits)
        row.hashes = tuple(nik_hashes(person.digits)) if self.multi_key else (row.hashed,)
        row.key = _natural_key(row.hashed, row)
        row.keys = tuple(_natural_key(hashed, row) for hashed in row.hashes) if self.multi_key else (row.key,)
        return True

    # -- the office's "Impor daftar" session --

    def import_session(self, village_code: str) -> int:
        office_code = ".".join(village_code.split(".")[:2])
        pk = self.import_sessions.get(office_code)
        if pk is None:
            pk = self.import_sessions[office_code] = _import_session_for(office_code, self.author)
        return pk

    # -- storing --

    def store(self, rows: list[_Row]) -> None:
        """Insert the batch's valid rows, then say why each row that did not go in did not.

        With one HMAC key the unique constraints decide (ON CONFLICT DO NOTHING): a row already
        stored and a second success of a person both stay out, and only those rows are looked
        up afterwards, so a batch of new people costs no look-up at all. With older keys still
        active the database cannot see a person hashed under an older key, so the batch's NIKs
        are looked up under every key first."""
        if not rows:
            return
        if self.multi_key:
            earlier = self.earlier_successes([row for row in rows if row.outcome == Outcome.SUCCESS])
            stored_keys = self.stored_keys([row for row in rows if row.outcome == Outcome.FAILED])
        else:
            earlier, stored_keys = {}, set()
        to_insert: list[_Row] = []
        batch_keys: set[str] = set()
        batch_successes: dict[tuple[str, str], _Row] = {}
        for row in rows:
            if row.key in batch_keys or stored_keys.intersection(row.keys):
                self.result.existing += 1
                continue
            if row.outcome == Outcome.SUCCESS:
                if earlier and self.explained_earlier(row, earlier):
                    continue
                first = batch_successes.get((row.hashed, row.service))
                if first is not None:
                    self.reject_row(
                        row,
                        _("NIK ini sudah berhasil %(service)s di baris %(line)d berkas ini")
                        % {"service": Service(row.service).label, "line": first.line},
                    )
                    continue
                batch_successes[(row.hashed, row.service)] = row
            batch_keys.add(row.key)
            to_insert.append(row)

        if not to_insert:
            return
        with transaction.atomic():
            inserted = self.insert(to_insert)
            added: Counter = Counter()
            for row in to_insert:
                if row.key in inserted:
                    added[(row.village_id, row.service, row.outcome, row.reason, row.day)] += 1
            if not self.dry_run:  # rolled back anyway: no count row is locked for the run
                counts.add_many(added)
        self.result.saved += len(inserted)
        lost = [row for row in to_insert if row.key not in inserted]
        if lost:
            # Stored earlier (this file imported before), a second success of a person, or
            # another writer that got there between the look-up and the insert.
            now_stored = self.stored_keys(lost, every_key=False)
            earlier = self.earlier_successes(
                [row for row in lost if row.key not in now_stored and row.outcome == Outcome.SUCCESS]
            )
            for row in lost:
                if row.key in now_stored:
                    self.result.existing += 1
                elif not self.explained_earlier(row, earlier):
                    self.reject_row(row, self.earlier_words(row.service, None, ""))

    def explained_earlier(self, row: _Row, earlier: dict) -> bool:
        """A success row whose person already has a stored success: counted as existing (the very
        same natural key) or rejected with the earlier success's date. False when there is none."""
        found = next((earlier[(h, row.service)] for h in row.hashes if (h, row.service) in earlier), None)
        if found is None:
            return False
        key, day, code = found
        if key in row.keys:
            self.result.existing += 1
        else:
            self.reject_row(row, self.earlier_words(row.service, day, code))
        return True

    def earlier_words(self, service: str, day: datetime.date | None, village_code: str) -> str:
        label = Service(service).label
        if day is not None and (self.actor is None or access.can_see_code(self.actor, village_code)):
            return _("NIK ini sudah tercatat berhasil %(service)s pada %(date)s") % {
                "service": label, "date": day.isoformat(),
            }
        return _("NIK ini sudah tercatat berhasil %(service)s di tempat lain") % {"service": label}

    def earlier_successes(self, rows: list[_Row]) -> dict[tuple[str, str], tuple[str, datetime.date, str]]:
        """Stored successes of these NIKs (under every active key), by (hash, service): one query per chunk."""
        hashes = sorted({hashed for row in rows for hashed in row.hashes})
        found = {}
        for chunk in _chunks(hashes, self.in_size):
            for hashed, service, key, day, code in Activation.objects.filter(
                nik_hash__in=chunk, outcome=Outcome.SUCCESS
            ).values_list("nik_hash", "service", "idempotency_key", "happened_on", "village__code"):
                found[(hashed, service)] = (key.hex, day, code)
        return found

    def stored_keys(self, rows: list[_Row], every_key: bool = True) -> set[str]:
        keys = sorted({key for row in rows for key in (row.keys if every_key else (row.key,))})
        found = set()
        for chunk in _chunks(keys, self.in_size):
            found.update(key.hex for key in
                         Activation.objects.filter(idempotency_key__in=chunk).values_list("idempotency_key", flat=True))
        return found

    def insert(self, rows: list[_Row]) -> set[str]:
        """INSERT ... ON CONFLICT DO NOTHING RETURNING idempotency_key: the keys of the rows that went in."""
        opts = Activation._meta
        names = (
            "session", "village", "service", "outcome", "failure_reason", "failure_note", "married", "nik_hash",
            "nik_key_id", "nik_last4", "sex", "birth_year", "district_code", "happened_on", "idempotency_key",
            "content_digest",
        )
        fields = [opts.get_field(name) for name in names]
        constant_fields = [opts.get_field("created_by"), opts.get_field("created_at")]
        qn = connection.ops.quote_name
        table = qn(opts.db_table)
        columns = ", ".join(qn(f.column) for f in [*fields, *constant_fields])
        key_column = qn(opts.get_field("idempotency_key").column)
        now = timezone.now()

        def values(row: _Row) -> tuple:
            person = row.person
            return (
                row.session_id, row.village_id, row.service, row.outcome, row.reason, "", row.married, row.hashed,
                row.key_id, person.last4, person.sex, person.birth_date.year, person.district_code,
                row.day if self.postgres else row.day.isoformat(),
                row.key,
                _digest(row.session_id, row.service, row.hashed, row.outcome, row.reason, "", row.married),
            )

        returned = []
        with connection.cursor() as cursor:
            if self.postgres:
                # COPY into a session-local staging table, then one INSERT ... SELECT: psycopg's COPY
                # writes rows in C, where quoting arrays into the SQL text cost more than the insert.
                stage = "activation_import_stage"
                cursor.execute(
                    f"CREATE TEMP TABLE IF NOT EXISTS {stage} ON COMMIT DELETE ROWS AS "
                    f"SELECT {columns} FROM {table} WITH NO DATA"
                )
                cursor.execute(f"DELETE FROM {stage}")
                with cursor.cursor.copy(f"COPY {stage} ({columns}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row((*values(row), self.author.pk, now))
                # The keys come back as the hex text they are compared with: turning 5,000 of them
                # into UUID objects and back cost more than the statement's own round trip.
                cursor.execute(
                    f"INSERT INTO {table} ({columns}) SELECT {columns} FROM {stage} "
                    f"ON CONFLICT DO NOTHING RETURNING replace({key_column}::text, '-', '')"
                )
                returned = cursor.fetchall()
            else:
                width = len(fields) + 2
                per_statement = max(1, (connection.features.max_query_params or 999) // width)
                created_at = connection.ops.adapt_datetimefield_value(now)
                placeholder = "(" + ", ".join(["%s"] * width) + ")"
                for chunk in _chunks(rows, per_statement):
                    sql = (
                        f"INSERT INTO {table} ({columns}) VALUES {', '.join([placeholder] * len(chunk))} "
                        f"ON CONFLICT DO NOTHING RETURNING {key_column}"
                    )
                    params = [value for row in chunk for value in (*values(row), self.author.pk, created_at)]
                    cursor.execute(sql, params)
                    returned.extend(cursor.fetchall())
        return {value.hex if isinstance(value, uuid.UUID) else value for (value,) in returned}


def _import_session_for(office_code: str, author) -> int:
    """The office's "Impor daftar" session, created on first use (see the module docstring)."""
    office = Region.objects.get(code=office_code)
    with transaction.atomic():
        team, _created = Team.objects.get_or_create(office=office, name=IMPORT_NAME, defaults={"leader": author})
        venue, _created = Venue.objects.get_or_create(
            village=office, name=IMPORT_NAME, defaults={"type": VenueType.LAINNYA, "is_active": False}
        )
        Venue.objects.select_for_update().filter(pk=venue.pk).exists()  # one creator at a time
        session = Session.objects.filter(venue=venue, is_field_visit=False).order_by("pk").first()
        if session is None:
            session = Session(
                team=team, venue=venue, date=timezone.localdate(), start_time=datetime.time(0),
                end_time=datetime.time(23, 59), offers_ikd=True, offers_ektp=True, offers_kia=True,
                is_public=False, is_field_visit=False, status=Status.DONE, created_by=author,
                notes="Wadah hasil yang diimpor dari daftar kertas/spreadsheet tanpa kegiatan; bukan kegiatan lapangan.",
            )
            session._history_user = author
            session.save()
    return session.pk


def _too_many_rows(max_rows: int) -> str:
    return _(
        "berkas berisi lebih dari %(rows)s baris: bagi menjadi beberapa berkas, atau minta admin "
        "mengimpornya di server dengan perintah import_activations"
    ) % {"rows": number_format(max_rows, force_grouping=True)}


def _param_session(actor, session) -> _SessionInfo | None:
    if session is None or session == "":
        return None
    pk = session.pk if isinstance(session, Session) else session
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise ImportRejected([LineError(1, _session_error(str(session)))]) from None
    found = Session.objects.filter(pk=pk).select_related("venue__village")
    if actor is not None:
        found = found.visible_to(actor)
    found = found.first()
    if found is None:
        raise ImportRejected([LineError(1, _session_error(str(pk)))])
    if not found.takes_imported_results:
        raise ImportRejected([LineError(1, _closed_session_error(str(pk), not found.is_field_visit))])
    return _session_info(found)


@contextmanager
def _written_or_rolled_back(dry_run: bool):
    """A dry run stores its batches as an import does, in one transaction rolled back at the end:
    later batches see the earlier ones (a person's second success, a line repeated), exactly as
    in the import, and memory stays flat. It leaves the counts alone (see `_Importer.store`)."""
    if not dry_run:
        yield
        return
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def activations_import(
    *, actor, path_or_file, filename: str, session=None, dry_run: bool = False, max_rows: int | None = None
) -> ImportResult:
    """Import a CSV or XLSX of activations as a stream; see the module docstring.

    `actor` None means no region limit (the command without --user); otherwise the actor must
    be staff (`regions.access.require_write`, PermissionDenied if not). `session` (an id or a
    Session) is the session of rows whose own `session` cell is blank. Raises ImportRejected
    when the file cannot be read at all (or `session` is not one the actor may see); every
    other problem is a rejected line. Each batch is committed on its own, so a file that
    breaks halfway keeps the batches before the break (importing it again adds nothing).

    `dry_run` checks the whole file and keeps nothing (the preview staff see before they
    confirm; `_written_or_rolled_back`): the result's `saved` is what an import would store,
    its rejects are the same. Only a writer that stores the same people between the two can
    make them differ. No audit event: nothing was imported.

    `max_rows` refuses a longer file with ImportRejected when reading reaches the row after it
    (the web page's bound, so that its preview ends within a request). Batches stored before
    that stay stored, so only a dry run should meet it: the page previews every file first.
    """
    if actor is not None:
        access.require_write(actor)
    author = actor if actor is not None else _default_author()
    result = ImportResult(dry_run=dry_run)
    importer = _Importer(actor=actor, author=author, default_session=_param_session(actor, session), result=result)
    with _written_or_rolled_back(dry_run):
        raw, owned = _open_binary(path_or_file)
        try:
            xlsx = _is_xlsx(raw, filename)
            if not xlsx:
                _check_utf8(raw)
            rows = _xlsx_rows(raw) if xlsx else _csv_rows(raw)
            positions = _header(rows)
            batch: list[tuple[int, dict[str, str]]] = []
            try:
                read = 0
                for line, cells in rows:
                    if not "".join(cells).strip():
                        continue
                    read += 1
                    if max_rows is not None and read > max_rows:
                        raise ImportRejected([LineError(line, _too_many_rows(max_rows))])
                    values = {name: (cells[index].strip() if index < len(cells) else "") for index, name in positions}
                    batch.append((line, values))
                    if len(batch) >= BATCH_SIZE:
                        importer.run(batch)
                        batch = []
            except _Unreadable as problem:
                result.stopped = _("baris %(line)d: %(message)s") % {"line": problem.line, "message": problem.message}
                if batch:
                    importer.run(batch)
                    batch = []
                importer.flush()
                importer.reject(problem.line, problem.message, {})
            if batch:
                importer.run(batch)
            importer.flush()
        except BaseException:
            # The caller gets no result to remove the rejects file with.
            importer.close()
            if result.rejects_path:
                os.remove(result.rejects_path)
            raise
        finally:
            importer.close()
            if "rows" in locals():
                rows.close()
            if owned:
                raw.close()
    logger.info(
        "activation import%s by user %s: %d saved, %d existing, %d rejected", " check" if dry_run else "",
        getattr(actor, "pk", None), result.saved, result.existing, result.rejected,
    )
    if dry_run:
        return result
    # One audit event per import, never one per row (the rows bypass the model signals).
    audit.record(AuditAction.IMPORT, object_type="outreach.activation", user=actor,
                 region_code=audit.user_region(actor),
                 detail={"file": audit.mask_long_numbers(str(filename or ""))[-100:], "saved": result.saved,
                         "existing": result.existing, "rejected": result.rejected})
    return result
