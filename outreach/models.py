"""Field outreach ("jemput bola"): venues, teams, sessions and the series that create them."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from regions import access, maps
from regions.models import Region


class VenueType(models.TextChoices):
    KANTOR_DESA = "kantor_desa", _("Kantor desa/kelurahan")
    KANTOR_KECAMATAN = "kantor_kecamatan", _("Kantor kecamatan")
    SEKOLAH = "sekolah", _("Sekolah SMA/SMK/MA")
    KAMPUS = "kampus", _("Kampus")
    KANTOR_PEMERINTAH = "kantor_pemerintah", _("Kantor pemerintah/OPD")
    TEMPAT_KERJA = "tempat_kerja", _("Tempat kerja")
    PASAR = "pasar", _("Pasar/acara publik")
    KUNJUNGAN_RUMAH = "kunjungan_rumah", _("Kunjungan rumah (lansia/sakit)")
    LAINNYA = "lainnya", _("Lainnya")


# Home visits and sessions inside a school or an office are not announced by default.
PRIVATE_VENUE_TYPES = {VenueType.SEKOLAH, VenueType.KANTOR_PEMERINTAH, VenueType.TEMPAT_KERJA, VenueType.KUNJUNGAN_RUMAH}


class Service(models.TextChoices):
    IKD = "ikd", _("Aktivasi IKD")
    EKTP = "ektp", _("Perekaman KTP-el")
    KIA = "kia", _("Penerbitan KIA")
    OTHER = "lain", _("Layanan adminduk lain")


SERVICE_FIELDS = {Service.IKD: "offers_ikd", Service.EKTP: "offers_ektp", Service.KIA: "offers_kia", Service.OTHER: "offers_other"}


class Audience(models.TextChoices):
    STUDENTS = "pelajar", _("Pelajar/mahasiswa")
    TEACHERS = "guru", _("Guru")
    CIVIL_SERVANTS = "asn", _("ASN")
    WORKERS = "pekerja", _("Pekerja")
    PUBLIC = "umum", _("Masyarakat umum")
    ELDERLY = "lansia", _("Lansia")


class VenueQuerySet(models.QuerySet):
    def visible_to(self, user) -> "VenueQuerySet":
        return self.filter(access.region_q(user, "village"))


class Venue(models.Model):
    name = models.CharField(_("nama tempat"), max_length=150)
    type = models.CharField(_("jenis tempat"), max_length=20, choices=VenueType.choices)
    village = models.ForeignKey(
        Region, verbose_name=_("desa/kelurahan"), on_delete=models.PROTECT, related_name="venues",
        limit_choices_to={"level": 4},
    )
    address = models.CharField(_("alamat"), max_length=250, blank=True)
    contact_name = models.CharField(_("narahubung"), max_length=100, blank=True)
    contact_phone = models.CharField(_("telepon narahubung"), max_length=20, blank=True)
    latitude = models.DecimalField(_("lintang"), max_digits=8, decimal_places=5, null=True, blank=True)
    longitude = models.DecimalField(_("bujur"), max_digits=8, decimal_places=5, null=True, blank=True)
    is_active = models.BooleanField(_("aktif"), default=True)

    objects = VenueQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("tempat")
        verbose_name_plural = _("tempat")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["village", "name"], name="venue_unique_name_in_village"),
            models.CheckConstraint(
                condition=(Q(latitude__isnull=True) & Q(longitude__isnull=True))
                | (Q(latitude__gte=-11, latitude__lte=6) & Q(longitude__gte=95, longitude__lte=141)),
                name="venue_coordinates_in_indonesia",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def public_by_default(self) -> bool:
        return self.type not in PRIVATE_VENUE_TYPES

    @property
    def map_url(self) -> str:
        return maps.map_url(self.latitude, self.longitude, self.village)


class TeamQuerySet(models.QuerySet):
    def visible_to(self, user) -> "TeamQuerySet":
        return self.filter(access.region_q(user, "office"))

    def field_teams(self) -> "TeamQuerySet":
        """Teams that go out: not the team an office's imported list is filed under (see
        `Session.is_field_visit`); only these are offered for a session, a series or a feed."""
        return self.exclude(Exists(Session.objects.filter(team=OuterRef("pk"), is_field_visit=False)))


class Team(models.Model):
    """Officers of one office (a regency or province Dukcapil) who go out together."""

    office = models.ForeignKey(Region, verbose_name=_("kantor"), on_delete=models.PROTECT, related_name="teams")
    name = models.CharField(_("nama tim"), max_length=100)
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("ketua"), on_delete=models.PROTECT, related_name="teams_led"
    )
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, verbose_name=_("anggota"), related_name="teams", blank=True)

    objects = TeamQuerySet.as_manager()
    history = HistoricalRecords(m2m_fields=[members])

    class Meta:
        verbose_name = _("tim")
        verbose_name_plural = _("tim")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["office", "name"], name="team_unique_name_in_office")]

    def __str__(self) -> str:
        return self.name


class Status(models.TextChoices):
    PLANNED = "planned", _("Direncanakan")
    CONFIRMED = "confirmed", _("Dikonfirmasi")
    DONE = "done", _("Selesai")
    POSTPONED = "postponed", _("Ditunda")
    CANCELLED = "cancelled", _("Dibatalkan")


# Sessions that hold their team and venue: only these can conflict with each other.
BOOKING_STATUSES = [Status.PLANNED, Status.CONFIRMED, Status.DONE]


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Senin")
    TUESDAY = 1, _("Selasa")
    WEDNESDAY = 2, _("Rabu")
    THURSDAY = 3, _("Kamis")
    FRIDAY = 4, _("Jumat")
    SATURDAY = 5, _("Sabtu")
    SUNDAY = 6, _("Minggu")


class SessionFields(models.Model):
    """What a session and a series that creates sessions both say."""

    team = models.ForeignKey(Team, verbose_name=_("tim"), on_delete=models.PROTECT)
    start_time = models.TimeField(_("jam mulai"))
    end_time = models.TimeField(_("jam selesai"))
    offers_ikd = models.BooleanField(Service.IKD.label, default=True)
    offers_ektp = models.BooleanField(Service.EKTP.label, default=False)
    offers_kia = models.BooleanField(Service.KIA.label, default=False)
    offers_other = models.BooleanField(Service.OTHER.label, default=False)
    audience = models.JSONField(_("sasaran peserta"), default=list, blank=True)
    expected_participants = models.PositiveIntegerField(_("perkiraan peserta"), null=True, blank=True)
    is_public = models.BooleanField(_("diumumkan ke publik"), default=True)
    notes = models.TextField(_("catatan"), blank=True)

    class Meta:
        abstract = True

    @property
    def services(self) -> list[Service]:
        return [service for service, field in SERVICE_FIELDS.items() if getattr(self, field)]

    @property
    def audience_labels(self) -> list[str]:
        return [Audience(value).label for value in self.audience if value in Audience.values]


class SessionSeries(SessionFields):
    """A repeating plan ("e-KTP recording three times a week at the kelurahan offices until 31 December")."""

    title = models.CharField(_("judul"), max_length=150)
    venues = models.ManyToManyField(Venue, verbose_name=_("tempat (bergiliran)"), related_name="series")
    weekdays = models.JSONField(_("hari"), default=list)
    starts_on = models.DateField(_("mulai tanggal"))
    ends_on = models.DateField(_("sampai tanggal"))
    is_cancelled = models.BooleanField(_("dibatalkan"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("dibuat oleh")
    )

    history = HistoricalRecords(m2m_fields=[venues])

    class Meta:
        verbose_name = _("rangkaian kegiatan")
        verbose_name_plural = _("rangkaian kegiatan")
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")), name="series_ends_after_start"),
            models.CheckConstraint(condition=Q(end_time__gt=models.F("start_time")), name="series_end_after_start_time"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def weekday_labels(self) -> list[str]:
        return [Weekday(day).label for day in sorted(self.weekdays)]


class SessionQuerySet(models.QuerySet):
    def visible_to(self, user) -> "SessionQuerySet":
        """Sessions at venues inside the user's regions (the scoping rule lives in regions.access)."""
        return self.filter(access.region_q(user, "venue__village"))

    def booking(self) -> "SessionQuerySet":
        return self.filter(status__in=BOOKING_STATUSES)

    def overlapping(self, *, day: datetime.date, start: datetime.time, end: datetime.time) -> "SessionQuerySet":
        """Sessions on `day` whose times overlap [start, end); touching times do not overlap."""
        return self.filter(date=day, start_time__lt=end, end_time__gt=start)

    def upcoming(self, today: datetime.date) -> "SessionQuerySet":
        return self.filter(date__gte=today, status__in=[Status.PLANNED, Status.CONFIRMED])

    def overdue(self, today: datetime.date) -> "SessionQuerySet":
        """'Belum lapor': the date has passed and nobody closed the session."""
        return self.filter(date__lt=today, status__in=[Status.PLANNED, Status.CONFIRMED])

    def public(self) -> "SessionQuerySet":
        return self.filter(is_public=True)

    def field_visits(self) -> "SessionQuerySet":
        """Sessions held at a venue: not an office's "Impor daftar" list (`Session.is_field_visit`)."""
        return self.filter(is_field_visit=True)

    def with_related(self) -> "SessionQuerySet":
        return self.select_related("venue__village__parent__parent", "team", "series")


