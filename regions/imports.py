"""Imports of region figures: populations and official achievement counts, from CSV or XLSX.

Every import is checked whole before anything is written (`*_check` returns a preview with
every bad line), then written in one transaction (`*_apply`). The command line and the
upload page call the same functions; with an `actor`, only rows inside the actor's regions
are accepted. Keys are natural: (region, as_of) for populations, (region, indicator, as_of)
for official figures, so importing a file again updates and never duplicates.

A blank cell means "unknown" and is stored as such; a column the file does not have is not
touched, so a file of wajib KTP alone does not erase the population already stored for the
same date. The table reader is shared with the other imports (region list, accounts).
"""

from __future__ import annotations

import csv
import datetime
import io
import re
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from regions import access
from regions.models import Indicator, OfficialFigure, Population, Region, Target

Rows = list[tuple[int, dict[str, str]]]

POPULATION_NUMBERS = ("population", "male", "female", "wajib_ktp", "children")
ACHIEVEMENT_COLUMNS = ("region_code", "indicator", "as_of", "count")
DIGITS = re.compile(r"[0-9]+")
THOUSANDS = re.compile(r"[0-9]{1,3}(\.[0-9]{3})+")
LARGEST_COUNT = 9_223_372_036_854_775_807  # PositiveBigIntegerField
SOURCE_LENGTH = 200
BATCH = 2000  # codes or ids per IN (...) query


@dataclass(frozen=True)
class LineError:
    line: int
    message: str

    def __str__(self) -> str:
        return _("baris %(line)d: %(message)s") % {"line": self.line, "message": self.message}


class ImportRejected(Exception):
    """A file with at least one bad line: nothing was written."""

    def __init__(self, errors: list[LineError]):
        self.errors = errors
        super().__init__("\n".join(str(e) for e in errors))


@dataclass
class ImportLine:
    """One data line: its values (only the columns the file has) and what is wrong with it."""

    line: int
    values: dict
    errors: list[str] = field(default_factory=list)


@dataclass
class ImportPreview:
    kind: str
    lines: list[ImportLine] = field(default_factory=list)
    header_errors: list[LineError] = field(default_factory=list)

    @property
    def errors(self) -> list[LineError]:
        found = list(self.header_errors)
        found += [LineError(line.line, message) for line in self.lines for message in line.errors]
        return sorted(found, key=lambda error: error.line)

    @property
    def ok(self) -> bool:
        return not self.header_errors and not any(line.errors for line in self.lines)


# ---- Reading files ------------------------------------------------------------------------


def _rejected(message: str, line: int = 1) -> ImportRejected:
    return ImportRejected([LineError(line, message)])


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    # PostgreSQL refuses NUL in text; nobody means one in a spreadsheet cell.
    return str(value).replace("\x00", "").strip()


