"""Imports: reading CSV and XLSX tables, and importing region figures (populations, official counts).

Every import is checked whole before anything is written (`*_check` returns a preview with
every bad line), then written in one transaction (`*_apply`). The command line and the
upload page call the same functions; with an `actor`, only rows inside the actor's regions
are accepted. Keys are natural: (region, as_of) for populations, (region, indicator, as_of)
for official figures, so importing a file again updates and never duplicates.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from regions import access
from regions.models import Indicator, OfficialFigure, Population, Region, Target

Rows = list[tuple[int, dict[str, str]]]

POPULATION_NUMBERS = ("population", "male", "female", "wajib_ktp", "children")
THOUSANDS = re.compile(r"\d{1,3}(\.\d{3})+")


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


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _xlsx_rows(content: bytes) -> list[list[str]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a damaged file
        raise ImportRejected([LineError(1, _("berkas XLSX tidak dapat dibaca"))]) from None
    sheet = workbook.worksheets[0]
    rows = [[_cell(value) for value in row] for row in sheet.iter_rows(values_only=True)]
    workbook.close()
    return rows


def read_table(*, content: bytes, filename: str) -> Rows:
    """The rows of a CSV (UTF-8) or XLSX file as (line number, {column: text}); line 1 is the header."""
    if filename.lower().endswith(".xlsx") or content[:4] == b"PK\x03\x04" and zipfile.is_zipfile(io.BytesIO(content)):
        table = _xlsx_rows(content)
    else:
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ImportRejected([LineError(1, _("berkas CSV harus berpengodean UTF-8"))]) from None
        table = list(csv.reader(io.StringIO(text)))
    if not table or not any(table[0]):
        raise ImportRejected([LineError(1, _("berkas kosong: baris pertama harus berisi nama kolom"))])
    header = [name.strip().lower() for name in table[0]]
    rows = []
    for number, cells in enumerate(table[1:], start=2):
        if not any(cell.strip() for cell in cells):
            continue
        rows.append((number, {name: (cells[i].strip() if i < len(cells) else "") for i, name in enumerate(header) if name}))
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
    """A whole number ≥ 0: plain digits or with Indonesian thousand separators (1.094.214)."""
    if text == "":
        return None
    if THOUSANDS.fullmatch(text):
        text = text.replace(".", "")
    if not text.isdigit():
        raise ValueError(_("%(label)s '%(text)s' bukan bilangan bulat tanpa tanda") % {"label": label, "text": text})
    return int(text)


def parse_day(text: str, label: str = "as_of") -> datetime.date:
    for pattern in ("%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y"):
        try:
            return datetime.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ValueError(_("%(label)s '%(text)s' bukan tanggal (tulis TTTT-BB-HH, misalnya 2025-12-31)") % {"label": label, "text": text})


def _regions_by_code(rows: Rows, actor) -> dict[str, Region]:
    codes = {values.get("region_code", "") for _line, values in rows}
    regions = {region.code: region for region in Region.objects.filter(code__in=codes)}
    if actor is not None:
        regions = {code: region for code, region in regions.items() if access.can_see_code(actor, code)}
    return regions


def _region_error(code: str) -> str:
    # The same words for a code that does not exist and one outside the actor's regions.
    return _("wilayah %s tidak dikenal atau di luar wilayah Anda") % (code or "(kosong)")


# ---- Populations --------------------------------------------------------------------------


def population_check(*, rows: Rows, actor=None, as_of: datetime.date | None = None) -> ImportPreview:
    """Check a population file: region_code,as_of,population,wajib_ktp,children[,male,female,source].

    Without an `as_of` column, `as_of` gives the date of every line. Blank cells are unknown.
    """
    preview = ImportPreview("population")
    header = header_of(rows)
    if rows and "region_code" not in header:
        preview.header_errors.append(LineError(1, _("kolom region_code tidak ada")))
    if rows and "as_of" not in header and as_of is None:
        preview.header_errors.append(LineError(1, _("tidak ada kolom as_of: isi tanggal data (--as-of)")))
    if preview.header_errors:
        return preview
    regions = _regions_by_code(rows, actor)
    seen: dict[tuple[str, datetime.date], int] = {}
    for number, raw in rows:
        line = ImportLine(number, {"region_code": raw.get("region_code", ""), "source": raw.get("source", "")[:200]})
        preview.lines.append(line)
        region = regions.get(line.values["region_code"])
        if region is None:
            line.errors.append(_region_error(line.values["region_code"]))
        line.values["region"] = region
        try:
            line.values["as_of"] = parse_day(raw["as_of"]) if raw.get("as_of") else as_of
            if line.values["as_of"] is None:
                raise ValueError(_("as_of kosong"))
        except ValueError as problem:
            line.errors.append(str(problem))
            line.values["as_of"] = None
        for name in POPULATION_NUMBERS:
            try:
                line.values[name] = parse_count(raw.get(name, ""), name)
            except ValueError as problem:
                line.errors.append(str(problem))
                line.values[name] = None
        numbers = {name: line.values[name] for name in POPULATION_NUMBERS}
        if all(value is None for value in numbers.values()) and not line.errors:
            line.errors.append(_("semua angka kosong"))
        total = numbers["population"]
        for name in ("wajib_ktp", "children"):
            if total is not None and numbers[name] is not None and numbers[name] > total:
                line.errors.append(_("%(name)s lebih besar dari population") % {"name": name})
        key = (line.values["region_code"], line.values["as_of"])
        if line.values["as_of"] is not None and key in seen:
            line.errors.append(_("wilayah dan tanggal yang sama sudah ada di baris %d") % seen[key])
        seen.setdefault(key, number)
    return preview


def _apply(preview: ImportPreview, model, key_fields: tuple[str, ...], value_fields: tuple[str, ...], actor) -> dict:
    if not preview.ok:
        raise ImportRejected(preview.errors)
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    region_ids = {line.values["region"].pk for line in preview.lines}
    existing = {
        tuple(getattr(row, name) if name != "region" else row.region_id for name in key_fields): row
        for row in model.objects.filter(region_id__in=region_ids)
    }
    for line in preview.lines:
        key = tuple(line.values[name].pk if name == "region" else line.values[name] for name in key_fields)
        row = existing.get(key)
        if row is None:
            row = model(**{name: line.values[name] for name in key_fields})
            counts["created"] += 1
        elif all(getattr(row, name) == line.values[name] for name in value_fields):
            counts["unchanged"] += 1
            continue
        else:
            counts["updated"] += 1
        for name in value_fields:
            setattr(row, name, line.values[name])
        row._history_user = actor
        row.save()
        existing[key] = row
    return counts


@transaction.atomic
def population_apply(*, preview: ImportPreview, actor=None) -> dict:
    """Write a checked population preview; returns counts of created, updated and unchanged rows."""
    return _apply(preview, Population, ("region", "as_of"), (*POPULATION_NUMBERS, "source"), actor)


# ---- Official figures ---------------------------------------------------------------------


def achievements_check(*, rows: Rows, actor=None) -> ImportPreview:
    """Check an official figures file: region_code,indicator,as_of,count,source."""
    preview = ImportPreview("achievements")
    missing = [name for name in ("region_code", "indicator", "as_of", "count") if rows and name not in header_of(rows)]
    if missing:
        preview.header_errors.append(LineError(1, _("kolom tidak ada: %s") % ", ".join(missing)))
        return preview
    regions = _regions_by_code(rows, actor)
    seen: dict[tuple, int] = {}
    for number, raw in rows:
        code = raw.get("region_code", "")
        line = ImportLine(number, {"region_code": code, "region": regions.get(code), "source": raw.get("source", "")[:200]})
        preview.lines.append(line)
        if line.values["region"] is None:
            line.errors.append(_region_error(code))
        indicator = raw.get("indicator", "").lower()
        if indicator not in Indicator.values:
            line.errors.append(_("indikator '%s' tidak dikenal (ikd, ektp atau kia)") % indicator)
        line.values["indicator"] = indicator
        try:
            line.values["as_of"] = parse_day(raw.get("as_of", ""))
        except ValueError as problem:
            line.errors.append(str(problem))
            line.values["as_of"] = None
        try:
            line.values["count"] = parse_count(raw.get("count", ""), "count")
            if line.values["count"] is None:
                line.errors.append(_("count kosong"))
        except ValueError as problem:
            line.errors.append(str(problem))
            line.values["count"] = None
        key = (code, indicator, line.values["as_of"])
        if line.values["as_of"] is not None and key in seen:
            line.errors.append(_("wilayah, indikator dan tanggal yang sama sudah ada di baris %d") % seen[key])
        seen.setdefault(key, number)
    return preview


@transaction.atomic
def achievements_apply(*, preview: ImportPreview, actor=None) -> dict:
    """Write a checked official-figures preview; returns counts of created, updated and unchanged rows."""
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
    """Set the target of a region (or the national default) for a year; True when it changed.

    The model's `clean` holds the rules (percent range, due date); history keeps the old value.
    """
    try:
        percent = Decimal(percent)
    except (InvalidOperation, TypeError):
        raise ValidationError({"percent": _("Target harus berupa angka persen, misalnya 30.")}) from None
    target = Target.objects.filter(region=region, year=year, indicator=indicator).first()
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
