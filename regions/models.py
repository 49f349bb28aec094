"""The region tree (Kemendagri codes) and the users who are scoped to it."""

from __future__ import annotations

import datetime
import re

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

COUNTRY_CODE = "ID"


class Level(models.IntegerChoices):
    COUNTRY = 0, _("Negara")
    PROVINCE = 1, _("Provinsi")
    REGENCY = 2, _("Kabupaten/kota")
    DISTRICT = 3, _("Kecamatan")
    VILLAGE = 4, _("Desa/kelurahan")

    @classmethod
    def from_slug(cls, slug: str) -> "Level | None":
        return LEVEL_SLUGS.get(slug)


# The words used by the Kemendagri CSV (`level` column).
LEVEL_SLUGS = {
    "province": Level.PROVINCE,
    "regency": Level.REGENCY,
    "district": Level.DISTRICT,
    "village": Level.VILLAGE,
}

# The shape of a code at each level: 33, 33.24, 33.24.01, 33.24.01.2001.
CODE_SHAPES = {
    Level.PROVINCE: re.compile(r"\d{2}"),
    Level.REGENCY: re.compile(r"\d{2}\.\d{2}"),
    Level.DISTRICT: re.compile(r"\d{2}\.\d{2}\.\d{2}"),
    Level.VILLAGE: re.compile(r"\d{2}\.\d{2}\.\d{2}\.\d{4}"),
}


# Provinces outside WIB (Asia/Jakarta). An office's time zone follows its province.
WITA_PROVINCES = {"51", "52", "53", "63", "64", "65", "71", "72", "73", "74", "75", "76"}
WIT_PROVINCES = {"81", "82", "91", "92", "93", "94", "95", "96"}
TIME_ZONES = {"WIB": "Asia/Jakarta", "WITA": "Asia/Makassar", "WIT": "Asia/Jayapura"}


class Kind(models.TextChoices):
    NEGARA = "negara", _("Negara")
    PROVINSI = "provinsi", _("Provinsi")
    KABUPATEN = "kabupaten", _("Kabupaten")
    KOTA = "kota", _("Kota")
    KECAMATAN = "kecamatan", _("Kecamatan")
    KELURAHAN = "kelurahan", _("Kelurahan")
    DESA = "desa", _("Desa")
    DESA_ADAT = "desa_adat", _("Desa adat")


KINDS_BY_LEVEL = {
    Level.COUNTRY: {Kind.NEGARA},
    Level.PROVINCE: {Kind.PROVINSI},
    Level.REGENCY: {Kind.KABUPATEN, Kind.KOTA},
    Level.DISTRICT: {Kind.KECAMATAN},
    Level.VILLAGE: {Kind.KELURAHAN, Kind.DESA, Kind.DESA_ADAT},
}


def parent_code_of(code: str) -> str:
    """The code one level up: 33.24.01 → 33.24; a province's parent is the country."""
    head, dot, _tail = code.rpartition(".")
    return head if dot else COUNTRY_CODE


def subtree_q(codes: list[str], field: str = "") -> Q:
    """Rows whose region lies in the subtree of any of `codes` (a subtree is a code prefix).

    `field` is the path to a Region from the filtered model ("" when filtering regions,
    "region" for a model with a region foreign key). The country code means everything.
    """
    prefix = f"{field}__" if field else ""
    if COUNTRY_CODE in codes:
        return Q()
    q = Q(pk__in=[])
    for code in codes:
        q |= Q(**{f"{prefix}code": code}) | Q(**{f"{prefix}code__startswith": code + "."})
    return q


def code_within(code: str, root_code: str) -> bool:
    """Is `code` inside the subtree of `root_code`? Pure string test, no query."""
    return root_code == COUNTRY_CODE or code == root_code or code.startswith(root_code + ".")


class RegionQuerySet(models.QuerySet):
    def current(self) -> "RegionQuerySet":
        return self.filter(is_current=True)

    def within(self, codes: list[str]) -> "RegionQuerySet":
        return self.filter(subtree_q(codes))

    def visible_to(self, user) -> "RegionQuerySet":
        from regions import access

        return self.filter(access.region_q(user))


