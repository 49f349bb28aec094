"""Reading and checking a NIK (Nomor Induk Kependudukan) as DESIGN.md defines it.

16 digits: 6 of the kecamatan where it was first issued (province, regency, kecamatan),
6 of the birth date DDMMYY with 40 added to the day for women, 4 of serial (0001 and up).
The kecamatan may be one of an earlier edition (the NIK never changes after a split); a
known province and regency with an unknown kecamatan is a warning the operator may confirm.
The century is the one that puts the birth date on or before the session date with an age
under 120. Nothing here logs or stores the NIK.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from regions.models import HistoricalCode, Level, Region

ADULT_AGE = 17
MAX_AGE = 120


@dataclass(frozen=True)
class Nik:
    digits: str
    district_code: str
    birth_date: datetime.date
    female: bool

    @property
    def last4(self) -> str:
        return self.digits[-4:]

    @property
    def sex(self) -> str:
        return "P" if self.female else "L"

    def age_on(self, day: datetime.date) -> int:
        born = self.birth_date
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


@dataclass
class NikCheck:
    nik: Nik | None = None
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def normalize(raw: str) -> str:
    """Digits as typed, without the spaces and dashes used to group them."""
    return "".join(raw.split()).replace("-", "").replace(".", "")


def _birth_date(digits: str, on: datetime.date) -> tuple[datetime.date | None, bool, str | None]:
    day, month, year2 = int(digits[6:8]), int(digits[8:10]), int(digits[10:12])
    female = day > 40
    if female:
        day -= 40
    for century in (2000, 1900):
        try:
            born = datetime.date(century + year2, month, day)
        except ValueError:
            return None, female, _("Tanggal lahir pada NIK tidak ada (%(day)02d-%(month)02d) — periksa kembali kartu.") % {
                "day": day, "month": month,
            }
        if born <= on:
            if on.year - born.year >= MAX_AGE:
                return None, female, _("Tanggal lahir pada NIK membuat umur 120 tahun atau lebih — periksa kembali kartu.")
            return born, female, None
    return None, female, _("Tanggal lahir pada NIK jatuh setelah tanggal kegiatan — periksa kembali kartu.")


_seen_codes: set[str] = set()  # codes found once stay found: region codes are never deleted


def _known_codes(codes: list[str]) -> set[str]:
    """Which of these codes exist, current or of an earlier edition. Only codes already found are
    answered from memory, so a code added later is never taken for unknown.

    The first code a process has not seen loads every province, regency and kecamatan code
    (about 8,000, two queries); after that only a code still missing is asked for. Before, a web
    worker asked twice for each kecamatan it had not met yet (in the benchmark, whose NIKs come
    from a province's 576 kecamatan, for most of its first thousand saves).
    """
    missing = [code for code in codes if code not in _seen_codes]
    if missing:
        everything = not _seen_codes
        regions = Region.objects.filter(level__gte=Level.PROVINCE, level__lte=Level.DISTRICT)
        earlier = HistoricalCode.objects.all()
        if not everything:
            regions, earlier = regions.filter(code__in=missing), earlier.filter(code__in=missing)
        _seen_codes.update(regions.values_list("code", flat=True).order_by())
        _seen_codes.update(earlier.values_list("code", flat=True).order_by())
    return {code for code in codes if code in _seen_codes}


def check_nik(raw: str, *, on: datetime.date, service: str, married: bool, known_codes=None) -> NikCheck:
    """Every problem with a NIK for a service on a date, each in its own words.

    `known_codes(codes) -> set` says which region codes exist; bulk imports pass a cached one.
    """
    result = NikCheck()
    digits = normalize(raw)
    # ASCII only: str.isdigit() also takes "²" (which int() refuses) and Arabic or full-width
    # digits (which would hash differently from the same NIK typed in 0-9).
    if not (digits.isascii() and digits.isdigit()):
        result.errors.append(_("NIK hanya berisi angka — periksa kembali kartu."))
        return result
    if len(digits) != 16:
        result.errors.append(_("NIK harus 16 angka (tertulis %d) — periksa kembali kartu.") % len(digits))
        return result

    province, regency, district = digits[0:2], f"{digits[0:2]}.{digits[2:4]}", f"{digits[0:2]}.{digits[2:4]}.{digits[4:6]}"
    known = (known_codes or _known_codes)([province, regency, district])
    if province not in known:
        result.errors.append(_("Kode provinsi %s pada NIK tidak dikenal — periksa kembali kartu.") % province)
    elif regency not in known:
        result.errors.append(_("Kode kabupaten/kota %s pada NIK tidak dikenal — periksa kembali kartu.") % regency)
    elif district not in known:
        result.warnings.append(
            _("Kode kecamatan %s tidak ada di daftar wilayah. Bila sesuai kartu, centang konfirmasi lalu simpan.") % district
        )

    born, female, problem = _birth_date(digits, on)
    if problem:
        result.errors.append(problem)
    if digits[12:] == "0000":
        result.errors.append(_("Nomor urut NIK (4 angka terakhir) tidak boleh 0000 — periksa kembali kartu."))
    if result.errors or born is None:
        return result

    nik = Nik(digits=digits, district_code=district, birth_date=born, female=female)
    age = nik.age_on(on)
    if service == "kia":
        if age >= ADULT_AGE:
            result.errors.append(_("Umur %d tahun: KIA hanya untuk anak di bawah 17 tahun.") % age)
        elif married:
            result.errors.append(_("KIA hanya untuk anak yang belum menikah: yang sudah menikah membuat KTP-el."))
    elif age < ADULT_AGE and not married:
        result.errors.append(
            _("Umur %d tahun: KTP-el dan IKD untuk umur 17 tahun ke atas atau yang sudah menikah.") % age
        )
    if not result.errors:
        result.nik = nik
    return result
