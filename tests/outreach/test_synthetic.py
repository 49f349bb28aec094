"""Synthetic national data: the shape issue 8 asks for, and daily counts that agree with a recount."""

import io

from django.core.management import call_command
from django.db.models import Count, Sum
from django.urls import reverse

from outreach.models import Activation, DailyCount, Session
from outreach.services import daily_counts_rebuild
from regions.models import Population
from tests.conftest import shared_file


def counts():
    return sorted(DailyCount.objects.values_list("village_id", "service", "outcome", "failure_reason", "day")
                  .annotate(total=Sum("count")).order_by())


def test_generate_synthetic_makes_bases_sessions_and_activations_for_a_regency(kendal):
    population = shared_file("regions/population_2025.csv")
    out = io.StringIO()
    call_command("generate_synthetic", "--activations", "3000", "--seed", "7", "--region", "33.24",
                 "--population", str(population), stdout=out)
    assert "hasil layanan" in out.getvalue()
    made = Activation.objects.filter(created_by__username="sintetis")
    assert 2_900 <= made.count() <= 3_100
    # Wajib KTP is about three quarters of Kendal's population (1,094,214 in population_2025.csv).
    base = Population.objects.get(region=kendal, source="data sintetis").wajib_ktp
    assert base == round(1_094_214 * 0.75)
    village_sum = Population.objects.filter(source="data sintetis", region__level=4).aggregate(total=Sum("wajib_ktp"))["total"]
    assert village_sum == base
    failures = made.filter(outcome="failed").count() / made.count()
    assert 0.10 < failures < 0.20
    reasons = {service: set(made.filter(service=service, outcome="failed").values_list("failure_reason", flat=True))
               for service in ("ikd", "ektp", "kia")}
    assert reasons["ikd"] > {"no_phone", "face", "no_ektp"}
    assert reasons["ektp"] == reasons["kia"] == {"mismatch", "other"}  # each service's own reasons
    for holder in ("team", "venue"):  # never double-booked (PostgreSQL also refuses it)
        assert not Session.objects.values(holder, "date", "start_time").annotate(n=Count("id")).filter(n__gt=1).exists()
    assert not made.filter(outcome="success").values("nik_hash", "service").annotate(n=Count("id")).filter(n__gt=1).exists()
    before = counts()
    daily_counts_rebuild()
    assert counts() == before


def test_the_health_view_answers_without_a_session(client):
    response = client.get(reverse("health"))
    assert response.status_code == 200 and response.content == b"ok"


def test_a_second_run_on_the_same_database_is_refused_clearly(kendal):
    import pytest
    from django.core.management import CommandError

    population = shared_file("regions/population_2025.csv")
    call_command("generate_synthetic", "--activations", "200", "--region", "33.24", "--population", str(population),
                 stdout=io.StringIO())
    with pytest.raises(CommandError, match="sudah ada"):
        call_command("generate_synthetic", "--activations", "200", "--region", "33.24", "--population", str(population))
