"""UMKM partners, their cooperation agreements (PKS), the benefits those give KIA/IKD holders."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext, gettext_lazy as _
from simple_history.models import HistoricalRecords

from regions import access, maps
from regions.models import Region

EXPIRING_DAYS = 30


class Sector(models.TextChoices):
    FOOD = "makanan", _("Makanan dan minuman")
    RETAIL = "ritel", _("Ritel")
    EDUCATION = "pendidikan", _("Pendidikan dan buku")
    HEALTH = "kesehatan", _("Kesehatan")
    SERVICES = "jasa", _("Jasa")
    TOURISM = "wisata", _("Wisata dan rekreasi")
    OTHER = "lainnya", _("Lainnya")


class PartnerQuerySet(models.QuerySet):
    def visible_to(self, user) -> "PartnerQuerySet":
        return self.filter(access.region_q(user, "village"))


class Partner(models.Model):
    business_name = models.CharField(_("nama usaha"), max_length=150)
    owner_name = models.CharField(_("nama pemilik"), max_length=100)
    nib = models.CharField(_("NIB"), max_length=13, blank=True, help_text=_("Nomor Induk Berusaha, 13 angka (boleh kosong)."))
    sector = models.CharField(_("sektor"), max_length=12, choices=Sector.choices)
    address = models.CharField(_("alamat"), max_length=250)
    village = models.ForeignKey(Region, verbose_name=_("desa/kelurahan"), on_delete=models.PROTECT, related_name="+",
                                limit_choices_to={"level": 4})
    whatsapp = models.CharField(_("nomor WhatsApp"), max_length=15, help_text=_("Disimpan sebagai 62…, misalnya 6281234567890."))
    latitude = models.DecimalField(_("lintang"), max_digits=8, decimal_places=5, null=True, blank=True)
    longitude = models.DecimalField(_("bujur"), max_digits=8, decimal_places=5, null=True, blank=True)
    logo = models.FileField(_("logo"), upload_to="logos/", blank=True, help_text=_("Foto atau logo, diperkecil otomatis."))
    is_active = models.BooleanField(_("aktif"), default=True)

    objects = PartnerQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("mitra UMKM")
        verbose_name_plural = _("mitra UMKM")
        ordering = ["business_name"]
        constraints = [
            models.UniqueConstraint(fields=["nib"], condition=~Q(nib=""), name="partner_nib_unique"),
            models.CheckConstraint(condition=Q(whatsapp__startswith="628"), name="partner_whatsapp_normal_form"),
            models.CheckConstraint(
                condition=(Q(latitude__isnull=True) & Q(longitude__isnull=True))
                | (Q(latitude__gte=-11, latitude__lte=6) & Q(longitude__gte=95, longitude__lte=141)),
                name="partner_coordinates_in_indonesia",
            ),
        ]

    def __str__(self) -> str:
        return self.business_name

    @property
    def whatsapp_url(self) -> str:
        return f"https://wa.me/{self.whatsapp}"

    @property
    def map_url(self) -> str:
        return maps.map_url(self.latitude, self.longitude, self.village)


class AgreementStatus(models.TextChoices):
    DRAFT = "draft", _("Draf")
    UPCOMING = "upcoming", _("Belum berlaku")
    ACTIVE = "active", _("Berlaku")
    EXPIRING = "expiring", _("Segera berakhir")
    EXPIRED = "expired", _("Berakhir")
    TERMINATED = "terminated", _("Diakhiri")


class AgreementQuerySet(models.QuerySet):
    def visible_to(self, user) -> "AgreementQuerySet":
        return self.filter(access.region_q(user, "partner__village"))

    def in_force(self, day: datetime.date) -> "AgreementQuerySet":
        """Signed, not terminated, and valid on `day`."""
        return self.filter(signed_on__isnull=False, terminated_on__isnull=True, valid_from__lte=day, valid_until__gte=day)


class Agreement(models.Model):
    """A PKS between the office and a partner. Its status follows from its dates."""

    office = models.ForeignKey(Region, verbose_name=_("kantor"), on_delete=models.PROTECT, related_name="+")
    partner = models.ForeignKey(Partner, verbose_name=_("mitra"), on_delete=models.PROTECT, related_name="agreements")
    number = models.CharField(_("nomor PKS"), max_length=60)
    title = models.CharField(_("judul"), max_length=200)
    signed_on = models.DateField(_("tanggal tanda tangan"), null=True, blank=True, help_text=_("Kosong berarti masih draf."))
    valid_from = models.DateField(_("berlaku mulai"))
    valid_until = models.DateField(_("berlaku sampai"))
    office_signatory = models.CharField(_("penanda tangan Dukcapil"), max_length=100)
    partner_signatory = models.CharField(_("penanda tangan mitra"), max_length=100)
    document = models.FileField(_("dokumen PKS (PDF)"), upload_to="pks/%Y/", blank=True)
    terminated_on = models.DateField(_("diakhiri tanggal"), null=True, blank=True)
    termination_reason = models.CharField(_("alasan diakhiri"), max_length=250, blank=True)
    renewal_of = models.OneToOneField(
        "self", verbose_name=_("perpanjangan dari"), null=True, blank=True, on_delete=models.PROTECT, related_name="renewed_by"
    )

    objects = AgreementQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("PKS")
        verbose_name_plural = _("PKS")
        ordering = ["-valid_until"]
        constraints = [
            models.UniqueConstraint(fields=["office", "number"], name="agreement_number_unique_in_office"),
            models.CheckConstraint(condition=Q(valid_until__gt=models.F("valid_from")), name="agreement_until_after_from"),
            models.CheckConstraint(
                condition=(Q(terminated_on__isnull=True) & Q(termination_reason=""))
                | (Q(terminated_on__isnull=False) & ~Q(termination_reason="")),
                name="agreement_termination_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} — {self.partner}"

    def clean(self) -> None:
        errors = {}
        if self.valid_from and self.valid_until and self.valid_until <= self.valid_from:
            errors["valid_until"] = _("Tanggal berakhir harus setelah tanggal mulai berlaku.")
        if self.terminated_on and not self.termination_reason.strip():
            errors["termination_reason"] = _("Tulis alasan PKS diakhiri.")
        if self.termination_reason and not self.terminated_on:
            errors["terminated_on"] = _("Isi tanggal PKS diakhiri.")
        if errors:
            raise ValidationError(errors)

    def status_on(self, day: datetime.date) -> AgreementStatus:
        if self.terminated_on is not None and self.terminated_on <= day:
            return AgreementStatus.TERMINATED
        if self.signed_on is None:
            return AgreementStatus.DRAFT
        if day < self.valid_from:
            return AgreementStatus.UPCOMING
        if day > self.valid_until:
            return AgreementStatus.EXPIRED
        if (self.valid_until - day).days < EXPIRING_DAYS:
            return AgreementStatus.EXPIRING
        return AgreementStatus.ACTIVE


class Card(models.TextChoices):
    KIA = "kia", _("KIA")
    IKD = "ikd", _("IKD")
    EITHER = "either", _("KIA atau IKD")


class BenefitKind(models.TextChoices):
    PERCENT = "percent", _("Potongan persen")
    AMOUNT = "amount", _("Potongan rupiah")
    FREE = "free", _("Gratis barang/jasa")
    OTHER = "other", _("Lainnya")


class Benefit(models.Model):
    agreement = models.ForeignKey(Agreement, verbose_name=_("PKS"), on_delete=models.CASCADE, related_name="benefits")
    card = models.CharField(_("kartu"), max_length=6, choices=Card.choices)
    kind = models.CharField(_("jenis manfaat"), max_length=8, choices=BenefitKind.choices)
    value = models.DecimalField(_("nilai"), max_digits=12, decimal_places=2, null=True, blank=True)
    terms = models.CharField(_("ketentuan"), max_length=300, help_text=_("Dengan kata sederhana, misalnya 'setiap pembelian di atas Rp50.000'."))
    valid_from = models.DateField(_("berlaku mulai"))
    valid_until = models.DateField(_("berlaku sampai"))

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("manfaat")
        verbose_name_plural = _("manfaat")
        constraints = [
            models.CheckConstraint(condition=Q(valid_until__gte=models.F("valid_from")), name="benefit_until_after_from"),
            models.CheckConstraint(
                condition=~Q(kind="percent") | (Q(value__gt=0) & Q(value__lte=100)), name="benefit_percent_range"
            ),
            models.CheckConstraint(condition=~Q(kind="amount") | Q(value__gt=0), name="benefit_amount_positive"),
        ]

    def __str__(self) -> str:
        return self.plain_words

    def clean(self) -> None:
        errors = {}
        if self.kind in (BenefitKind.PERCENT, BenefitKind.AMOUNT) and self.value is None:
            errors["value"] = _("Isi nilai potongan.")
        elif self.kind == BenefitKind.PERCENT and not (0 < self.value <= 100):
            errors["value"] = _("Potongan persen harus lebih dari 0 dan paling banyak 100.")
        elif self.kind == BenefitKind.AMOUNT and self.value <= 0:
            errors["value"] = _("Potongan rupiah harus lebih dari 0.")
        if self.valid_from and self.valid_until and self.valid_until < self.valid_from:
            errors["valid_until"] = _("Tanggal berakhir tidak boleh sebelum tanggal mulai.")
        agreement = self.agreement if self.agreement_id else None
        if agreement and self.valid_from and self.valid_until and (
            self.valid_from < agreement.valid_from or self.valid_until > agreement.valid_until
        ):
            errors["valid_until"] = _("Masa berlaku manfaat harus di dalam masa berlaku PKS.")
        if errors:
            raise ValidationError(errors)

    @property
    def plain_words(self) -> str:
        """The benefit as a citizen reads it: 'Potongan 10% untuk pemegang KIA: setiap pembelian'."""
        card = {Card.KIA: gettext("pemegang KIA"), Card.IKD: gettext("pemegang IKD"),
                Card.EITHER: gettext("pemegang KIA atau IKD")}[self.card]
        if self.kind == BenefitKind.PERCENT:
            offer = gettext("Potongan %s%%") % f"{self.value.normalize():f}".replace(".", ",")
        elif self.kind == BenefitKind.AMOUNT:
            offer = gettext("Potongan Rp%s") % f"{int(self.value):,}".replace(",", ".")
        elif self.kind == BenefitKind.FREE:
            offer = gettext("Gratis")
        else:
            offer = gettext("Manfaat")
        return gettext("%(offer)s untuk %(card)s: %(terms)s") % {"offer": offer, "card": card, "terms": self.terms}


class UsageRecap(models.Model):
    """How many KIA and IKD holders used a partner's benefits in a month, entered by staff."""

    partner = models.ForeignKey(Partner, verbose_name=_("mitra"), on_delete=models.PROTECT, related_name="recaps")
    month = models.DateField(_("bulan"), help_text=_("Tanggal 1 bulan itu."))
    kia_users = models.PositiveIntegerField(_("pemegang KIA"), default=0)
    ikd_users = models.PositiveIntegerField(_("pemegang IKD"), default=0)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("rekap pemakaian")
        verbose_name_plural = _("rekap pemakaian")
        ordering = ["-month"]
        constraints = [
            models.UniqueConstraint(fields=["partner", "month"], name="recap_one_per_partner_month"),
        ]


class ReminderSent(models.Model):
    """An agreement's reminder for one threshold, claimed before the e-mail goes: sent at most once."""

    class Threshold(models.TextChoices):
        EXPIRING = "expiring", _("berakhir dalam 30 hari")
        EXPIRED = "expired", _("sudah berakhir")

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="reminders")
    threshold = models.CharField(max_length=8, choices=Threshold.choices)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["agreement", "threshold"], name="reminder_once_per_threshold")]
