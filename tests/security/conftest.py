"""Objects the hostile-input tests share: a Kaliwungu venue and team, a session, a partner."""

import datetime

import pytest

from outreach.models import Team, Venue, VenueType
from outreach.services import session_create
from partners.models import Agreement, Benefit, Partner, Sector
from tests.conftest import make_region


@pytest.fixture
def private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.REQUIRE_2FA = False  # force_login has no second step


@pytest.fixture
def village(kaliwungu):
    return make_region("33.24.08.2003", "Sumberejo")


@pytest.fixture
def venue(village):
    return Venue.objects.create(name="Balai Desa Sumberejo", type=VenueType.KANTOR_DESA, village=village, address="Jl. Raya 1")


@pytest.fixture
def team(kendal, staff):
    team = Team.objects.create(office=kendal, name="Tim Jemput Bola 1", leader=staff)
    team.members.add(staff)
    return team


@pytest.fixture
def session(staff, team, venue, private_media):
    """An upcoming session with every service."""
    return session_create(
        actor=staff, venue=venue, team=team, date=datetime.date.today() + datetime.timedelta(days=2),
        start_time=datetime.time(8), end_time=datetime.time(10), offers_ikd=True, offers_ektp=True, offers_kia=True,
    )


@pytest.fixture
def make_partner(village, kendal):
    """A partner with an agreement and a benefit in force today (so the public directory lists it)."""

    def make(**fields):
        today = datetime.date.today()
        values = {"business_name": "Warung Bu Sri", "owner_name": "Sri", "sector": Sector.FOOD,
                  "address": "Jl. Pemuda 5", "village": village, "whatsapp": "6281234567890"}
        values.update(fields)
        partner = Partner.objects.create(**values)
        agreement = Agreement.objects.create(
            office=kendal, partner=partner, number=f"PKS/{partner.pk}", title="Potongan harga", signed_on=today,
            valid_from=today, valid_until=today + datetime.timedelta(days=200), office_signatory="Kadis",
            partner_signatory="Sri",
        )
        Benefit.objects.create(agreement=agreement, card="kia", kind="percent", value=10, terms="setiap pembelian",
                               valid_from=today, valid_until=today + datetime.timedelta(days=200))
        return partner

    return make
