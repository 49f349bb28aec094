import datetime

import pytest

from outreach.models import Team, Venue, VenueType
from outreach.services import session_create
from tests.conftest import make_region

MONDAY = datetime.date(2025, 11, 24)  # Senin, 24 November 2025
EIGHT, TEN, NOON = datetime.time(8), datetime.time(10), datetime.time(12)


@pytest.fixture
def village(kaliwungu):
    return make_region("33.24.08.2003", "Sumberejo")


@pytest.fixture
def venue(village):
    return Venue.objects.create(name="Balai Desa Sumberejo", type=VenueType.KANTOR_DESA, village=village, address="Jl. Raya 1")


@pytest.fixture
def school(village):
    return Venue.objects.create(name="SMA Negeri 1 Kaliwungu", type=VenueType.SEKOLAH, village=village)


@pytest.fixture
def team(kendal, staff):
    team = Team.objects.create(office=kendal, name="Tim Jemput Bola 1", leader=staff)
    team.members.add(staff)
    return team


@pytest.fixture
def other_team(kendal, staff):
    return Team.objects.create(office=kendal, name="Tim Jemput Bola 2", leader=staff)


@pytest.fixture
def blitar_venue(blitar):
    return Venue.objects.create(
        name="Kantor Kelurahan Sananwetan", type=VenueType.KANTOR_DESA, village=make_region("35.72.03.1001")
    )


@pytest.fixture
def plan(staff, team, venue):
    """Plan a session with sensible defaults; keyword arguments override them."""

    def make(**fields):
        values = {"venue": venue, "date": MONDAY, "team": team, "start_time": EIGHT, "end_time": TEN}
        values.update(fields)
        return session_create(actor=staff, **values)

    return make