def _xlsx_rows(content: bytes) -> list[tuple[int, list[str]]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        try:
            sheet = workbook.worksheets[0]
            return [
                (number, [_cell(value) for value in row])
                for number, row in enumerate(sheet.iter_rows(values_only=True), start=1)
            ]
        finally:
            workbook.close()
    except Exception:  # noqa: BLE001 -- openpyxl raises many kinds for a damaged file, some only while reading rows
        raise _rejected(
            _("berkas XLSX tidak dapat dibaca: simpan ulang dari Excel atau LibreOffice sebagai .xlsx")
        ) from None


def _csv_rows(content: bytes) -> list[tuple[int, list[str]]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _rejected(_("berkas CSV harus berpengodean UTF-8 (di Excel: Simpan Sebagai, CSV UTF-8)")) from None
    if "\x00" in text:
        # A UTF-16 file without a byte-order mark decodes as UTF-8 full of NUL characters.
        raise _rejected(_("berkas CSV harus berpengodean UTF-8 (di Excel: Simpan Sebagai, CSV UTF-8)"))
    reader = csv.reader(io.StringIO(text))
    table = []
    start = 1
    try:
        for cells in reader:
            # A quoted cell may span lines: a row is numbered by the line it starts on.
            table.append((start, cells))
            start = reader.line_num + 1
    except csv.Error:
        raise _rejected(_("isi CSV tidak dapat dibaca (periksa tanda kutip)"), start) from None
    return table


def read_table(*, content: bytes, filename: str) -> Rows:
    """The rows of a CSV (UTF-8, BOM allowed) or XLSX file (first sheet) as (line number, {column: text}).

    Line 1 is the header; column names are stripped and lower-cased, cells stripped. XLSX
    dates become ISO dates, whole numbers become integers. Blank lines are skipped and keep
    their numbers, so every number is the line a spreadsheet shows. Raises ImportRejected
    for a file that cannot be read.
    """
    is_zip = content[:4] == b"PK\x03\x04" and zipfile.is_zipfile(io.BytesIO(content))
    table = _xlsx_rows(content) if filename.lower().endswith(".xlsx") or is_zip else _csv_rows(content)
    if not table or not any(cell.strip() for cell in table[0][1]):
        raise _rejected(_("berkas kosong: baris pertama harus berisi nama kolom"))
    header = [name.strip().lower() for name in table[0][1]]
    repeated = sorted({name for name in header if name and header.count(name) > 1})
    if repeated:
        raise _rejected(_("kolom muncul lebih dari sekali: %s") % ", ".join(repeated))
    rows = []
    for number, cells in table[1:]:
        if not any(cell.strip() for cell in cells):
            continue
        rows.append(
            (number, {name: (cells[i].strip() if i < len(cells) else "") for i, name in enumerate(header) if name})
        )
    return rows


def rows_to_csv(rows: Rows) -> str:
    """Rows back to CSV text, for a preview that is confirmed in a second request."""
    out = io.StringIO()
    header = list(rows[0][1]) if rows else []
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    for _line, values in rows:
        writer.writerow([values.get(name, "") for name in header])
    return out.getvalue()


def header_of(rows: Rows) -> set[str]:
    """The column names of rows read by `read_table` (every row carries every column)."""
    return set(rows[0][1]) if rows else set()


# ---- Values -------------------------------------------------------------------------------


def parse_count(text: str, label: str) -> int | None:
    """A whole number ≥ 0: plain digits or with Indonesian thousand separators (1.094.214); blank is None."""
    if text == "":
        return None
    digits = text.replace(".", "") if THOUSANDS.fullmatch(text) else text
    if not DIGITS.fullmatch(digits):
        raise ValueError(
            _("%(label)s '%(text)s' bukan bilangan bulat tanpa tanda (tulis 1094214 atau 1.094.214)")
            % {"label": label, "text": text}
        )
    value = int(digits)
    if value > LARGEST_COUNT:
        raise ValueError(_("%(label)s '%(text)s' terlalu besar") % {"label": label, "text": text})
    return value


def parse_day(text: str, label: str = "as_of") -> datetime.date:
    """A date written TTTT-BB-HH (ISO), or HH-BB-TTTT / HH/BB/TTTT as Indonesian offices write it."""
    for pattern in ("%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y"):
        try:
            return datetime.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ValueError(
        _("%(label)s '%(text)s' bukan tanggal (tulis TTTT-BB-HH, misalnya 2025-12-31)") % {"label": label, "text": text}
    )


def _chunks(values: Iterable, size: int = BATCH) -> Iterator[list]:
    values = list(values)
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _regions_by_code(rows: Rows, actor) -> dict[str, Region]:
    """The regions the file names, in a few queries; with an actor, only those inside the actor's regions."""
    codes = {values.get("region_code", "") for _line, values in rows} - {""}
    regions = {}
    for chunk in _chunks(sorted(codes)):
        regions.update((region.code, region) for region in Region.objects.filter(code__in=chunk))
    if actor is not None:
        regions = {code: region for code, region in regions.items() if access.can_see_code(actor, code)}
    return regions


def _stored(model, lines: list[ImportLine], key_fields: tuple[str, ...]) -> dict[tuple, object]:
    """The rows already stored under the keys of `lines`, by key, in a few queries."""
    region_ids = {line.values["region"].pk for line in lines if line.values.get("region") is not None}
    dates = {line.values["as_of"] for line in lines if line.values.get("as_of") is not None}
    stored = {}
    if not dates:
        return stored
    for chunk in _chunks(sorted(region_ids)):
        for row in model.objects.filter(region_id__in=chunk, as_of__in=dates):
            stored[tuple(row.region_id if name == "region" else getattr(row, name) for name in key_fields)] = row
    return stored


def _key(line: ImportLine, key_fields: tuple[str, ...]) -> tuple:
    return tuple(line.values["region"].pk if name == "region" else line.values[name] for name in key_fields)


def _region_error(code: str) -> str:
    # The same words for a code that does not exist and one outside the actor's regions.
    return _("wilayah %s tidak dikenal atau di luar wilayah Anda") % (code or "(kosong)")


def _no_rows(preview: ImportPreview, rows: Rows) -> bool:
    if not rows:
        preview.header_errors.append(LineError(1, _("berkas tidak berisi baris data")))
    return not rows


# ---- Populations --------------------------------------------------------------------------


def population_check(*, rows: Rows, actor=None, as_of: datetime.date | None = None) -> ImportPreview:
    """Check a population file: region_code,as_of and any of population,wajib_ktp,children,male,female[,source].

    Without an `as_of` column, `as_of` gives the date of every line (and of lines whose cell
    is blank). Blank cells are unknown; absent columns keep what is stored. wajib_ktp and
    children may not exceed the population, counting what is already stored for that date.
    Other columns (a region's name, say) are ignored. Writes nothing.
    """
    preview = ImportPreview("population")
    if _no_rows(preview, rows):
        return preview
    header = header_of(rows)
    numbers = [name for name in POPULATION_NUMBERS if name in header]
    if "region_code" not in header:
        preview.header_errors.append(LineError(1, _("kolom region_code tidak ada")))
    if "as_of" not in header and as_of is None:
        preview.header_errors.append(LineError(1, _("tidak ada kolom as_of: isi tanggal data (--as-of)")))
    if not numbers:
        preview.header_errors.append(
            LineError(1, _("tidak ada kolom angka: isi paling sedikit satu dari %s") % ", ".join(POPULATION_NUMBERS))
        )
    if preview.header_errors:
        return preview

    regions = _regions_by_code(rows, actor)
    seen: dict[tuple[str, datetime.date], int] = {}
    for number, raw in rows:
        code = raw.get("region_code", "")
        line = ImportLine(number, {"region_code": code, "region": regions.get(code)})
        preview.lines.append(line)
        if line.values["region"] is None:
            line.errors.append(_region_error(code))
        try:
            day = parse_day(raw["as_of"]) if raw.get("as_of") else as_of
            if day is None:
                raise ValueError(_("as_of kosong: isi tanggal data"))
        except ValueError as problem:
            line.errors.append(str(problem))
            day = None
        line.values["as_of"] = day
        for name in numbers:
            try:
                line.values[name] = parse_count(raw[name], name)
            except ValueError as problem:
                line.errors.append(str(problem))
                line.values[name] = None
        if all(raw[name] == "" for name in numbers):
            line.errors.append(_("semua angka kosong: isi paling sedikit satu dari %s") % ", ".join(numbers))
        if "source" in header:
            line.values["source"] = raw["source"][:SOURCE_LENGTH]
        if day is not None:
            if (code, day) in seen:
                line.errors.append(_("wilayah dan tanggal yang sama sudah ada di baris %d") % seen[(code, day)])
            seen.setdefault((code, day), number)

    stored = _stored(Population, [line for line in preview.lines if not line.errors], ("region", "as_of"))
    for line in preview.lines:
        if not line.errors:
            line.errors.extend(_population_conflicts(line.values, stored.get(_key(line, ("region", "as_of")))))
    return preview


def _population_conflicts(values: dict, stored: Population | None) -> list[str]:
    """wajib_ktp or children above the population, with what is stored standing in for absent columns."""

    def figure(name: str) -> tuple[int | None, bool]:
        if name in values:
            return values[name], False
        return (getattr(stored, name) if stored else None), True

    total, total_stored = figure("population")
    problems = []
    for name in ("wajib_ktp", "children"):
        part, part_stored = figure(name)
        if total is None or part is None or part <= total:
            continue
        words = {"name": name, "part": part, "total": total}
        if total_stored:
            problems.append(
                _("%(name)s (%(part)d) lebih besar dari population yang sudah tersimpan (%(total)d)") % words
            )
        elif part_stored:
            problems.append(
                _("%(name)s yang sudah tersimpan (%(part)d) lebih besar dari population (%(total)d)") % words
            )
        else:
            problems.append(_("%(name)s (%(part)d) lebih besar dari population (%(total)d)") % words)
    return problems


def _apply(preview: ImportPreview, model, key_fields: tuple[str, ...], value_fields: tuple[str, ...], actor) -> dict:
    """Upsert the preview's lines on their natural key; only rows that change are saved (and get history)."""
    if not preview.ok:
        raise ImportRejected(preview.errors)
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    stored = _stored(model, preview.lines, key_fields)
    for line in preview.lines:
        given = {name: line.values[name] for name in value_fields if name in line.values}
        key = _key(line, key_fields)
        row = stored.get(key)
        if row is None:
            row = model(**{name: line.values[name] for name in key_fields})
            counts["created"] += 1
        elif all(getattr(row, name) == value for name, value in given.items()):
            counts["unchanged"] += 1
            continue
        else:
            counts["updated"] += 1
        for name, value in given.items():
            setattr(row, name, value)
        row._history_user = actor
        row.save()
        stored[key] = row
    return counts


@transaction.atomic
def population_apply(*, preview: ImportPreview, actor=None) -> dict:
    """Write a checked population preview, all or nothing; counts of created, updated and unchanged rows.

    Raises ImportRejected with every error when the preview is not ok.
    """
    return _apply(preview, Population, ("region", "as_of"), (*POPULATION_NUMBERS, "source"), actor)


# ---- Official figures ---------------------------------------------------------------------


def achievements_check(*, rows: Rows, actor=None) -> ImportPreview:
    """Check an official figures file: region_code,indicator,as_of,count[,source]. Writes nothing."""
    preview = ImportPreview("achievements")
    if _no_rows(preview, rows):
        return preview
    header = header_of(rows)
    missing = [name for name in ACHIEVEMENT_COLUMNS if name not in header]
    if missing:
        preview.header_errors.append(LineError(1, _("kolom tidak ada: %s") % ", ".join(missing)))
        return preview

    regions = _regions_by_code(rows, actor)
    choices = ", ".join(Indicator.values[:-1]) + _(" atau ") + Indicator.values[-1]
    seen: dict[tuple, int] = {}
    for number, raw in rows:
        code = raw["region_code"]
        line = ImportLine(number, {"region_code": code, "region": regions.get(code)})
        preview.lines.append(line)
        if line.values["region"] is None:
            line.errors.append(_region_error(code))
        indicator = raw["indicator"].lower()
        if indicator not in Indicator.values:
            line.errors.append(
                _("indikator '%(given)s' tidak dikenal (%(choices)s)") % {"given": indicator, "choices": choices}
            )
        line.values["indicator"] = indicator
        try:
            line.values["as_of"] = parse_day(raw["as_of"])
        except ValueError as problem:
            line.errors.append(str(problem))
            line.values["as_of"] = None
        try:
            line.values["count"] = parse_count(raw["count"], "count")
            if line.values["count"] is None:
                line.errors.append(_("count kosong: isi jumlah capaian"))
        except ValueError as problem:
            line.errors.append(str(problem))
            line.values["count"] = None
        if "source" in header:
            line.values["source"] = raw["source"][:SOURCE_LENGTH]
        key = (code, indicator, line.values["as_of"])
        if line.values["as_of"] is not None:
            if key in seen:
                line.errors.append(_("wilayah, indikator dan tanggal yang sama sudah ada di baris %d") % seen[key])
            seen.setdefault(key, number)
    return preview


@transaction.atomic
def achievements_apply(*, preview: ImportPreview, actor=None) -> dict:
    """Write a checked official-figures preview, all or nothing; counts of created, updated and unchanged rows.

    Raises ImportRejected with every error when the preview is not ok.
    """
    return _apply(preview, OfficialFigure, ("region", "indicator", "as_of"), ("count", "source"), actor)


# ---- Targets ------------------------------------------------------------------------------


@transaction.atomic
def target_set(
    *,
    indicator: str,
    year: int,
    percent: Decimal,
    region: Region | None = None,
    due: datetime.date | None = None,
    actor=None,
) -> tuple[Target, bool]:
    """Set the target of a region (or the national default) for a year; True when created or changed.

    Upserts on (region, year, indicator); the country itself means the national default. A
    new target is due on 31 December of its year unless `due` is given; an existing one keeps
    its due date unless `due` is given. Raises ValidationError in plain Indonesian; history
    (with `actor`) keeps the old value. Nothing is saved when nothing changes.
    """
    if indicator not in Indicator.values:
        raise ValidationError({"indicator": _("Indikator '%s' tidak dikenal: pilih ikd, ektp atau kia.") % indicator})
    if not 2000 <= year <= 2100:
        raise ValidationError({"year": _("Tahun %d di luar rentang 2000–2100.") % year})
    try:
        percent = Decimal(str(percent)) if isinstance(percent, float) else Decimal(percent)
    except (InvalidOperation, TypeError, ValueError):
        raise ValidationError({"percent": _("Target harus berupa angka persen, misalnya 30.")}) from None
    if not percent.is_finite():
        raise ValidationError({"percent": _("Target harus berupa angka persen, misalnya 30.")})
    if region is not None and region.is_country:
        region = None

    target = Target.objects.select_for_update().filter(region=region, year=year, indicator=indicator).order_by().first()
    if target is None:
        target = Target(region=region, year=year, indicator=indicator)
    elif target.percent == percent and (due is None or target.due == due):
        return target, False
    target.percent = percent
    target.due = due or target.due or datetime.date(year, 12, 31)
    target.full_clean()
    target._history_user = actor
    target.save()
    return target, True
