"""`__any_of`: the same rows as `__in`, with the values as one array parameter on PostgreSQL."""

from datetime import date

from django.db import connection
from django.test.utils import CaptureQueriesContext

from regions.models import Population, Region
from tests.conftest import make_region


def test_any_of_finds_what_in_finds_and_sends_one_parameter_on_postgresql(kendal):
    villages = [make_region(f"33.24.08.20{n:02d}", f"Desa {n}") for n in range(1, 61)]
    for village in villages[::2]:
        Population.objects.create(region=village, as_of=date(2025, 6, 30), wajib_ktp=100)
    wanted = {village.pk for village in villages} | {None}

    with CaptureQueriesContext(connection) as captured:
        found = set(Population.objects.filter(region_id__any_of=wanted).values_list("region_id", flat=True))

    assert found == set(Population.objects.filter(region_id__in=wanted).values_list("region_id", flat=True))
    assert found == {village.pk for village in villages[::2]}
    sql = captured.captured_queries[0]["sql"]
    if connection.vendor == "postgresql":
        assert "= ANY(" in sql and " IN (" not in sql
    else:
        assert " IN (" in sql


def test_any_of_an_empty_list_finds_nothing(kendal):
    Population.objects.create(region=kendal, as_of=date(2025, 6, 30), wajib_ktp=100)
    assert not Population.objects.filter(region_id__any_of=[]).exists()
    assert Population.objects.filter(region_id__any_of=[kendal.pk]).count() == 1


def test_any_of_accepts_a_subquery(kendal):
    Population.objects.create(region=kendal, as_of=date(2025, 6, 30), wajib_ktp=100)
    regencies = Region.objects.filter(code="33.24").values("pk")
    assert Population.objects.filter(region_id__any_of=regencies).count() == 1
