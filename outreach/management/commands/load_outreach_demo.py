"""Demo outreach for `load_demo`: venues, two teams, a series and past and upcoming sessions.

Dates are relative to today so the demo always has something past, today and ahead.
Safe to run again: a team that already has sessions gets no new ones.
"""

import datetime

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from outreach import services
from outreach.models import Audience, Status, Team, Venue, VenueType
from regions.models import Region, User

VENUES = [
    # village code, name, type, address
    ("33.24.08.2003", "Balai Desa Sumberejo", VenueType.KANTOR_DESA, "Jl. Raya Sumberejo"),
    ("33.24.08.2012", "Pasar Krajankulon", VenueType.PASAR, "Jl. Pasar Kaliwungu"),
    ("33.24.08.2013", "SMA Negeri 1 Kaliwungu", VenueType.SEKOLAH, "Jl. Pangeran Juminah"),
    ("33.24.08.2010", "Rumah lansia (kunjungan)", VenueType.KUNJUNGAN_RUMAH, ""),
    ("35.72.01.1001", "Kantor Kelurahan Kepanjenkidul", VenueType.KANTOR_DESA, "Jl. Kenari"),
    ("35.72.02.1002", "Kantor Kelurahan Blitar", VenueType.KANTOR_DESA, "Jl. Sudanco Supriyadi"),
    ("35.72.03.1004", "Kantor Kelurahan Sananwetan", VenueType.KANTOR_DESA, "Jl. Ciliwung"),
]


class Command(BaseCommand):
    help = "Muat contoh kegiatan jemput bola untuk wilayah demo."

    @transaction.atomic
    def handle(self, *args, **options):
        venues = {}
        for code, name, kind, address in VENUES:
            village = Region.objects.filter(code=code).first()
            if village is None:
                continue
            venues[name], _created = Venue.objects.get_or_create(
                village=village, name=name, defaults={"type": kind, "address": address, "contact_name": "Sekretaris desa"}
            )
        kendal_staff = User.objects.get(username="staf.kendal")
        blitar_staff = User.objects.get(username="staf.blitar")
        kendal_team, _created = Team.objects.get_or_create(
            office=Region.objects.get(code="33.24"), name="Tim Jemput Bola Kendal 1", defaults={"leader": kendal_staff}
        )
        kendal_team.members.add(kendal_staff, *User.objects.filter(username="operator.kaliwungu"))
        blitar_team, _created = Team.objects.get_or_create(
            office=Region.objects.get(code="35.72"), name="Tim Perekaman Kota Blitar", defaults={"leader": blitar_staff}
        )
        blitar_team.members.add(blitar_staff)

        today = timezone.localdate()
        created = 0
        if not kendal_team.session_set.exists():
            plan = [
                (-14, "Balai Desa Sumberejo", [Audience.PUBLIC], Status.DONE),
                (-7, "SMA Negeri 1 Kaliwungu", [Audience.STUDENTS, Audience.TEACHERS], Status.DONE),
                (0, "Pasar Krajankulon", [Audience.PUBLIC, Audience.WORKERS], Status.CONFIRMED),
                (2, "Balai Desa Sumberejo", [Audience.PUBLIC], Status.PLANNED),
                (3, "Rumah lansia (kunjungan)", [Audience.ELDERLY], Status.PLANNED),
                (9, "SMA Negeri 1 Kaliwungu", [Audience.STUDENTS], Status.PLANNED),
            ]
            for offset, venue_name, audience, status in plan:
                day = today + datetime.timedelta(days=offset)
                while services.holiday_name(day) or day.weekday() > 5:
                    day += datetime.timedelta(days=1)
                session = services.session_create(
                    actor=kendal_staff, venue=venues[venue_name], date=day, team=kendal_team,
                    start_time=datetime.time(8), end_time=datetime.time(12), offers_ikd=True,
                    offers_kia=venue_name != "SMA Negeri 1 Kaliwungu", audience=audience, expected_participants=80,
                )
                if status != Status.PLANNED:
                    session.status = status
                    session.save(update_fields=["status"])
                created += 1
        if not blitar_team.session_set.exists():
            result = services.series_create(
                actor=blitar_staff, title="Perekaman KTP-el tiga kali seminggu di kantor kelurahan",
                venues=[venues[name] for name in ("Kantor Kelurahan Blitar", "Kantor Kelurahan Kepanjenkidul", "Kantor Kelurahan Sananwetan")],
                weekdays=[0, 2, 4], starts_on=today - datetime.timedelta(days=14), ends_on=datetime.date(today.year, 12, 31),
                team=blitar_team, start_time=datetime.time(8), end_time=datetime.time(11, 30),
                offers_ikd=True, offers_ektp=True, audience=[Audience.PUBLIC],
            )
            created += len(result.created)
        self.stdout.write(f"Kegiatan demo: {created} baru.")
