import io

import pytest
from django.core.management import CommandError, call_command

from regions.models import Level, Region
from tests.conftest import REGIONS_CSV, make_region

HEADER = "code,name,level,parent_code,kind\n"


def run(path) -> str:
    out = io.StringIO()
    call_command("import_regions", str(path), stdout=out)
    return out.getvalue()


def write(tmp_path, body: str):
    path = tmp_path / "regions.csv"
    path.write_text(HEADER + body, encoding="utf-8")
    return path


def test_the_full_list_gives_the_published_counts(full_regions):
    counts = {level: Region.objects.filter(level=level).count() for level in Level}
    assert counts == {
        Level.COUNTRY: 1,
        Level.PROVINCE: 38,
        Level.REGENCY: 514,
        Level.DISTRICT: 7285,
        Level.VILLAGE: 83762,
    }
    assert Region.objects.get(code="33.24").name == "Kabupaten Kendal"
    assert Region.objects.get(code="33.24.01.2001").parent.code == "33.24.01"


def test_a_second_import_changes_nothing_and_says_so(full_regions):
    before = list(Region.objects.order_by("code").values_list("code", "name", "kind", "is_current", "parent_id"))
    output = run(REGIONS_CSV)
    assert "Tidak ada perubahan" in output
    assert "Desa/kelurahan: 83762 di berkas, 0 baru, 0 diubah, 0 tidak berlaku lagi" in output
    after = list(Region.objects.order_by("code").values_list("code", "name", "kind", "is_current", "parent_id"))
    assert before == after


def test_it_adds_new_regions_and_prints_counts_per_level(db, tmp_path):
    path = write(
        tmp_path,
        "98,Provinsi Uji,province,,provinsi\n"
        "98.01,Kabupaten Uji,regency,98,kabupaten\n"
        "98.71,Kota Uji,regency,98,kota\n"
        "98.01.01,Uji Tengah,district,98.01,kecamatan\n"
        "98.01.01.2001,Uji Wetan,village,98.01.01,desa\n",
    )
    output = run(path)
    assert "Provinsi: 1 di berkas, 1 baru" in output
    assert "Kabupaten/kota: 2 di berkas, 2 baru" in output
    village = Region.objects.get(code="98.01.01.2001")
    assert village.level == Level.VILLAGE and village.kind == "desa"
    assert village.parent.parent.parent.code == "98"
    assert "Tidak ada perubahan" in run(path)


def test_it_updates_renamed_regions(db, tmp_path):
    make_region("33.24", "Kabupaten Kendal")
    path = write(tmp_path, "33.24,Kabupaten Kendal Baru,regency,33,kabupaten\n")
    output = run(path)
    assert "Kabupaten/kota: 1 di berkas, 0 baru, 1 diubah" in output
    assert Region.objects.get(code="33.24").name == "Kabupaten Kendal Baru"


def test_it_keeps_dropped_regions_but_marks_them_no_longer_current(full_regions, tmp_path):
    # An edition of Kendal that lists only one kecamatan: the other nineteen and their
    # villages are kept for history but no longer current; Plantungan's villages, which the
    # file does not list, and the rest of Jawa Tengah are untouched.
    path = write(
        tmp_path,
        "33.24,Kabupaten Kendal,regency,33,kabupaten\n"
        "33.24.01,Plantungan,district,33.24,kecamatan\n",
    )
    output = run(path)
    assert "Kecamatan: 1 di berkas, 0 baru, 0 diubah, 19 tidak berlaku lagi" in output
    assert not Region.objects.get(code="33.24.08").is_current
    assert not Region.objects.get(code="33.24.08.2003").is_current
    assert Region.objects.get(code="33.24.01.2001").is_current
    assert Region.objects.get(code="33.25").is_current

    # The full edition brings them back.
    output = run(REGIONS_CSV)
    assert Region.objects.get(code="33.24.08").is_current
    assert Region.objects.filter(is_current=False).count() == 0


@pytest.mark.parametrize(
    "line, reason",
    [
        ("98.1,Kabupaten Salah,regency,98,kabupaten", "tidak berbentuk kode"),
        ("98.01,Kabupaten Salah,kabupatenx,98,kabupaten", "tingkat 'kabupatenx' tidak dikenal"),
        ("98.01.02,Kecamatan Yatim,district,98.99,kecamatan", "tidak cocok dengan kode"),
        ("98.02.01,Kecamatan Yatim,district,98.02,kecamatan", "induk 98.02 tidak ada"),
        ("98.01,Kabupaten Ganda,regency,98,kabupaten", "ganda, sudah ada di baris 3"),
        ("98.01.01.5001,Desa Aneh,village,98.01.01,kota", "jenis 'kota' tidak cocok"),
        ("98.03,,regency,98,kabupaten", "nama kosong"),
    ],
)
def test_a_malformed_line_aborts_with_its_number_and_writes_nothing(db, tmp_path, line, reason):
    path = write(
        tmp_path,
        "98,Provinsi Uji,province,,provinsi\n"
        "98.01,Kabupaten Uji,regency,98,kabupaten\n"
        "98.01.01,Uji Tengah,district,98.01,kecamatan\n" + line + "\n",
    )
    before = Region.objects.count()
    with pytest.raises(CommandError) as error:
        run(path)
    assert "baris 5" in str(error.value)
    assert reason in str(error.value)
    assert Region.objects.count() == before
    assert not Region.objects.filter(code="98").exists()


def test_a_file_without_the_columns_is_refused(db, tmp_path):
    path = tmp_path / "wrong.csv"
    path.write_text("kode,nama\n33,Jawa Tengah\n", encoding="utf-8")
    with pytest.raises(CommandError, match="baris 1: kolom tidak ada: code, name, level, parent_code, kind"):
        run(path)


def test_a_missing_file_says_so(db, tmp_path):
    with pytest.raises(CommandError, match="Berkas tidak ditemukan"):
        run(tmp_path / "tidak-ada.csv")


def test_historical_codes_import_once_and_refuse_bad_lines(db, tmp_path):
    from regions.models import HistoricalCode

    good = tmp_path / "old.csv"
    good.write_text("code,name,level,first_seen,last_seen\n91.01,Kab. Merauke,regency,2016,2022\n91.01.01,Merauke,district,2016,2022\n")
    assert "2 baru" in command_output("import_historical_codes", good)
    assert "0 baru, 2 sudah ada" in command_output("import_historical_codes", good)
    bad = tmp_path / "bad.csv"
    bad.write_text("code,name,level,first_seen,last_seen\n91.02,Kab. X,regency,2016,2022\n91.1,Salah,regency,2016,2022\n")
    with pytest.raises(CommandError, match="baris 3"):
        command_output("import_historical_codes", bad)
    assert HistoricalCode.objects.count() == 2


def command_output(name, path) -> str:
    out = io.StringIO()
    call_command(name, str(path), stdout=out)
    return out.getvalue()
