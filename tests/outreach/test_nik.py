"""The NIK rules of DESIGN.md, one bad NIK per row with the message it gets."""

import datetime

import pytest

from outreach import nik
from outreach.nik import check_nik
from regions.models import HistoricalCode, Level
from tests.conftest import make_region

ON = datetime.date(2025, 11, 24)


@pytest.fixture(autouse=True)
def codes(db):
    make_region("33.24.08")
    make_region("91")
    HistoricalCode.objects.get_or_create(code="91.01", defaults={"name": "Kab. Merauke", "level": Level.REGENCY, "first_seen": 2016, "last_seen": 2022})
    HistoricalCode.objects.get_or_create(code="91.01.01", defaults={"name": "Merauke", "level": Level.DISTRICT, "first_seen": 2016, "last_seen": 2022})


@pytest.mark.parametrize(
    "nik, service, married, message",
    [
        ("332408010190001", "ikd", False, "NIK harus 16 angka (tertulis 15)"),
        ("33240801019000A1", "ikd", False, "NIK hanya berisi angka"),
        ("9924080101900001", "ikd", False, "Kode provinsi 99 pada NIK tidak dikenal"),
        ("3399080101900001", "ikd", False, "Kode kabupaten/kota 33.99 pada NIK tidak dikenal"),
        ("3324083102900001", "ikd", False, "Tanggal lahir pada NIK tidak ada (31-02)"),
        ("3324087201900001", "ikd", False, "Tanggal lahir pada NIK tidak ada (32-01)"),
        ("3324080101900000", "ikd", False, "Nomor urut NIK (4 angka terakhir) tidak boleh 0000"),
        ("3324080106090001", "ikd", False, "Umur 16 tahun: KTP-el dan IKD untuk umur 17 tahun ke atas"),
        ("3324080106090001", "ektp", False, "Umur 16 tahun: KTP-el dan IKD"),
        ("3324080101080001", "kia", False, "Umur 17 tahun: KIA hanya untuk anak di bawah 17 tahun"),
        ("3324080106090001", "kia", True, "KIA hanya untuk anak yang belum menikah"),
    ],
)
def test_a_bad_nik_gets_its_own_message(nik, service, married, message):
    check = check_nik(nik, on=ON, service=service, married=married)
    assert not check.ok
    assert any(message in error for error in check.errors), check.errors


def test_an_unknown_kecamatan_is_a_warning_the_operator_may_confirm():
    check = check_nik("3324990101900001", on=ON, service="ikd", married=False)
    assert check.ok and check.nik is not None
    assert check.warnings == ["Kode kecamatan 33.24.99 tidak ada di daftar wilayah. Bila sesuai kartu, centang konfirmasi lalu simpan."]


def test_women_carry_40_in_the_day():
    check = check_nik("3324084101900002", on=ON, service="ikd", married=False)
    assert check.ok
    assert (check.nik.birth_date, check.nik.sex) == (datetime.date(1990, 1, 1), "P")
    man = check_nik("3324080101900002", on=ON, service="ikd", married=False)
    assert man.nik.sex == "L"


def test_the_century_puts_the_birth_date_before_the_session_with_an_age_under_120():
    assert check_nik("3324080101300001", on=ON, service="ikd", married=False).nik.birth_date == datetime.date(1930, 1, 1)
    assert check_nik("3324080101050001", on=ON, service="ikd", married=False).nik.birth_date == datetime.date(2005, 1, 1)
    # 25 November 2025 is after the session date: the century before, 1925, is 100 years ago.
    assert check_nik("3324082511250001", on=ON, service="ikd", married=False).nik.birth_date == datetime.date(1925, 11, 25)


def test_sixteen_and_married_may_activate_ikd():
    assert check_nik("3324080106090001", on=ON, service="ikd", married=True).ok


def test_a_kecamatan_of_an_earlier_edition_is_accepted():
    check = check_nik("9101010101900001", on=ON, service="ikd", married=False)
    assert check.ok and not check.warnings
    assert check.nik.district_code == "91.01.01"


def test_spaces_between_groups_are_ignored():
    assert check_nik("3324 0801 0190 0001", on=ON, service="ikd", married=False).nik.digits == "3324080101900001"


def test_codes_are_loaded_once_per_process_and_a_code_added_later_is_still_found(django_assert_num_queries):
    make_region("33.24.09")
    village = make_region("33.24.08.2003")
    with django_assert_num_queries(2):  # every province, regency and kecamatan code, current and earlier
        assert check_nik("3324080101900001", on=ON, service="ikd", married=False).ok
    with django_assert_num_queries(0):  # another kecamatan, an earlier edition's: from memory
        assert not check_nik("3324090101900001", on=ON, service="ikd", married=False).warnings
        assert not check_nik("9101010101900001", on=ON, service="ikd", married=False).warnings
    assert village.code not in nik._seen_codes  # villages are never asked for
    assert check_nik("3324980101900001", on=ON, service="ikd", married=False).warnings  # unknown
    make_region("33.24.98")  # added after the codes were loaded: asked for, not taken for unknown
    with django_assert_num_queries(2):
        assert not check_nik("3324980101900001", on=ON, service="ikd", married=False).warnings
