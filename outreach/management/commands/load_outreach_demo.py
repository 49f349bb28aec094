"""Demo outreach for `load_demo`: venues, two teams, a series and past and upcoming sessions.

Dates are relative to today so the demo always has something past, today and ahead.
Safe to run again: a team that already has sessions gets no new ones.
"""

import datetime
import uuid

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from outreach import reports, services
from outreach.models import Audience, FailureReason, Outcome, Status, Team, Venue, VenueType
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
        created = results = 0
        operator = User.objects.get(username="operator.kaliwungu")
        if not kendal_team.session_set.exists():
            plan = [
                (-14, "Balai Desa Sumberejo", [Audience.PUBLIC], Status.DONE),
                (-7, "SMA Negeri 1 Kaliwungu", [Audience.STUDENTS, Audience.TEACHERS], Status.DONE),
                (0, "Pasar Krajankulon", [Audience.PUBLIC, Audience.WORKERS], Status.CONFIRMED),
                (2, "Balai Desa Sumberejo", [Audience.PUBLIC], Status.PLANNED),
                (3, "Rumah lansia (kunjungan)", [Audience.ELDERLY], Status.PLANNED),
                (9, "SMA Negeri 1 Kaliwungu", [Audience.STUDENTS], Status.PLANNED),
            ]
            days = demo_days(today, [offset for offset, *_rest in plan])
            for index, ((_offset, venue_name, audience, status), day) in enumerate(zip(plan, days)):
                session = services.session_create(
                    actor=kendal_staff, venue=venues[venue_name], date=day, team=kendal_team,
                    start_time=datetime.time(8), end_time=datetime.time(12), offers_ikd=True,
                    offers_kia=venue_name != "SMA Negeri 1 Kaliwungu", audience=audience, expected_participants=80,
                )
                if status == Status.DONE:
                    results += load_results(session, operator, index)
                    services.session_close(actor=operator, session=session, actual_participants=72,
                                           notes="Antrean lancar; beberapa warga belum membawa HP.")
                elif status != Status.PLANNED:
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
        self.stdout.write(f"Kegiatan demo: {created} baru, {results} hasil layanan.")
        # Last week's summaries, as the Monday job would have built them (rebuilt on each run).
        week = reports.last_full_week(today)
        summaries = [reports.summary_build(place, week) for place in reports.office_regions()]
        if summaries:
            self.stdout.write(f"Ringkasan mingguan demo: {len(summaries)} wilayah, minggu {summaries[0].week_label}.")


def demo_days(today: datetime.date, offsets: list[int]) -> list[datetime.date]:
    """The days `offsets` away from today, each moved on past Sundays and holidays and past a day
    already taken: the team works 08.00–12.00 each time, so two sessions on one day would clash."""
    days: list[datetime.date] = []
    for offset in offsets:
        day = today + datetime.timedelta(days=offset)
        while services.holiday_name(day) or day.weekday() == 6 or day in days:
            day += datetime.timedelta(days=1)
        days.append(day)
    return days


def demo_nik(district: str, birth: datetime.date, female: bool, serial: int) -> str:
    """A made-up NIK of the right shape for the demo (not a real person's)."""
    day = birth.day + (40 if female else 0)
    return f"{district.replace('.', '')}{day:02d}{birth.month:02d}{birth.year % 100:02d}{serial:04d}"


def load_results(session, operator, index: int) -> int:
    """Results for a demo session before it is closed: people one by one, or a tally at a school."""
    if session.venue.type == VenueType.SEKOLAH:
        counts = {("ikd", "success", ""): 46, ("ikd", "failed", FailureReason.NO_PHONE.value): 9,
                  ("ikd", "failed", FailureReason.OLD_PHONE.value): 4}
        services.tally_record(actor=operator, session=session, counts=counts, idempotency_key=uuid.uuid4())
        return sum(counts.values())
    reasons = [FailureReason.NO_PHONE, FailureReason.NO_EMAIL, FailureReason.NO_DATA, FailureReason.FACE]
    for serial in range(1, 31):
        birth = datetime.date(1960 + serial, 1 + serial % 12, 1 + serial % 28)
        failed = serial % 5 == 0
        services.activation_record(
            actor=operator, session=session, service="ikd",
            nik=demo_nik("33.24.08", birth, female=serial % 2 == 0, serial=index * 100 + serial),
            outcome=Outcome.FAILED if failed else Outcome.SUCCESS,
            failure_reason=reasons[serial % len(reasons)] if failed else "",
            idempotency_key=uuid.uuid4(),
        )
    return 30
