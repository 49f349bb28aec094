import io

from django.core.management import call_command
from django.utils import timezone

from outreach.models import WeeklySummary
from outreach.reports import last_full_week
from regions.models import Region, User
from tests.conftest import can_sign_in


def load(**kwargs) -> str:
    out = io.StringIO()
    call_command("load_demo", stdout=out, **kwargs)
    return out.getvalue()


def test_the_demo_is_idempotent_and_its_logins_work(db, settings):
    output = load()
    users, regions = User.objects.count(), Region.objects.count()
    assert "staf.kendal" in output and settings.DEMO_PASSWORD in output
    summaries = set(WeeklySummary.objects.values_list("region__code", "week_start"))
    load()
    assert (User.objects.count(), Region.objects.count()) == (users, regions)
    # Last week's summaries are there to look at, once per office however often the demo loads.
    week = last_full_week(timezone.localdate())
    assert summaries == set(WeeklySummary.objects.values_list("region__code", "week_start")) == {("33.24", week), ("35.72", week)}

    for username in ["admin.pusat", "staf.kendal", "pimpinan.kendal", "operator.kaliwungu", "staf.blitar"]:
        assert can_sign_in(username, settings.DEMO_PASSWORD), username
    assert User.objects.get(username="staf.kendal").regions.get().name == "Kabupaten Kendal"
    assert User.objects.get(username="pimpinan.kendal").role == User.Role.MANAGER


def test_without_the_shared_list_it_uses_the_built_in_excerpt(db, settings, tmp_path):
    settings.SHARED_DATA_DIR = tmp_path
    output = load()
    assert "demo_regions.csv" in output
    assert Region.objects.get(code="35.72").name == "Kota Blitar"
    assert Region.objects.get(code="33.24.08").name == "Kaliwungu"
    assert Region.objects.filter(code__startswith="35.72.").count() >= 3


def test_the_demo_carries_the_published_figures(db):
    from datetime import date
    from decimal import Decimal

    from regions.figures import region_figures
    from regions.models import OfficialFigure, Population, Target

    load()
    counts = (Population.objects.count(), OfficialFigure.objects.count(), Target.objects.count())
    load()
    assert (Population.objects.count(), OfficialFigure.objects.count(), Target.objects.count()) == counts
    assert set(Target.objects.filter(region=None).values_list("year", "percent")) == {
        (2023, Decimal(25)), (2024, Decimal(30)), (2025, Decimal(30))
    }

    kendal, blitar = Region.objects.get(code="33.24"), Region.objects.get(code="35.72")
    figures = region_figures([kendal, blitar], year=2025, as_of=date(2025, 12, 31))
    assert figures[kendal.pk].population["population"].value == 1_094_214
    assert figures[kendal.pk].indicators["kia"].coverage == Decimal("83.03")
    assert figures[blitar.pk].indicators["ikd"].target_count == 36_900
    assert figures[blitar.pk].indicators["ikd"].coverage == Decimal("19.00")
    assert "demo" in OfficialFigure.objects.get(region=blitar).source.lower()


def test_the_demo_has_partners_with_agreements_in_every_status(db):
    from django.utils import timezone

    from partners.models import Agreement, AgreementStatus, Partner

    load()
    load()
    assert Partner.objects.count() == 12
    statuses = {agreement.status_on(timezone.localdate()) for agreement in Agreement.objects.all()}
    assert statuses == set(AgreementStatus)


def test_the_demo_sessions_fall_on_distinct_working_days_whatever_today_is():
    """On a Friday, today + 2 (a Sunday) and today + 3 both fell on Monday and clashed."""
    from datetime import date, timedelta

    from outreach.management.commands.load_outreach_demo import demo_days
    from outreach.services import holiday_name

    offsets = [-14, -7, 0, 2, 3, 9]
    # Every weekday, and the Christmas and New Year holidays with their cuti bersama.
    todays = [date(2026, 12, 4) + timedelta(days=n) for n in range(7)] + [date(2025, 12, 20) + timedelta(days=n) for n in range(16)]
    for today in todays:
        days = demo_days(today, offsets)
        assert len(set(days)) == len(days), (today, days)
        assert all(day.weekday() != 6 and not holiday_name(day) for day in days), (today, days)
        assert days == sorted(days), (today, days)
