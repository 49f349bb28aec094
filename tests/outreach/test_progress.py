"""Progress with hand-checked numbers (DESIGN.md "Progress" and "Counting by when it happened")."""

import datetime
import io
import json
import threading
from decimal import Decimal
from unittest import mock

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, connections, transaction

from outreach import counts
from outreach.progress import Status, progress_for, working_days
from regions.models import OfficialFigure, Population, Target
from tests.conftest import make_region

NOV_30 = datetime.date(2025, 11, 30)


@pytest.fixture
def blitar_2025(blitar):
    Target.objects.create(region=None, year=2025, indicator="ikd", percent=30, due=datetime.date(2025, 12, 31))
    Population.objects.create(region=blitar, as_of=datetime.date(2025, 11, 1), wajib_ktp=123_000)
    OfficialFigure.objects.create(region=blitar, indicator="ikd", as_of=NOV_30, count=23_370, source="SIAK")
    return blitar


def successes(village, day, count):
    counts.add({(village.pk, "ikd", "success", "", day): count})


def one(region, as_of, indicator="ikd", year=2025):
    return progress_for([region], indicator=indicator, year=year, as_of=as_of)[0]


def test_the_year_end_holidays_and_cuti_bersama_are_not_working_days():
    # 24 Dec (Wed) counts; 25 (Christmas) and 26 (cuti bersama) do not; 27–28 are a weekend.
    assert working_days(datetime.date(2025, 12, 23), datetime.date(2025, 12, 31)) == 4
    assert working_days(NOV_30, datetime.date(2025, 12, 31)) == 21
    assert working_days(datetime.date(2025, 12, 31), datetime.date(2025, 12, 31)) == 0


def test_kota_blitar_2025_by_hand(blitar_2025):
    result = one(blitar_2025, NOV_30)
    assert (result.base, result.target_percent, result.target_source, result.target_count) == (123_000, 30, "target nasional", 36_900)
    assert (result.achieved, result.coverage_percent, result.remaining) == (23_370, Decimal("19.00"), 13_530)
    assert result.working_days_left == 21
    assert (result.required_per_day, result.required_per_week) == (645, 3_225)  # ceil(13,530 / 21) = 645
    assert (result.pace_per_week, result.projected_date, result.status) == (0, None, Status.BEHIND)


def test_outreach_after_the_official_figure_adds_and_an_older_paper_list_does_not(blitar_2025):
    village = make_region("35.72.03.1004")
    successes(village, datetime.date(2025, 11, 20), 500)   # a paper list imported later: inside the official figure
    successes(village, datetime.date(2025, 12, 2), 30)     # after the figure: added
    successes(village, datetime.date(2025, 12, 9), 70)     # after the as-of date: not yet
    result = one(blitar_2025, datetime.date(2025, 12, 5))
    assert result.achieved == 23_370 + 30
    # Pace: successes in the 28 days ending on the as-of date (20 Nov and 2 Dec) ÷ 4.
    assert result.pace_per_week == Decimal("132.50")