class Session(SessionFields):
    """One outreach session: a team at a venue on a date, offering services."""

    venue = models.ForeignKey(Venue, verbose_name=_("tempat"), on_delete=models.PROTECT, related_name="sessions")
    date = models.DateField(_("tanggal"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PLANNED)
    status_reason = models.CharField(_("alasan"), max_length=250, blank=True)
    postponed_to = models.OneToOneField(
        "self", verbose_name=_("diganti dengan"), null=True, blank=True, on_delete=models.SET_NULL, related_name="postponed_from"
    )
    series = models.ForeignKey(
        SessionSeries, verbose_name=_("rangkaian"), null=True, blank=True, on_delete=models.SET_NULL, related_name="sessions"
    )
    # False only for an office's "Impor daftar" session, where results imported without a
    # session are filed (outreach.activation_import): no team went anywhere that day, so it is
    # left out of the lists, the calendar and the day's sessions, and is never reopened.
    is_field_visit = models.BooleanField(_("kegiatan lapangan"), default=True, editable=False)
    edited_individually = models.BooleanField(
        _("diubah sendiri"), default=False, help_text=_("Diubah satu per satu: perubahan rangkaian tidak menyentuhnya.")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("dibuat oleh")
    )

    objects = SessionQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("kegiatan jemput bola")
        verbose_name_plural = _("kegiatan jemput bola")
        ordering = ["date", "start_time"]
        indexes = [models.Index(fields=["date", "status"], name="session_date_status_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(end_time__gt=models.F("start_time")), name="session_end_after_start"),
            models.CheckConstraint(
                condition=Q(status__in=["postponed", "cancelled"]) | Q(status_reason=""),
                name="session_reason_only_when_postponed_or_cancelled",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["postponed", "cancelled"]) | ~Q(status_reason=""),
                name="session_postponed_or_cancelled_has_reason",
            ),
            # An imported list is done from the start and never announced.
            models.CheckConstraint(
                condition=Q(is_field_visit=True) | Q(status="done", is_public=False), name="session_import_list_done_private"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.venue} {self.date:%Y-%m-%d} {self.start_time:%H:%M}"

    @property
    def is_open(self) -> bool:
        return self.status in (Status.PLANNED, Status.CONFIRMED)

    @property
    def is_booking(self) -> bool:
        """Holds its team and venue: it took place or will (the queryset's `booking()`)."""
        return self.status in BOOKING_STATUSES

    @property
    def reopens(self) -> bool:
        """Only a session that took place (closed out) is reopened, to add or correct results;
        an imported list takes more results by import, never by the operator's page."""
        return self.status == Status.DONE and self.is_field_visit

    @property
    def takes_imported_results(self) -> bool:
        """A list of results may be imported into a session that took place or will (a done one
        included: its paper list is typed up afterwards); a cancelled or postponed one had none.
        An office's "Impor daftar" list is filled by rows that name no session, whatever their date."""
        return self.is_booking and self.is_field_visit


class Outcome(models.TextChoices):
    SUCCESS = "success", _("Berhasil")
    FAILED = "failed", _("Gagal")


class FailureReason(models.TextChoices):
    NO_PHONE = "no_phone", _("Tidak punya HP")
    OLD_PHONE = "old_phone", _("HP terlalu lama")
    NO_EMAIL = "no_email", _("Tidak punya email")
    NO_DATA = "no_data", _("Tidak ada pulsa/sinyal")
    FACE = "face", _("Verifikasi wajah gagal")
    MISMATCH = "mismatch", _("Data tidak cocok di SIAK")
    NO_EKTP = "no_ektp", _("KTP-el belum direkam")
    OTHER = "other", _("Lainnya")

    @classmethod
    def for_service(cls, service: str) -> list["FailureReason"]:
        """The reasons a service's result can fail for: IKD's list (DESIGN.md) is about the app on
        a phone; recording an e-KTP or issuing a KIA fails on the data in SIAK, or for a reason
        written down (`REASONS_OF_EVERY_SERVICE`)."""
        return list(cls) if service == Service.IKD else REASONS_OF_EVERY_SERVICE

    @classmethod
    def fits_service(cls) -> Q:
        """The same rule for the database's check constraints."""
        return Q(service=Service.IKD.value) | Q(failure_reason__in=["", *(r.value for r in REASONS_OF_EVERY_SERVICE)])


REASONS_OF_EVERY_SERVICE = [FailureReason.MISMATCH, FailureReason.OTHER]


# Services whose results are logged per person (the fourth, other adminduk services, is not counted).
LOGGED_SERVICES = [Service.IKD, Service.EKTP, Service.KIA]


class Activation(models.Model):
    """One person's result for one service at one session. The NIK is stored only as DESIGN.md says."""

    # No index of its own: activation_session_idx (session, service, outcome) starts with it, and
    # every index on this table is paid on every save and import.
    session = models.ForeignKey(Session, verbose_name=_("kegiatan"), on_delete=models.PROTECT, related_name="activations",
                                db_index=False)
    village = models.ForeignKey(Region, verbose_name=_("desa/kelurahan"), on_delete=models.PROTECT, related_name="+")
    service = models.CharField(_("layanan"), max_length=4, choices=Service.choices)
    outcome = models.CharField(_("hasil"), max_length=7, choices=Outcome.choices)
    failure_reason = models.CharField(_("alasan gagal"), max_length=10, choices=FailureReason.choices, blank=True)
    failure_note = models.CharField(_("keterangan"), max_length=200, blank=True)
    married = models.BooleanField(_("sudah menikah"), default=False)
    # The per-person fields: blanked (NULL / "") by `purge_personal_data` after the retention
    # period, `purged_at` set; the row stays, so every count keeps it (see that command).
    nik_hash = models.CharField(max_length=64, null=True, editable=False)
    nik_key_id = models.CharField(max_length=16, blank=True, editable=False)
    nik_last4 = models.CharField(_("4 angka terakhir NIK"), max_length=4, blank=True, editable=False)
    sex = models.CharField(_("jenis kelamin"), max_length=1, blank=True, editable=False)
    birth_year = models.PositiveSmallIntegerField(_("tahun lahir"), null=True, blank=True, editable=False)
    district_code = models.CharField(_("kecamatan penerbit NIK"), max_length=8, blank=True, editable=False)
    purged_at = models.DateTimeField(_("data pribadi dihapus"), null=True, blank=True, editable=False)
    happened_on = models.DateField(_("tanggal"), db_index=True)
    idempotency_key = models.UUIDField(unique=True, editable=False)
    content_digest = models.CharField(max_length=64, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("hasil layanan")
        verbose_name_plural = _("hasil layanan")
        constraints = [
            models.UniqueConstraint(
                fields=["nik_hash", "service"], condition=Q(outcome="success"), name="activation_once_per_person"
            ),
            models.CheckConstraint(
                condition=(Q(outcome="success") & Q(failure_reason=""))
                | (Q(outcome="failed") & ~Q(failure_reason="")),
                name="activation_reason_only_when_failed",
            ),
            models.CheckConstraint(condition=Q(service__in=["ikd", "ektp", "kia"]), name="activation_service_logged"),
            models.CheckConstraint(condition=FailureReason.fits_service(), name="activation_reason_fits_service"),
            # A row holds a person's fields, or (purged) none of them: never half of them.
            models.CheckConstraint(
                condition=(Q(purged_at__isnull=True) & Q(nik_hash__isnull=False) & Q(sex__in=["L", "P"])
                           & Q(birth_year__isnull=False))
                | (Q(purged_at__isnull=False) & Q(nik_hash__isnull=True) & Q(nik_key_id="") & Q(nik_last4="")
                   & Q(sex="") & Q(birth_year__isnull=True) & Q(district_code="")),
                name="activation_person_or_purged",
            ),
        ]
        indexes = [models.Index(fields=["session", "service", "outcome"], name="activation_session_idx")]


class DailyCount(models.Model):
    """Results per village, service, outcome and day, kept current with every activation and tally.

    Each key is spread over a few shards so operators saving at the same moment do not all
    wait on one row; readers sum the shards. `rebuild_daily_counts` recomputes everything.
    """

    SHARDS = 8

    # No index of its own: daily_count_key starts with it (an index is paid on every save).
    village = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", db_index=False)
    service = models.CharField(max_length=4, choices=Service.choices)
    outcome = models.CharField(max_length=7, choices=Outcome.choices)
    failure_reason = models.CharField(max_length=10, choices=FailureReason.choices, blank=True)
    day = models.DateField()
    shard = models.PositiveSmallIntegerField(default=0)
    count = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["village", "service", "outcome", "failure_reason", "day", "shard"], name="daily_count_key"
            ),
            models.CheckConstraint(condition=Q(count__gte=0), name="daily_count_not_negative"),
        ]
        indexes = [models.Index(fields=["day", "service"], name="daily_count_day_idx")]


class RegionCount(models.Model):
    """The daily counts rolled up to every district, regency, province and the country, kept in
    the same transaction as the village's. A region's figures are then one indexed lookup of a
    few hundred rows whatever its size, instead of a sum over its whole subtree. Villages are
    read from DailyCount itself. Sharded like DailyCount; `rebuild_daily_counts` recomputes it.
    """

    SHARDS = 8

    # No index of its own: region_count_key and region_count_lookup_idx start with it.
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", db_index=False)
    service = models.CharField(max_length=4, choices=Service.choices)
    outcome = models.CharField(max_length=7, choices=Outcome.choices)
    failure_reason = models.CharField(max_length=10, choices=FailureReason.choices, blank=True)
    day = models.DateField()
    shard = models.PositiveSmallIntegerField(default=0)
    count = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["region", "service", "outcome", "failure_reason", "day", "shard"], name="region_count_key"
            ),
            models.CheckConstraint(condition=Q(count__gte=0), name="region_count_not_negative"),
        ]
        # `count` rides in the index, so a region's totals are an index-only scan (BENCHMARKS.md).
        indexes = [models.Index(fields=["region", "service", "outcome", "day"], include=["count"],
                                name="region_count_lookup_idx")]


