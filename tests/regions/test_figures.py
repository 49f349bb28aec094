"""Region figures against the published numbers of DESIGN.md."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from regions.figures import region_figures
from regions.models import OfficialFigure, Population, Region, Target
from tests.conftest import make_region

END_2025 = date(2025, 12, 31)


@pytest.fixture
def national_targets(db):
    for year, percent in [(2023, 25), (2024, 30), (2025, 30)]:
        Target.objects.create(region=None, year=year, indicator="ikd", percent=percent, due=date(year, 12, 31))


@pytest.fixture
def kendal_2025(kendal):
    Population.objects.create(region=kendal, as_of=date(2025, 4, 25), population=1_094_214)
    Population.objects.create(region=kendal, as_of=END_2025, wajib_ktp=832_474, children=265_855)
    OfficialFigure.objects.create(region=kendal, indicator="ikd", as_of=END_2025, count=124_044, source="Dukcapil Kendal")
    OfficialFigure.objects.create(region=kendal, indicator="kia", as_of=END_2025, count=220_737, source="Dukcapil Kendal")
    return kendal


def figures_of(region: Region, year: int = 2025, as_of: date = END_2025):
    return region_figures([region], year=year, as_of=as_of)[region.pk]


def test_kendal_kia_coverage_is_83_03_percent(kendal_2025):
    kia = figures_of(kendal_2025).indicators["kia"]
    assert kia.base.value == 265_855
    assert kia.achieved.value == 220_737
    assert kia.coverage == Decimal("83.03")


def test_kendal_ikd_coverage_is_measured_against_wajib_ktp(kendal_2025, national_targets):
    figures = figures_of(kendal_2025)
    ikd = figures.indicators["ikd"]
    assert ikd.coverage == Decimal("14.90")
    assert ikd.target_count == 249_743  # ceil(832,474 × 30%)
    assert ikd.remaining == 249_743 - 124_044
    # Each population field is the latest known value: the April total, the December bases.
    assert figures.population["population"].value == 1_094_214
    assert figures.population["wajib_ktp"].as_of == END_2025


def test_blitar_2025_ikd_target_is_36_900(blitar, national_targets):
    Population.objects.create(region=blitar, as_of=date(2025, 11, 30), wajib_ktp=123_000)
    ikd = figures_of(blitar).indicators["ikd"]
    assert ikd.target.percent == 30 and ikd.target.national
    assert ikd.target.source_label == "target nasional"
    assert ikd.target_count == 36_900


def test_a_regency_override_beats_the_national_default_and_is_inherited(kendal, kaliwungu, national_targets):
    Target.objects.create(region=kendal, year=2025, indicator="ikd", percent=35, due=END_2025)
    for region in (kendal, kaliwungu):
        target = figures_of(region).indicators["ikd"].target
        assert target.percent == 35
        assert target.source == kendal and not target.national
        assert target.source_label == kendal.name
    # Another year keeps the national default.
    assert figures_of(kendal, 2024, date(2024, 12, 31)).indicators["ikd"].target.national


def test_a_year_without_a_target_says_so(kendal_2025, national_targets):
    target = figures_of(kendal_2025, 2026, date(2026, 6, 30)).indicators["ikd"].target
    assert not target.exists
    assert target.source_label == "tidak ada target"
    assert figures_of(kendal_2025).indicators["ektp"].target_count is None


def test_figures_after_the_as_of_date_are_not_counted(kendal_2025):
    before = figures_of(kendal_2025, as_of=date(2025, 6, 30))
    assert before.population["wajib_ktp"].value is None
    assert before.indicators["kia"].achieved.value is None
    assert before.population["population"].value == 1_094_214


def test_a_region_without_its_own_figure_sums_its_children_and_flags_a_partial_sum(kendal):
    districts = list(Region.objects.filter(parent=kendal, is_current=True).order_by("code"))
    if len(districts) < 2:
        districts.append(make_region("33.24.98"))
    Population.objects.create(region=districts[0], as_of=END_2025, wajib_ktp=40_000)
    Population.objects.create(region=districts[1], as_of=END_2025, wajib_ktp=2_000)
    wajib = figures_of(kendal).population["wajib_ktp"]
    assert (wajib.value, wajib.summed) == (42_000, True)
    assert wajib.partial is (len(districts) > 2)

    for district in districts[2:]:
        Population.objects.create(region=district, as_of=END_2025, wajib_ktp=1)
    wajib = figures_of(kendal).population["wajib_ktp"]
    assert (wajib.summed, wajib.partial) == (True, False)


def test_the_region_page_shows_coverage_targets_and_their_source(client_for, staff, kendal_2025, national_targets):
    page = client_for(staff).get(reverse("regions:detail", kwargs={"code": "33.24"}), {"tahun": 2025}).content.decode()
    assert "83,03%" in page
    assert "220.737" in page and "265.855" in page
    assert "target nasional" in page
    assert "249.743" in page


def test_the_page_flags_a_partial_sum(client_for, staff, kendal, kaliwungu):
    Population.objects.create(region=kaliwungu, as_of=END_2025, wajib_ktp=70_000)
    Population.objects.create(region=make_region("33.24.01"), as_of=END_2025, wajib_ktp=5_000)
    siblings = Region.objects.filter(parent=kendal, is_current=True).count()
    page = client_for(staff).get(reverse("regions:detail", kwargs={"code": "33.24"}), {"tahun": 2025}).content.decode()
    assert "75.000" in page  # Kendal: the sum of its kecamatan
    assert "70.000" in page and "5.000" in page  # each kecamatan's own row
    assert ("jumlahan sebagian" in page) is (siblings > 2)


def test_children_sort_by_coverage_worst_first(client_for, staff, kendal, kaliwungu):
    other = make_region("33.24.01")
    for region, wajib, done in [(kaliwungu, 1000, 900), (other, 1000, 100)]:
        Population.objects.create(region=region, as_of=END_2025, wajib_ktp=wajib)
        OfficialFigure.objects.create(region=region, indicator="ikd", as_of=END_2025, count=done)
    response = client_for(staff).get(reverse("regions:detail", kwargs={"code": "33.24"}), {"tahun": 2025, "urut": "ikd"})
    codes = [child.code for child, _figures in response.context["rows"]]
    assert codes.index("33.24.01") < codes.index("33.24.08")
    # Children without figures come after those with.
    assert codes[:2] == ["33.24.01", "33.24.08"]


def test_the_country_page_with_figures_stays_within_its_queries(full_regions, client_for, superuser, national_targets, django_assert_max_num_queries):
    for province in Region.objects.filter(level=1):
        Population.objects.create(region=province, as_of=date(2025, 4, 25), population=1000, wajib_ktp=700)
        OfficialFigure.objects.create(region=province, indicator="ikd", as_of=END_2025, count=100)
    client = client_for(superuser)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("regions:detail", kwargs={"code": "ID"}), {"tahun": 2025})
    figures = response.context["figures"]
    assert figures.population["wajib_ktp"].value == 38 * 700 and not figures.population["wajib_ktp"].partial
    assert figures.indicators["ikd"].coverage == Decimal("14.29")


def test_the_region_table_downloads_as_csv_and_xlsx_in_the_pages_order(client_for, staff, outsider, kendal, kaliwungu, national_targets):
    import csv
    import io

    from openpyxl import load_workbook

    from regions.models import AuditEvent

    other = make_region("33.24.01")
    for region, wajib, done in [(kaliwungu, 1000, 900), (other, 1000, 100)]:
        Population.objects.create(region=region, as_of=END_2025, wajib_ktp=wajib)
        OfficialFigure.objects.create(region=region, indicator="ikd", as_of=END_2025, count=done)
    client = client_for(staff)
    url = reverse("regions:detail", kwargs={"code": "33.24"})
    assert "?tahun=2025&amp;urut=ikd&amp;tabel=wilayah&amp;unduh=xlsx" in client.get(
        url, {"tahun": 2025, "urut": "ikd"}).content.decode()

    response = client.get(url, {"tahun": 2025, "urut": "ikd", "unduh": "csv"})
    assert response["Content-Disposition"] == 'attachment; filename="wilayah-33.24-2025-20251231.csv"'
    lines = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [line["region_code"] for line in lines[:3]] == ["33.24", "33.24.01", "33.24.08"]  # the region, then worst first
    kendal_line, worst = lines[0], lines[1]
    assert kendal_line["wajib_ktp"] == "2000" and kendal_line["ikd_official"] == "1000"  # summed from its kecamatan
    assert worst["ikd_target_percent"] == "30.00" and worst["ikd_target_count"] == "300"
    assert worst["ikd_official"] == "100" and worst["ikd_official_as_of"] == "2025-12-31" and worst["ikd_coverage_percent"] == "10.00"
    assert AuditEvent.objects.filter(action="export", object_type="regions.figures", object_id="33.24").count() == 1

    sheet = load_workbook(io.BytesIO(client.get(url, {"tahun": 2025, "unduh": "xlsx"}).content)).active
    assert sheet["A1"].value == "region_code" and sheet["A2"].value == "33.24"

    assert client_for(outsider).get(url, {"unduh": "csv"}).status_code == 404
