import io
from datetime import date, datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db.models import Sum
from openpyxl import Workbook

from regions import imports
from regions.models import OfficialFigure, Population, Target
from tests.conftest import shared_file


def command(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def csv_file(tmp_path, text: str, name: str = "data.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def rows_of(text: str):
    return imports.read_table(content=text.encode(), filename="data.csv")


# ---- Populations ---------------------------------------------------------------------------


def test_population_2025_imports_with_as_of_and_sums_to_the_published_total(full_regions):
    path = shared_file("regions/population_2025.csv")
    output = command("import_population", str(path), "--as-of", "2025-04-25")
    assert "552 baru" in output
    rows = Population.objects.filter(as_of=date(2025, 4, 25))
    assert rows.count() == 552
    assert rows.filter(region__level=1).aggregate(total=Sum("population"))["total"] == 284_973_643
    assert rows.filter(region__level=2).aggregate(total=Sum("population"))["total"] == 284_973_643
    kendal = rows.get(region__code="33.24")
    assert (kendal.population, kendal.male, kendal.female) == (1_094_214, 551_157, 543_057)
    assert kendal.wajib_ktp is None  # blank = unknown: the file has no wajib KTP column

    output = command("import_population", str(path), "--as-of", "2025-04-25")
    assert "0 baru, 0 diperbarui, 552 tidak berubah" in output
    assert Population.objects.count() == 552


def test_a_population_file_without_a_date_needs_as_of(db, tmp_path, kendal):
    path = csv_file(tmp_path, "region_code,population\n33.24,1094214\n")
    with pytest.raises(CommandError, match="baris 1: tidak ada kolom as_of"):
        command("import_population", path)
    assert not Population.objects.exists()


def test_reimporting_a_changed_figure_updates_it_and_keeps_history(db, tmp_path, kendal):
    command(
        "import_population",
        csv_file(tmp_path, "region_code,as_of,wajib_ktp,children\n33.24,2025-12-31,832474,265855\n"),
    )
    output = command(
        "import_population",
        csv_file(tmp_path, "region_code,as_of,wajib_ktp,children\n33.24,2025-12-31,832.500,265855\n"),
    )
    assert "0 baru, 1 diperbarui" in output
    figure = Population.objects.get()
    assert figure.wajib_ktp == 832_500
    assert [h.wajib_ktp for h in figure.history.order_by("history_date")] == [832_474, 832_500]


@pytest.mark.parametrize(
    "line, message",
    [
        ("99.99,2025-12-31,10,5,2", "wilayah 99.99 tidak dikenal"),
        ("33.24,2025-13-01,10,5,2", "bukan tanggal"),
        ("33.24,2025-12-31,sepuluh,5,2", "population 'sepuluh' bukan bilangan bulat"),
        ("33.24,2025-12-31,-10,5,2", "bukan bilangan bulat"),
        ("33.24,2025-12-31,١٠,5,2", "population '١٠' bukan bilangan bulat"),
        ("33.24,2025-12-31,10.5,5,2", "population '10.5' bukan bilangan bulat"),
        ("33.24,2025-12-31,99999999999999999999,5,2", "terlalu besar"),
        ("33.24,2025-12-31,10,50,2", "wajib_ktp (50) lebih besar dari population (10)"),
        ("33.24,2025-12-31,10,5,20", "children (20) lebih besar dari population (10)"),
        ("33.24,2025-12-31,,,", "semua angka kosong"),
        ("33.24,30-06-2025,10,5,2", "wilayah dan tanggal yang sama sudah ada di baris 2"),
    ],
)
def test_a_bad_population_line_is_named_and_nothing_is_written(db, tmp_path, kendal, line, message):
    text = "region_code,as_of,population,wajib_ktp,children\n33.24,2025-06-30,20,10,5\n" + line + "\n"
    with pytest.raises(CommandError) as error:
        command("import_population", csv_file(tmp_path, text))
    assert "baris 3: " in str(error.value) and message in str(error.value)
    assert not Population.objects.exists()


def test_rows_outside_the_actors_regions_are_refused(db, kendal, staff, outsider):
    rows = rows_of("region_code,as_of,wajib_ktp\n33.24,2025-12-31,832474\n")
    refused = imports.population_check(rows=rows, actor=outsider)
    assert [str(e) for e in refused.errors] == ["baris 2: wilayah 33.24 tidak dikenal atau di luar wilayah Anda"]
    assert imports.population_check(rows=rows, actor=staff).ok
    blitar_rows = rows_of("region_code,as_of,wajib_ktp\n35.72,2025-12-31,123000\n")
    assert [e.message for e in imports.population_check(rows=blitar_rows, actor=staff).errors] == [
        "wilayah 35.72 tidak dikenal atau di luar wilayah Anda"
    ]
    with pytest.raises(imports.ImportRejected):
        imports.population_apply(preview=refused, actor=outsider)
    assert not Population.objects.exists()


def test_dates_and_numbers_are_also_read_the_indonesian_way(db, tmp_path, kendal):
    text = "region_code,as_of,population,wajib_ktp,children\n33.24,31-12-2025,1.094.214,832.474,265855\n"
    assert "1 baru" in command("import_population", csv_file(tmp_path, text))
    figure = Population.objects.get()
    assert (figure.as_of, figure.population, figure.wajib_ktp, figure.children) == (
        date(2025, 12, 31),
        1_094_214,
        832_474,
        265_855,
    )


def test_a_column_the_file_lacks_keeps_the_stored_figure_and_a_blank_cell_makes_it_unknown(db, tmp_path, kendal):
    command(
        "import_population",
        csv_file(tmp_path, "region_code,as_of,male,female,population\n33.24,2025-04-25,551157,543057,1094214\n"),
    )
    assert "1 diperbarui" in command(
        "import_population", csv_file(tmp_path, "region_code,as_of,wajib_ktp\n33.24,2025-04-25,832474\n")
    )
    figure = Population.objects.get()
    assert (figure.population, figure.male, figure.female, figure.wajib_ktp) == (1_094_214, 551_157, 543_057, 832_474)

    command("import_population", csv_file(tmp_path, "region_code,as_of,male,wajib_ktp\n33.24,2025-04-25,,832474\n"))
    figure.refresh_from_db()
    assert (figure.population, figure.male, figure.wajib_ktp) == (1_094_214, None, 832_474)


def test_a_figure_above_the_stored_population_is_refused(db, tmp_path, kendal):
    command("import_population", csv_file(tmp_path, "region_code,as_of,population\n33.24,2025-04-25,1094214\n"))
    with pytest.raises(CommandError) as error:
        command("import_population", csv_file(tmp_path, "region_code,as_of,children\n33.24,2025-04-25,2000000\n"))
    assert "baris 2: children (2000000) lebih besar dari population yang sudah tersimpan (1094214)" in str(error.value)
    assert Population.objects.get().children is None


def test_a_bad_line_leaves_every_stored_figure_as_it_was(db, tmp_path, kendal, blitar):
    command("import_population", csv_file(tmp_path, "region_code,as_of,wajib_ktp\n33.24,2025-12-31,832474\n"))
    text = "region_code,as_of,wajib_ktp\n33.24,2025-12-31,900000\n35.72,2025-11-30,123000\n99.99,2025-12-31,5\n"
    with pytest.raises(CommandError) as error:
        command("import_population", csv_file(tmp_path, text))
    assert str(error.value).startswith("Tidak ada yang disimpan.")
    assert "baris 4: wilayah 99.99 tidak dikenal" in str(error.value)
    assert Population.objects.count() == 1
    figure = Population.objects.get()
    assert figure.wajib_ktp == 832_474
    assert figure.history.count() == 1


def test_a_population_file_needs_data_lines_and_a_figure_column(db, tmp_path, kendal):
    with pytest.raises(CommandError, match="baris 1: berkas tidak berisi baris data"):
        command("import_population", csv_file(tmp_path, "region_code,as_of,population\n\n"))
    with pytest.raises(CommandError, match="baris 1: tidak ada kolom angka"):
        command("import_population", csv_file(tmp_path, "region_code,as_of,populasi\n33.24,2025-12-31,10\n"))
    assert not Population.objects.exists()


# ---- Official figures ----------------------------------------------------------------------

FIGURES = "region_code,indicator,as_of,count,source\n33.24,kia,2025-12-31,220737,Dukcapil Kendal\n33.24,ikd,2025-12-31,124044,Dukcapil Kendal\n"


def test_official_figures_import_once_and_update_on_change(db, tmp_path, kendal):
    assert "2 baru" in command("import_achievements", csv_file(tmp_path, FIGURES))
    assert "2 tidak berubah" in command("import_achievements", csv_file(tmp_path, FIGURES))
    changed = FIGURES.replace("124044", "124100")
    assert "1 diperbarui, 1 tidak berubah" in command("import_achievements", csv_file(tmp_path, changed))
    assert OfficialFigure.objects.get(indicator="ikd").count == 124_100
    assert OfficialFigure.objects.count() == 2


@pytest.mark.parametrize(
    "line, message",
    [
        ("33.24,ktp,2025-12-31,10,x", "indikator 'ktp' tidak dikenal (ikd, ektp atau kia)"),
        ("33.24,ikd,31/12/25,10,x", "bukan tanggal"),
        ("33.24,ikd,2025-12-31,,x", "count kosong"),
        ("99.99,ikd,2025-12-31,10,x", "wilayah 99.99 tidak dikenal"),
        ("33.24,kia,2025-12-31,10,x", "sudah ada di baris 2"),
    ],
)
def test_a_bad_official_figure_line_is_named_and_nothing_is_written(db, tmp_path, kendal, line, message):
    text = "region_code,indicator,as_of,count,source\n33.24,kia,2025-12-31,220737,x\n" + line + "\n"
    with pytest.raises(CommandError) as error:
        command("import_achievements", csv_file(tmp_path, text))
    assert "baris 3: " in str(error.value) and message in str(error.value)
    assert not OfficialFigure.objects.exists()


def test_a_bad_official_figure_line_leaves_the_stored_figures_as_they_were(db, tmp_path, kendal):
    command("import_achievements", csv_file(tmp_path, FIGURES))
    bad = FIGURES.replace("124044", "130000") + "33.24,ikd,2025-12-31,1,x\n"
    with pytest.raises(CommandError, match="baris 4: wilayah, indikator dan tanggal yang sama sudah ada di baris 3"):
        command("import_achievements", csv_file(tmp_path, bad))
    assert OfficialFigure.objects.count() == 2
    assert OfficialFigure.objects.get(indicator="ikd").count == 124_044


def test_error_lines_are_the_lines_a_spreadsheet_shows(db, tmp_path, kendal):
    text = 'region_code,indicator,as_of,count,source\n\n33.24,kia,2025-12-31,220737,"dua\nbaris"\n33.24,ikd,2025-12-31,,x\n'
    with pytest.raises(CommandError) as error:
        command("import_achievements", csv_file(tmp_path, text))
    assert str(error.value).endswith("baris 5: count kosong: isi jumlah capaian")


def test_an_official_figures_file_needs_its_columns(db, tmp_path):
    with pytest.raises(CommandError, match="baris 1: kolom tidak ada: indicator, count"):
        command("import_achievements", csv_file(tmp_path, "region_code,as_of\n33.24,2025-12-31\n"))
    with pytest.raises(CommandError, match="baris 1: berkas tidak berisi baris data"):
        command("import_achievements", csv_file(tmp_path, "region_code,indicator,as_of,count\n"))
    with pytest.raises(CommandError, match="baris 1: kolom muncul lebih dari sekali: count"):
        command(
            "import_achievements",
            csv_file(tmp_path, "region_code,indicator,as_of,count,Count\n33.24,ikd,2025-12-31,1,2\n"),
        )


def test_xlsx_reads_like_csv(db, kendal):
    book = Workbook()
    sheet = book.active
    sheet.append(["region_code", "indicator", "as_of", "count", "source"])
    sheet.append(["33.24", "kia", datetime(2025, 12, 31), 220737, "Dukcapil Kendal"])
    sheet.append(["33.24", "ikd", "2025-12-31", 124044.0, "Dukcapil Kendal"])
    content = io.BytesIO()
    book.save(content)
    from_xlsx = imports.read_table(content=content.getvalue(), filename="capaian.xlsx")
    assert from_xlsx == rows_of(FIGURES)
    preview = imports.achievements_check(rows=from_xlsx)
    assert preview.ok
    imports.achievements_apply(preview=preview)
    assert OfficialFigure.objects.get(indicator="kia").as_of == date(2025, 12, 31)


def test_a_population_workbook_with_date_and_number_cells_imports(db, kendal):
    book = Workbook()
    sheet = book.active
    sheet.append([" Region_Code ", "AS_OF", "population", "wajib_ktp", "children", "name"])
    sheet.append(["33.24", date(2025, 12, 31), 1094214, 832474.0, None, "Kabupaten Kendal"])
    content = io.BytesIO()
    book.save(content)
    rows = imports.read_table(content=content.getvalue(), filename="penduduk")  # no extension: known by its bytes
    assert rows == [
        (
            2,
            {
                "region_code": "33.24",
                "as_of": "2025-12-31",
                "population": "1094214",
                "wajib_ktp": "832474",
                "children": "",
                "name": "Kabupaten Kendal",
            },
        )
    ]
    preview = imports.population_check(rows=rows)
    assert imports.population_apply(preview=preview) == {"created": 1, "updated": 0, "unchanged": 0}
    figure = Population.objects.get()
    assert (figure.as_of, figure.population, figure.wajib_ktp, figure.children) == (
        date(2025, 12, 31),
        1_094_214,
        832_474,
        None,
    )


def test_a_file_that_is_not_utf8_or_not_xlsx_is_refused_clearly(db):
    with pytest.raises(imports.ImportRejected, match="UTF-8"):
        imports.read_table(content="region_code\n33.24,Sémarang\n".encode("latin-1"), filename="a.csv")
    with pytest.raises(imports.ImportRejected, match="XLSX tidak dapat dibaca"):
        imports.read_table(content=b"PK\x03\x04 rusak", filename="a.xlsx")
    with pytest.raises(imports.ImportRejected, match="UTF-8"):
        imports.read_table(content="region_code\n33.24\n".encode("utf-16-le"), filename="a.csv")
    with pytest.raises(imports.ImportRejected, match="berkas kosong"):
        imports.read_table(content=b"", filename="a.csv")


# ---- Targets --------------------------------------------------------------------------------


def test_set_target_national_then_a_regency_override(db, kendal):
    assert "(ditetapkan)" in command("set_target", "--indicator", "ikd", "--year", "2025", "--percent", "30")
    assert "(tidak berubah)" in command("set_target", "--indicator", "ikd", "--year", "2025", "--percent", "30")
    command("set_target", "--indicator", "ikd", "--year", "2025", "--percent", "35", "--region", "33.24")
    national = Target.objects.get(region=None)
    assert (national.percent, national.due) == (30, date(2025, 12, 31))
    assert Target.objects.get(region=kendal).percent == 35
    assert national.history.count() == 1


def test_a_changed_target_keeps_the_old_value_in_history(db, staff):
    imports.target_set(indicator="ikd", year=2025, percent=Decimal(30), actor=staff)
    target, changed = imports.target_set(indicator="ikd", year=2025, percent=Decimal("32.5"), actor=staff)
    assert changed
    assert [h.percent for h in target.history.order_by("history_date")] == [30, Decimal("32.5")]
    assert target.history.first().history_user == staff


@pytest.mark.parametrize("percent", ["0", "120", "-5"])
def test_a_target_outside_0_to_100_is_refused(db, percent):
    with pytest.raises(CommandError, match="lebih dari 0 dan paling banyak 100"):
        command("set_target", "--indicator", "ikd", "--year", "2025", "--percent", percent)
    assert not Target.objects.exists()


def test_set_target_refuses_unknown_regions_indicators_and_early_due_dates(db, kendal):
    with pytest.raises(CommandError, match="Wilayah 99.98 tidak dikenal"):
        command("set_target", "--indicator", "ikd", "--year", "2025", "--percent", "30", "--region", "99.98")
    with pytest.raises(CommandError, match="Indikator 'ktp' tidak dikenal"):
        command("set_target", "--indicator", "ktp", "--year", "2025", "--percent", "30")
    with pytest.raises(ValidationError):
        imports.target_set(indicator="ikd", year=2025, percent=Decimal(30), due=date(2024, 12, 31))
    assert not Target.objects.exists()


def test_set_target_prints_plain_numbers_and_reads_indonesian_input(db, kendal):
    output = command("set_target", "--indicator", "IKD", "--year", "2025", "--percent", "30")
    assert output.strip() == "Target Aktivasi IKD 2025 nasional: 30% sampai 2025-12-31 (ditetapkan)."
    output = command(
        "set_target",
        "--indicator",
        "kia",
        "--year",
        "2025",
        "--percent",
        "32,5",
        "--region",
        "33.24",
        "--due",
        "31-03-2026",
    )
    assert output.strip() == "Target Penerbitan KIA 2025 Kabupaten Kendal: 32.5% sampai 2026-03-31 (ditetapkan)."


def test_the_country_as_region_sets_the_national_target(db):
    from regions.models import COUNTRY_CODE

    command("set_target", "--indicator", "ikd", "--year", "2025", "--percent", "30", "--region", COUNTRY_CODE)
    assert Target.objects.get().region is None


def test_target_set_says_in_indonesian_what_is_wrong(db):
    with pytest.raises(ValidationError, match="Indikator 'ktp' tidak dikenal"):
        imports.target_set(indicator="ktp", year=2025, percent=Decimal(30))
    with pytest.raises(ValidationError, match="Tahun 1999 di luar rentang"):
        imports.target_set(indicator="ikd", year=1999, percent=Decimal(30))
    with pytest.raises(ValidationError, match="angka persen"):
        imports.target_set(indicator="ikd", year=2025, percent=Decimal("NaN"))
    with pytest.raises(ValidationError, match="Batas waktu tidak boleh sebelum tahun target"):
        imports.target_set(indicator="ikd", year=2025, percent=Decimal(30), due=date(2024, 12, 31))
    assert not Target.objects.exists()


def test_a_national_target_exists_once_per_year_in_the_database(db):
    from django.db import IntegrityError, transaction

    Target.objects.create(region=None, year=2025, indicator="ikd", percent=30, due=date(2025, 12, 31))
    with pytest.raises(IntegrityError), transaction.atomic():
        Target.objects.create(region=None, year=2025, indicator="ikd", percent=25, due=date(2025, 12, 31))