class HeldCount(models.Model):
    """Held sessions (status done) and their successful results, per region, day, venue type and
    audience, for the village and each of its ancestors: the reports' yield per session is one
    indexed lookup at any level instead of a join over every session of the period. Kept by
    `outreach.held` in the transaction that closes, reopens or corrects a session;
    `rebuild_daily_counts` recomputes it.
    """

    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    day = models.DateField()
    venue_type = models.CharField(max_length=20, choices=VenueType.choices)
    # The session's audience values, sorted and joined with ","; "" when none was given.
    audience = models.CharField(max_length=200, blank=True)
    sessions = models.IntegerField(default=0)
    successes = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["region", "day", "venue_type", "audience"], name="held_count_key"),
            models.CheckConstraint(condition=Q(sessions__gte=0) & Q(successes__gte=0), name="held_count_not_negative"),
        ]


class TallySubmission(models.Model):
    """Counts entered for a session where NIKs are not captured; one per form, idempotent."""

    session = models.ForeignKey(Session, on_delete=models.PROTECT, related_name="tallies")
    idempotency_key = models.UUIDField(unique=True, editable=False)
    content_digest = models.CharField(max_length=64, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)


class TallyLine(models.Model):
    submission = models.ForeignKey(TallySubmission, on_delete=models.CASCADE, related_name="lines")
    service = models.CharField(max_length=4, choices=Service.choices)
    outcome = models.CharField(max_length=7, choices=Outcome.choices)
    failure_reason = models.CharField(max_length=10, choices=FailureReason.choices, blank=True)
    count = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["submission", "service", "outcome", "failure_reason"], name="tally_line_key"),
            models.CheckConstraint(condition=Q(count__gt=0), name="tally_line_positive"),
            models.CheckConstraint(condition=FailureReason.fits_service(), name="tally_line_reason_fits_service"),
        ]


