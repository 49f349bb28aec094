import datetime

import pytest

from partners.models import Agreement, Benefit, Partner, Sector
from tests.conftest import make_region

TODAY = datetime.date(2026, 6, 15)


@pytest.fixture
def partner(kaliwungu):
    return Partner.objects.create(
        business_name="Warung Bu Sri", owner_name="Sri Wahyuni", sector=Sector.FOOD, address="Jl. Pemuda 5",
        village=make_region("33.24.08.2003"), whatsapp="6281234567890",
    )


@pytest.fixture
def blitar_partner(blitar):
    return Partner.objects.create(
        business_name="Toko Buku Blitar", owner_name="Agus", sector=Sector.EDUCATION, address="Jl. Merdeka 1",
        village=make_region("35.72.03.1004"), whatsapp="6285712345678",
    )


@pytest.fixture
def agreement_for(kendal):
    def make(partner, number="PKS/001", signed=True, start=datetime.date(2026, 1, 1), end=datetime.date(2026, 12, 31), **extra):
        agreement = Agreement.objects.create(
            office=kendal, partner=partner, number=number, title="Potongan harga untuk pemegang KIA/IKD",
            signed_on=start if signed else None, valid_from=start, valid_until=end,
            office_signatory="Kepala Dinas", partner_signatory=partner.owner_name, **extra,
        )
        Benefit.objects.create(agreement=agreement, card="kia", kind="percent", value=10, terms="setiap pembelian",
                               valid_from=start, valid_until=end)
        return agreement

    return make
