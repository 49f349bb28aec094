"""A dozen invented Kendal partners for the demo, with agreements in every status.

The businesses, owners and numbers are made up for the demo (Kendal's office reports 55
partners; these are not them). Dates are relative to today so every status shows.
"""

import datetime
from decimal import Decimal

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from partners.models import Agreement, Benefit, Partner, Sector, UsageRecap
from regions.models import Region, User

PARTNERS = [
    # name, owner, sector, village code, whatsapp, status, card, kind, value, terms
    ("Warung Soto Bu Sri", "Sri Wahyuni", Sector.FOOD, "33.24.08.2003", "6281234500001", "active", "kia", "percent", 10, "setiap makan di tempat"),
    ("Toko Buku Cahaya", "Budi Santoso", Sector.EDUCATION, "33.24.08.2012", "6281234500002", "active", "either", "percent", 15, "buku pelajaran"),
    ("Klinik Pratama Sehat", "dr. Rina", Sector.HEALTH, "33.24.08.2013", "6281234500003", "active", "kia", "free", None, "cek tumbuh kembang anak"),
    ("Bengkel Motor Jaya", "Slamet", Sector.SERVICES, "33.24.08.2010", "6281234500004", "expiring", "ikd", "amount", 20000, "servis ringan"),
    ("Kolam Renang Tirta", "Hendra", Sector.TOURISM, "33.24.08.2009", "6281234500005", "active", "kia", "percent", 25, "tiket masuk anak"),
    ("Minimarket Berkah", "Hj. Aminah", Sector.RETAIL, "33.24.08.2004", "6281234500006", "active", "ikd", "amount", 5000, "belanja minimal Rp50.000"),
    ("Kedai Kopi Kaliwungu", "Rudi", Sector.FOOD, "33.24.08.2011", "6281234500007", "expired", "ikd", "free", None, "es teh"),
    ("Fotokopi Pelajar", "Dewi", Sector.SERVICES, "33.24.08.2014", "6281234500008", "draft", "kia", "percent", 20, "cetak pas foto KIA"),
    ("Apotek Keluarga", "Yusuf", Sector.HEALTH, "33.24.08.2015", "6281234500009", "terminated", "kia", "percent", 5, "vitamin anak"),
    ("Batik Kendalan", "Siti", Sector.RETAIL, "33.24.08.2003", "6281234500010", "upcoming", "either", "percent", 10, "kain batik"),
    ("Les Privat Cerdas", "Wahyu", Sector.EDUCATION, "33.24.08.2012", "6281234500011", "active", "kia", "percent", 30, "pendaftaran pertama"),
    ("Salon Ayu", "Ayu", Sector.SERVICES, "33.24.08.2013", "6281234500012", "active", "ikd", "other", None, "pijat kepala gratis saat potong rambut"),
]


class Command(BaseCommand):
    help = "Muat contoh mitra UMKM Kendal (rekaan) dengan PKS dalam setiap status."

    @transaction.atomic
    def handle(self, *args, **options):
        kendal = Region.objects.get(code="33.24")
        staff = User.objects.get(username="staf.kendal")
        today = timezone.localdate()
        created = 0
        for index, (name, owner, sector, code, whatsapp, status, card, kind, value, terms) in enumerate(PARTNERS, start=1):
            village = Region.objects.filter(code=code).first()
            if village is None or Partner.objects.filter(business_name=name).exists():
                continue
            partner = Partner.objects.create(business_name=name, owner_name=owner, sector=sector, address="Jl. Raya Kaliwungu",
                                             village=village, whatsapp=whatsapp)
            start, end = self.period(status, today)
            agreement = Agreement.objects.create(
                office=kendal, partner=partner, number=f"PKS/DEMO/{index:03d}", title="Manfaat bagi pemegang KIA/IKD",
                signed_on=None if status == "draft" else start - datetime.timedelta(days=7), valid_from=start, valid_until=end,
                office_signatory="Kepala Dinas Dukcapil Kendal", partner_signatory=owner,
                terminated_on=today - datetime.timedelta(days=10) if status == "terminated" else None,
                termination_reason="Usaha berhenti beroperasi" if status == "terminated" else "",
            )
            Benefit.objects.create(agreement=agreement, card=card, kind=kind, value=Decimal(value) if value else None,
                                   terms=terms, valid_from=start, valid_until=end)
            for months_ago in (1, 2):
                month = (today.replace(day=1) - datetime.timedelta(days=28 * months_ago)).replace(day=1)
                UsageRecap.objects.get_or_create(partner=partner, month=month,
                                                 defaults={"kia_users": 3 * index, "ikd_users": 2 * index, "entered_by": staff})
            created += 1
        self.stdout.write(f"Mitra demo: {created} baru.")

    @staticmethod
    def period(status: str, today: datetime.date) -> tuple[datetime.date, datetime.date]:
        day = datetime.timedelta(days=1)
        return {
            "active": (today - 120 * day, today + 245 * day),
            "expiring": (today - 340 * day, today + 20 * day),
            "expired": (today - 400 * day, today - 35 * day),
            "draft": (today + 10 * day, today + 375 * day),
            "terminated": (today - 200 * day, today + 165 * day),
            "upcoming": (today + 15 * day, today + 380 * day),
        }[status]