class CloseOut(models.Model):
    """What the operator reports when a session ends: turnout, notes, photos."""

    session = models.OneToOneField(Session, on_delete=models.PROTECT, related_name="close_out")
    actual_participants = models.PositiveIntegerField(_("jumlah peserta yang datang"))
    notes = models.TextField(_("catatan"), blank=True)
    # Successful results at the session (people and tallies), kept when it closes so the
    # yield per session is read without counting the per-person rows again.
    successes = models.PositiveIntegerField(_("hasil berhasil"), default=0, editable=False)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    closed_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()


class SessionPhoto(models.Model):
    """A close-out photo. Stored outside MEDIA_URL: served only by a view that checks scope."""

    MAX_PER_SESSION = 5

    session = models.ForeignKey(Session, on_delete=models.PROTECT, related_name="photos")
    image = models.FileField(upload_to="session-photos/%Y/%m/")
    width = models.PositiveSmallIntegerField()
    height = models.PositiveSmallIntegerField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)


class OverdueNotice(models.Model):
    """The day's 'belum lapor' e-mail to a team leader, claimed before it goes: once a day at most."""

    leader = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    sessions = models.PositiveIntegerField()
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["leader", "day"], name="overdue_notice_once_a_day")]


class WeeklySummary(models.Model):
    """The summary of one office region for one week (Monday to Sunday), built once and kept.

    `data` holds every figure of the summary as plain JSON, so the page, the e-mail and the
    PDF show the same numbers however the data changes later; building the same week again
    updates the row, never adds one.
    """

    region = models.ForeignKey(Region, verbose_name=_("wilayah"), on_delete=models.PROTECT, related_name="+")
    week_start = models.DateField(_("minggu mulai"))
    data = models.JSONField()
    built_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("ringkasan mingguan")
        verbose_name_plural = _("ringkasan mingguan")
        ordering = ["-week_start", "region__code"]
        constraints = [
            models.UniqueConstraint(fields=["region", "week_start"], name="weekly_summary_once_per_week"),
        ]

    def __str__(self) -> str:
        return f"{self.region} {self.week_label}"

    @property
    def week_end(self) -> datetime.date:
        return self.week_start + datetime.timedelta(days=6)

    @property
    def week_label(self) -> str:
        year, week, _day = self.week_start.isocalendar()
        return f"{year}-W{week:02d}"


class SummaryDelivery(models.Model):
    """One manager's e-mail of one weekly summary: `sent_at` is set in the same transaction
    that sends it, under a row lock, so a summary is e-mailed to each manager once."""

    summary = models.ForeignKey(WeeklySummary, on_delete=models.CASCADE, related_name="deliveries")
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["summary", "recipient"], name="summary_delivery_once")]
