import csv
import datetime
import io

import pytest
from django.urls import reverse

from outreach import counts
from regions.models import OfficialFigure, Population, Target
from tests.conftest import make_region

DEC_1 = datetime.date(2025, 12, 1)


@pytest.fixture
def kendal_figures(kendal, kaliwungu):
    Target.objects.create(region=None, year=2025, indicator="ikd", percent=30, due=datetime.date(2025, 12, 31))
    Population.objects.create(region=kendal, as_of=datetime.date(2025, 11, 1), wajib_ktp=832_474)
    OfficialFigure.objects.create(region=kendal, indicator="ikd", as_of=datetime.date(2025, 11, 30), count=124_044)
    low, high = make_region("33.24.01"), kaliwungu
    for region, wajib in ((low, 40_000), (high, 60_000)):
        Population.objects.create(region=region, as_of=datetime.date(2025, 11, 1), wajib_ktp=wajib)
    counts.add({(make_region("33.24.08.2003").pk, "ikd", "success", "", DEC_1): 3_000,
                (make_region("33.24.01.2001").pk, "ikd", "success", "", DEC_1): 400})
    return kendal


def url(code="33.24", **params):
    query = {"indikator": "ikd", "tahun": "2025", "tanggal": "2025-12-01", **params}
    return reverse("outreach:dashboard", kwargs={"code": code}) + "?" + "&".join(f"{k}={v}" for k, v in query.items())


def test_the_manager_sees_progress_and_children_worst_first(client_for, manager, kendal_figures, django_assert_max_num_queries):
    client = client_for(manager)
    with django_assert_max_num_queries(20):
        response = client.get(url())
    summary = response.context["summary"]
    assert summary.achieved == 124_044 + 3_400 and summary.target_count == 249_743
    assert [row.region.code for row in response.context["rows"]] == ["33.24.01", "33.24.08"]
    page = response.content.decode()
    assert "Apakah Kabupaten Kendal sesuai jalur?" in page and "tertinggal" in page
    assert "15,31%" in page  # 127,444 / 832,474
    assert "tenggat Rabu, 31 Desember 2025" in page and "tenggat sudah lewat" not in page


def test_a_target_whose_due_date_has_passed_says_so(client_for, manager, kendal_figures):
    """A year later the 2025 target is still the latest: the page says its deadline has passed
    rather than leaving "0 working days" unexplained."""
    page = client_for(manager).get(url(tanggal="2026-12-05")).content.decode()
    assert "tenggat Rabu, 31 Desember 2025" in page and "tenggat sudah lewat" in page


def test_the_table_downloads_as_csv(client_for, manager, kendal_figures):
    response = client_for(manager).get(url(unduh="csv"))
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [row["region_code"] for row in rows] == ["33.24", "33.24.01", "33.24.08"]
    assert rows[1]["achieved"] == "400" and rows[0]["target_count"] == "249743"


def test_outsiders_get_404_and_a_region_without_base_says_so(client_for, outsider, staff, kendal_figures, blitar):
    assert client_for(outsider).get(url()).status_code == 404
    response = client_for(outsider).get(url("35.72"))
    assert response.status_code == 200 and response.context["summary"] is None
    assert "belum punya data penduduk dasar" in response.content.decode()
    assert client_for(staff).get(reverse("outreach:dashboard_index")).url.startswith(reverse("outreach:dashboard", kwargs={"code": "33.24"}))