@pytest.mark.parametrize("recent, status", [(13_000, Status.ON_TRACK), (6_000, Status.AT_RISK), (1_000, Status.BEHIND)])
def test_the_status_compares_the_pace_with_the_weekly_need(blitar_2025, recent, status):
    village = make_region("35.72.03.1004")
    successes(village, datetime.date(2025, 12, 1), recent)
    result = one(blitar_2025, datetime.date(2025, 12, 1))
    # remaining 13,530 − recent over 21 − 1 = 20 working days; pace = recent ÷ 4 per week.
    assert result.remaining == 13_530 - recent
    assert result.required_per_week == -(-(13_530 - recent) // 20) * 5
    assert result.status == status
    assert result.projected_date == datetime.date(2025, 12, 1) + datetime.timedelta(days=-(-(13_530 - recent) * 7 * 4 // recent))


def test_reached_no_working_day_left_and_no_target(blitar_2025):
    successes(make_region("35.72.03.1004"), datetime.date(2025, 12, 1), 14_000)
    reached = one(blitar_2025, datetime.date(2025, 12, 1))
    assert (reached.remaining, reached.status, reached.projected_date) == (0, Status.REACHED, datetime.date(2025, 12, 1))
    successes(make_region("35.72.03.1004"), datetime.date(2025, 12, 1), -14_000)  # a correction takes them back
    last_day = one(blitar_2025, datetime.date(2025, 12, 31))
    assert (last_day.working_days_left, last_day.required_per_day, last_day.status) == (0, None, Status.BEHIND)
    none = one(blitar_2025, datetime.date(2026, 3, 1), year=2026)
    assert (none.status, none.target_count, none.remaining, none.target_source) == (Status.NO_TARGET, None, None, "tidak ada target")


def test_the_command_prints_json_csv_and_a_table(blitar_2025):
    out = io.StringIO()
    call_command("progress", "--region", "35.72", "--indicator", "ikd", "--year", "2025", "--as-of", "2025-11-30",
                 "--format", "json", stdout=out)
    rows = json.loads(out.getvalue())
    assert rows[0]["target_count"] == 36_900 and rows[0]["coverage_percent"] == 19.0 and rows[0]["status"] == "behind"
    assert set(rows[0]) >= {"region_code", "region_name", "indicator", "year", "as_of", "base", "base_is_partial",
                            "target_percent", "target_source", "target_count", "achieved", "coverage_percent",
                            "remaining", "working_days_left", "required_per_day", "required_per_week",
                            "pace_per_week", "projected_date", "status"}
    assert isinstance(rows[0]["base"], int) and rows[0]["projected_date"] is None
    out = io.StringIO()
    call_command("progress", "--region", "35.72", "--indicator", "ikd", "--year", "2025", "--as-of", "2025-11-30",
                 "--format", "csv", stdout=out)
    assert out.getvalue().splitlines()[1].startswith("35.72,")
    out = io.StringIO()
    call_command("progress", "--region", "35.72", "--indicator", "ikd", "--year", "2025", "--as-of", "2025-11-30", stdout=out)
    assert "36900" in out.getvalue() and "behind" in out.getvalue()


def test_the_command_adds_children_and_refuses_clearly(blitar_2025, kendal):
    for district in ("35.72.01", "35.72.02", "35.72.03"):
        Population.objects.create(region=make_region(district), as_of=NOV_30, wajib_ktp=41_000)
    out = io.StringIO()
    call_command("progress", "--region", "35.72", "--indicator", "ikd", "--year", "2025", "--as-of", "2025-11-30",
                 "--children", "--format", "json", stdout=out)
    codes = [row["region_code"] for row in json.loads(out.getvalue())]
    assert codes[0] == "35.72" and set(codes[1:]) >= {"35.72.01", "35.72.02", "35.72.03"}
    with pytest.raises(CommandError, match="Wilayah 99.99 tidak dikenal"):
        call_command("progress", "--region", "99.99", "--indicator", "ikd", "--year", "2025")
    with pytest.raises(CommandError, match="Indikator 'ktp' tidak dikenal"):
        call_command("progress", "--region", "35.72", "--indicator", "ktp", "--year", "2025")
    with pytest.raises(CommandError, match="belum punya data penduduk dasar"):
        call_command("progress", "--region", "33.24", "--indicator", "ikd", "--year", "2025", "--as-of", "2025-11-30")


def test_a_region_and_its_children_take_a_fixed_number_of_queries(blitar_2025, django_assert_max_num_queries):
    districts = [make_region(code) for code in ("35.72.01", "35.72.02", "35.72.03")]
    for index, district in enumerate(districts):
        Population.objects.create(region=district, as_of=NOV_30, wajib_ktp=41_000)
        successes(make_region(f"{district.code}.100{index + 1}"), datetime.date(2025, 12, 1), 100 * (index + 1))
    with django_assert_max_num_queries(8):
        results = progress_for([blitar_2025, *districts], indicator="ikd", year=2025, as_of=datetime.date(2025, 12, 2))
    assert [r.achieved for r in results] == [23_370 + 600, 100, 200, 300]


def test_each_region_on_a_page_counts_from_its_own_official_figure(blitar_2025):
    # Two districts with official figures of different dates, one without, and a village:
    # the outreach summed for each starts after its own figure.
    first, second, third = (make_region(code) for code in ("35.72.01", "35.72.02", "35.72.03"))
    village = make_region("35.72.01.1001")
    for district in (first, second, third):
        Population.objects.create(region=district, as_of=NOV_30, wajib_ktp=41_000)
    Population.objects.create(region=village, as_of=NOV_30, wajib_ktp=4_000)
    OfficialFigure.objects.create(region=first, indicator="ikd", as_of=datetime.date(2025, 11, 10), count=1_000)
    OfficialFigure.objects.create(region=second, indicator="ikd", as_of=datetime.date(2025, 11, 20), count=2_000)
    for day, count in ((datetime.date(2025, 11, 5), 1), (datetime.date(2025, 11, 15), 10), (datetime.date(2025, 11, 25), 100)):
        successes(village, day, count)
        successes(make_region("35.72.02.1001"), day, count * 2)
        successes(make_region("35.72.03.1001"), day, count * 3)
    results = progress_for([first, second, third, village], indicator="ikd", year=2025, as_of=NOV_30)
    assert [r.achieved for r in results] == [1_000 + 110, 2_000 + 200, 333, 111]
    # The pace takes the 28 days up to 30 November (from 3 November): every day above.
    assert [r.pace_per_week for r in results] == [Decimal("27.75"), Decimal("55.50"), Decimal("83.25"), Decimal("27.75")]


def test_roll_ups_agree_with_the_villages_after_saves_corrections_and_a_rebuild(blitar_2025, kendal):
    from outreach.models import DailyCount, RegionCount

    day = datetime.date(2025, 12, 1)
    for village, amount in ((make_region("35.72.03.1004"), 5), (make_region("35.72.01.1001"), 7), (make_region("33.24.08.2003"), 11)):
        for _n in range(amount):
            counts.add({(village.pk, "ikd", "success", "", day): 1})
    counts.add({(make_region("35.72.01.1001").pk, "ikd", "success", "", day): -2})

    def totals():
        return {code: counts.successes_by_day([make_region(code)], "ikd", through=day)[make_region(code).pk].get(day, 0)
                for code in ("ID", "35", "35.72", "35.72.01", "35.72.03", "33.24", "35.72.01.1001")}

    expected = {"ID": 21, "35": 10, "35.72": 10, "35.72.01": 5, "35.72.03": 5, "33.24": 11, "35.72.01.1001": 5}
    assert totals() == expected
    assert RegionCount.objects.values("shard").distinct().count() > 1  # saves spread over shards
    DailyCount.objects.filter(count=0).delete()
    counts.rebuild_roll_ups()
    assert totals() == expected


def test_a_correction_larger_than_any_one_shard_takes_from_several(blitar_2025):
    from outreach.models import DailyCount, RegionCount

    day = datetime.date(2025, 12, 1)
    village = make_region("35.72.01.1001")
    with mock.patch("outreach.counts.random.randrange", side_effect=[0, 0, 1, 1, 2, 2]):
        for _n in range(3):  # one each on shards 0, 1 and 2: no shard holds more than 1
            counts.add({(village.pk, "ikd", "success", "", day): 1})
    counts.add({(village.pk, "ikd", "success", "", day): -2})
    assert sum(DailyCount.objects.filter(village=village).values_list("count", flat=True)) == 1
    for code in ("35.72.01", "35.72", "35", "ID"):
        assert sum(RegionCount.objects.filter(region=make_region(code)).values_list("count", flat=True)) == 1
    with pytest.raises(ValueError, match="below zero"):
        counts.add({(village.pk, "ikd", "success", "", day): -2})


def test_a_pace_too_slow_for_any_useful_date_projects_nothing(blitar_2025):
    successes(make_region("35.72.03.1004"), datetime.date(2025, 11, 20), 1)
    item = one(blitar_2025, datetime.date(2025, 12, 1))
    assert item.pace_per_week == Decimal("0.25") and item.projected_date is None and item.status == Status.BEHIND


@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_saves_that_create_the_same_count_row_at_once_all_count():
    """Eight writers add to a key nobody has counted yet, at the same moment, twenty times over."""
    from outreach.models import DailyCount, RegionCount

    village = make_region("35.72.01.1001")
    writers, rounds = 8, 20
    barrier = threading.Barrier(writers)
    failures = []

    def writer():
        try:
            for n in range(rounds):
                barrier.wait(timeout=30)
                with transaction.atomic():
                    counts.add({(village.pk, "ikd", "success", "", datetime.date(2025, 1, 1) + datetime.timedelta(days=n)): 1})
        except Exception as error:  # noqa: BLE001 - reported below
            failures.append(repr(error))
            barrier.abort()  # the others stop waiting for this one
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer) for _n in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not failures, failures[:3]
    assert sum(DailyCount.objects.filter(village=village).values_list("count", flat=True)) == writers * rounds
    country = make_region("ID")
    assert sum(RegionCount.objects.filter(region=country).values_list("count", flat=True)) == writers * rounds