class Region(models.Model):
    code = models.CharField(_("kode"), max_length=13, unique=True)
    name = models.CharField(_("nama"), max_length=120)
    level = models.PositiveSmallIntegerField(_("tingkat"), choices=Level.choices)
    kind = models.CharField(_("jenis"), max_length=12, choices=Kind.choices)
    # No index of its own: region_parent_code_idx (parent, code) starts with it.
    parent = models.ForeignKey(
        "self", verbose_name=_("induk"), null=True, blank=True, on_delete=models.PROTECT, related_name="children",
        db_index=False,
    )
    is_current = models.BooleanField(
        _("masih berlaku"), default=True, help_text=_("Tidak lagi ada di edisi kode terbaru, tetapi disimpan untuk riwayat.")
    )

    objects = RegionQuerySet.as_manager()

    class Meta:
        verbose_name = _("wilayah")
        verbose_name_plural = _("wilayah")
        ordering = ["code"]
        # A subtree is LIKE '33.24.%': on PostgreSQL the index Django adds to every unique
        # CharField (regions_region_code_…_like, varchar_pattern_ops) serves it whatever the
        # database collation, so the code needs no second one.
        indexes = [models.Index(fields=["parent", "code"], name="region_parent_code_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(level__gte=0, level__lte=4), name="region_level_valid"),
            models.CheckConstraint(
                condition=(Q(level=Level.COUNTRY) & Q(parent__isnull=True))
                | (Q(level__gt=Level.COUNTRY) & Q(parent__isnull=False)),
                name="region_only_country_is_root",
            ),
            models.UniqueConstraint(fields=["level"], condition=Q(level=Level.COUNTRY), name="region_one_country"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_country(self) -> bool:
        return self.level == Level.COUNTRY

    @property
    def zone_label(self) -> str:
        """WIB, WITA or WIT, from the province part of the code."""
        province = self.code.split(".")[0]
        if province in WITA_PROVINCES:
            return "WITA"
        if province in WIT_PROVINCES:
            return "WIT"
        return "WIB"

    @property
    def time_zone(self) -> str:
        return TIME_ZONES[self.zone_label]

    def ancestor_codes(self) -> list[str]:
        """Codes from the country down to this region's parent, derived from the code alone."""
        if self.is_country:
            return []
        parts = self.code.split(".")
        return [COUNTRY_CODE] + [".".join(parts[:i]) for i in range(1, len(parts))]

    def contains(self, other: "Region") -> bool:
        return code_within(other.code, self.code)

    def area_names(self) -> list[str]:
        """This region's name, its parent's and its grandparent's (for a village: desa, kecamatan,
        regency), enough to tell namesakes apart. Reads the parents: load them with
        `select_related("…__parent__parent")` when naming many places."""
        names, region = [self.name], self
        for _step in range(2):
            region = region.parent
            if region is None:
                break
            names.append(region.name)
        return names


class User(AbstractUser):
    class Role(models.TextChoices):
        STAFF = "staff", _("Staf Dukcapil")
        OPERATOR = "operator", _("Operator desa/sekolah")
        MANAGER = "manager", _("Pimpinan (hanya baca laporan)")

    role = models.CharField(_("peran"), max_length=10, choices=Role.choices, default=Role.OPERATOR)
    phone = models.CharField(_("nomor WhatsApp"), max_length=20, blank=True)
    regions = models.ManyToManyField(
        Region,
        verbose_name=_("wilayah tugas"),
        related_name="users",
        blank=True,
        help_text=_("Pengguna hanya melihat dan mengubah data di dalam wilayah ini."),
    )

    # Raised by "sign out everywhere": it is part of the session hash, so every other session ends.
    session_generation = models.PositiveIntegerField(default=0, editable=False)

    objects = UserManager()
    history = HistoricalRecords(
        m2m_fields=[regions], excluded_fields=["last_login", "password", "session_generation"]
    )

    class Meta(AbstractUser.Meta):
        verbose_name = _("pengguna")
        verbose_name_plural = _("pengguna")
        constraints = [
            models.CheckConstraint(condition=Q(role__in=["staff", "operator", "manager"]), name="user_role_valid"),
        ]

    def get_session_auth_hash(self) -> str:
        """Django checks this on every request: it changes with the password and with sign-out everywhere."""
        from django.utils.crypto import salted_hmac

        return salted_hmac(
            "regions.User.get_session_auth_hash", f"{self.password}:{self.session_generation}",
            algorithm="sha256",
        ).hexdigest()

    def save(self, *args, **kwargs):
        # Admin access follows the role: staff keep reference data in the Django admin.
        self.is_staff = self.is_superuser or self.role == self.Role.STAFF
        super().save(*args, **kwargs)

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username


class Indicator(models.TextChoices):
    IKD = "ikd", _("Aktivasi IKD")
    EKTP = "ektp", _("Perekaman KTP-el")
    KIA = "kia", _("Penerbitan KIA")

    @property
    def short_label(self) -> str:
        return {"ikd": "IKD", "ektp": "KTP-el", "kia": "KIA"}[self.value]

    @property
    def base_field(self) -> str:
        """The population figure a target of this indicator is measured against."""
        return "children" if self == Indicator.KIA else "wajib_ktp"


class Population(models.Model):
    """Population figures of one region on one date; blank means unknown."""

    region = models.ForeignKey(Region, verbose_name=_("wilayah"), on_delete=models.PROTECT, related_name="populations")
    as_of = models.DateField(_("per tanggal"))
    population = models.PositiveBigIntegerField(_("jumlah penduduk"), null=True, blank=True)
    male = models.PositiveBigIntegerField(_("laki-laki"), null=True, blank=True)
    female = models.PositiveBigIntegerField(_("perempuan"), null=True, blank=True)
    wajib_ktp = models.PositiveBigIntegerField(_("wajib KTP"), null=True, blank=True)
    children = models.PositiveBigIntegerField(_("anak (di bawah 17 tahun)"), null=True, blank=True)
    source = models.CharField(_("sumber"), max_length=200, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("data penduduk")
        verbose_name_plural = _("data penduduk")
        ordering = ["region__code", "-as_of"]
        constraints = [
            models.UniqueConstraint(fields=["region", "as_of"], name="population_one_per_region_date"),
            models.CheckConstraint(
                condition=Q(population__isnull=True) | Q(wajib_ktp__isnull=True) | Q(wajib_ktp__lte=models.F("population")),
                name="population_wajib_ktp_within_population",
            ),
            models.CheckConstraint(
                condition=Q(population__isnull=True) | Q(children__isnull=True) | Q(children__lte=models.F("population")),
                name="population_children_within_population",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.region} ({self.as_of})"


class Target(models.Model):
    """A target percent for a year and indicator; no region means the national default."""

    region = models.ForeignKey(
        Region, verbose_name=_("wilayah"), null=True, blank=True, on_delete=models.PROTECT, related_name="targets"
    )
    year = models.PositiveSmallIntegerField(_("tahun"))
    indicator = models.CharField(_("indikator"), max_length=4, choices=Indicator.choices)
    percent = models.DecimalField(_("target (%)"), max_digits=5, decimal_places=2)
    due = models.DateField(_("batas waktu"), blank=True, help_text=_("Bawaan: 31 Desember tahun target."))

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("target")
        verbose_name_plural = _("target")
        ordering = ["year", "indicator", "region__code"]
        constraints = [
            models.UniqueConstraint(fields=["region", "year", "indicator"], name="target_one_per_region_year"),
            models.UniqueConstraint(
                fields=["year", "indicator"], condition=Q(region__isnull=True), name="target_one_national_per_year"
            ),
            models.CheckConstraint(condition=Q(percent__gt=0, percent__lte=100), name="target_percent_range"),
            models.CheckConstraint(condition=Q(year__gte=2000, year__lte=2100), name="target_year_range"),
            models.CheckConstraint(condition=Q(indicator__in=["ikd", "ektp", "kia"]), name="target_indicator_valid"),
        ]

    def clean(self) -> None:
        if self.due is None and self.year:
            self.due = datetime.date(self.year, 12, 31)
        errors = {}
        if self.percent is not None and not (0 < self.percent <= 100):
            errors["percent"] = _("Target harus lebih dari 0 dan paling banyak 100 persen.")
        if self.due and self.year and self.due.year < self.year:
            errors["due"] = _("Batas waktu tidak boleh sebelum tahun target.")
        if errors:
            raise ValidationError(errors)

    def __str__(self) -> str:
        where = self.region.name if self.region_id else _("nasional")
        return f"{self.get_indicator_display()} {self.year} {where}: {self.percent}%"


class OfficialFigure(models.Model):
    """A cumulative count reported by SIAK or the ministry for a region, indicator and date."""

    region = models.ForeignKey(Region, verbose_name=_("wilayah"), on_delete=models.PROTECT, related_name="official_figures")
    indicator = models.CharField(_("indikator"), max_length=4, choices=Indicator.choices)
    as_of = models.DateField(_("per tanggal"))
    count = models.PositiveBigIntegerField(_("jumlah"))
    source = models.CharField(_("sumber"), max_length=200, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("capaian resmi")
        verbose_name_plural = _("capaian resmi")
        ordering = ["region__code", "indicator", "-as_of"]
        constraints = [
            models.UniqueConstraint(fields=["region", "indicator", "as_of"], name="official_one_per_region_date"),
            models.CheckConstraint(condition=Q(indicator__in=["ikd", "ektp", "kia"]), name="official_indicator_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.get_indicator_display()} {self.region} {self.as_of}: {self.count}"


class HistoricalCode(models.Model):
    """A province, regency or kecamatan code of an earlier edition that the current list no longer has.

    A NIK keeps the kecamatan code of where it was first issued, even after a region split.
    """

    code = models.CharField(_("kode"), max_length=8, unique=True)
    name = models.CharField(_("nama"), max_length=120)
    level = models.PositiveSmallIntegerField(_("tingkat"), choices=Level.choices)
    first_seen = models.PositiveSmallIntegerField(_("edisi pertama"))
    last_seen = models.PositiveSmallIntegerField(_("edisi terakhir"))

    class Meta:
        verbose_name = _("kode wilayah lama")
        verbose_name_plural = _("kode wilayah lama")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=Q(level__gte=1, level__lte=3), name="historical_code_level_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class AuditAction(models.TextChoices):
    LOGIN = "login", _("Masuk")
    LOGIN_FAILED = "login_failed", _("Gagal masuk")
    LOGOUT = "logout", _("Keluar")
    EXPORT = "export", _("Unduhan")
    VIEW_PERSONAL = "view_personal", _("Lihat daftar per orang")
    CREATE = "create", _("Tambah")
    UPDATE = "update", _("Ubah")
    DELETE = "delete", _("Hapus")
    IMPORT = "import", _("Impor")
    PURGE = "purge", _("Hapus data pribadi (retensi)")


class AuditEventQuerySet(models.QuerySet):
    """Append-only: a queryset can add and read events, never change or remove them."""

    def update(self, **kwargs):
        raise AuditLogIsAppendOnly

    def delete(self):
        raise AuditLogIsAppendOnly

    def _raw_delete(self, using):
        raise AuditLogIsAppendOnly

    def bulk_update(self, objs, fields, batch_size=None):
        raise AuditLogIsAppendOnly

    def visible_to(self, user) -> "AuditEventQuerySet":
        """Events of the user's regions; events without a region only for a superuser."""
        from regions import access

        codes = access.scope_codes(user)
        if COUNTRY_CODE in codes:
            return self.all()
        q = Q(pk__in=[])
        for code in codes:
            q |= Q(region_code=code) | Q(region_code__startswith=code + ".")
        return self.filter(q)


class AuditLogIsAppendOnly(Exception):
    """The audit log is never changed or deleted by the application (UU 27/2022 PDP)."""

    def __init__(self, message="Log audit hanya dapat ditambah, tidak dapat diubah atau dihapus."):
        super().__init__(message)


class AuditEvent(models.Model):
    """Who did what to which data, when and from where (DESIGN.md "Privacy": access to personal
    data is logged). Written by `regions.audit` only; append-only here and, on PostgreSQL, in
    the database too (a trigger refuses UPDATE and DELETE). Never holds a NIK or a password.

    `user` carries no database constraint and is never cleared: the username beside it keeps
    who it was after an account is removed, and removing one must not touch the log.
    """

    at = models.DateTimeField(_("waktu"), default=timezone.now, db_index=True, editable=False)  # stored in UTC
    user = models.ForeignKey(
        "regions.User", verbose_name=_("pengguna"), null=True, blank=True, on_delete=models.DO_NOTHING,
        db_constraint=False, related_name="+", editable=False,
    )
    username = models.CharField(_("nama pengguna"), max_length=150, blank=True, editable=False)
    source = models.CharField(_("sumber"), max_length=10, choices=[("web", _("web")), ("command", _("perintah/tugas"))],
                              default="web", editable=False)
    ip_address = models.GenericIPAddressField(_("alamat IP"), null=True, blank=True, editable=False)
    user_agent = models.CharField(_("peramban"), max_length=200, blank=True, editable=False)
    action = models.CharField(_("tindakan"), max_length=16, choices=AuditAction.choices, editable=False)
    object_type = models.CharField(_("jenis objek"), max_length=40, blank=True, editable=False)
    object_id = models.CharField(_("id objek"), max_length=64, blank=True, editable=False)
    region_code = models.CharField(_("kode wilayah"), max_length=13, blank=True, editable=False)
    detail = models.JSONField(_("rincian"), default=dict, blank=True, editable=False)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("log audit")
        verbose_name_plural = _("log audit")
        ordering = ["-at", "-pk"]
        indexes = [
            models.Index(fields=["username", "at"], name="audit_username_at_idx"),
            models.Index(fields=["region_code"], name="audit_region_idx", opclasses=["varchar_pattern_ops"]),
            models.Index(fields=["object_type", "object_id"], name="audit_object_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.username or '-'} {self.action} {self.object_type} {self.object_id}"

    def save(self, *args, **kwargs):
        if not self._state.adding or (self.pk is not None and type(self).objects.filter(pk=self.pk).exists()):
            raise AuditLogIsAppendOnly
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditLogIsAppendOnly
