"""Partner rules that span objects: normal forms, agreement renewal and termination, recaps,
reminders, the public directory, reports and exports."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncMonth
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from partners.models import (
    EXPIRING_DAYS,
    Agreement,
    Benefit,
    Card,
    Partner,
    ReminderSent,
    Sector,
    UsageRecap,
)
from regions import access
from regions.models import Region, User

MAX_PDF_BYTES = 10 * 1024 * 1024


def normalize_whatsapp(raw: str) -> str:
    """An Indonesian mobile number in one form, 62 then 8…: '0812-3456-7890' → '6281234567890'."""
    digits = re.sub(r"[\s\-().]", "", raw or "")
    if digits.startswith("+"):
        digits = digits[1:]
    if digits.startswith("0"):
        digits = "62" + digits[1:]
    elif digits.startswith("8"):
        digits = "62" + digits
    if not (digits.isdigit() and digits.startswith("628") and 10 <= len(digits) <= 15):
        raise ValidationError(_("Nomor WhatsApp harus nomor HP Indonesia, misalnya 0812 3456 7890."))
    return digits


def normalize_nib(raw: str) -> str:
    digits = re.sub(r"\s", "", raw or "")
    if digits and not (digits.isdigit() and len(digits) == 13):
        raise ValidationError(_("NIB harus 13 angka (atau dikosongkan)."))
    return digits


def check_pdf(upload) -> None:
    """A PKS document must really be a PDF (by its content) of at most 10 MB."""
    if upload.size > MAX_PDF_BYTES:
        raise ValidationError(_("Dokumen lebih dari 10 MB."))
    head = upload.read(5)
    upload.seek(0)
    if head != b"%PDF-":
        raise ValidationError(_("Dokumen harus berkas PDF."))


# ---- Agreements ---------------------------------------------------------------------------------


@transaction.atomic
def agreement_terminate(*, actor, agreement: Agreement, on: datetime.date, reason: str) -> Agreement:
    access.require_write(actor)
    if not reason.strip():
        raise ValidationError({"termination_reason": _("Tulis alasan PKS diakhiri.")})
    agreement.terminated_on, agreement.termination_reason = on, reason.strip()
    agreement._history_user = actor
    agreement.save()
    return agreement


@transaction.atomic
def agreement_renew(
    *, actor, agreement: Agreement, number: str, valid_from: datetime.date, valid_until: datetime.date,
    signed_on: datetime.date | None = None,
) -> Agreement:
    """A new agreement linked to the old one, carrying its benefits over to the new period."""
    access.require_write(actor)
    if hasattr(agreement, "renewed_by"):
        raise ValidationError(_("PKS ini sudah diperpanjang."))
    renewal = Agreement(
        office=agreement.office, partner=agreement.partner, number=number, title=agreement.title, signed_on=signed_on,
        valid_from=valid_from, valid_until=valid_until, office_signatory=agreement.office_signatory,
        partner_signatory=agreement.partner_signatory, renewal_of=agreement,
    )
    renewal.full_clean()
    renewal._history_user = actor
    renewal.save()
    for benefit in agreement.benefits.all():
        Benefit.objects.create(agreement=renewal, card=benefit.card, kind=benefit.kind, value=benefit.value,
                               terms=benefit.terms, valid_from=valid_from, valid_until=valid_until)
    return renewal


@transaction.atomic
def recap_save(*, actor, partner: Partner, month: datetime.date, kia_users: int, ikd_users: int) -> UsageRecap:
    """The month's use of a partner's benefits; entering the month again corrects it."""
    access.require_write(actor)
    if not access.can_see_region(actor, partner.village):
        raise ValidationError(_("Mitra ini di luar wilayah Anda."))
    recap, _created = UsageRecap.objects.update_or_create(
        partner=partner, month=month.replace(day=1),
        defaults={"kia_users": kia_users, "ikd_users": ikd_users, "entered_by": actor},
    )
    return recap


# ---- Reminders ------------------------------------------------------------------------------------


def offices_with_agreements() -> list[int]:
    return list(Agreement.objects.values_list("office_id", flat=True).distinct().order_by("office_id"))


def _due(office: Region, today: datetime.date) -> list[tuple[Agreement, str]]:
    signed = Agreement.objects.filter(office=office, signed_on__isnull=False, terminated_on__isnull=True).select_related("partner")
    due = []
    for agreement in signed.filter(valid_until__lt=today).exclude(reminders__threshold=ReminderSent.Threshold.EXPIRED):
        due.append((agreement, ReminderSent.Threshold.EXPIRED))
    soon = signed.filter(valid_until__gte=today, valid_until__lt=today + datetime.timedelta(days=EXPIRING_DAYS))
    for agreement in soon.exclude(reminders__threshold=ReminderSent.Threshold.EXPIRING):
        due.append((agreement, ReminderSent.Threshold.EXPIRING))
    return due


def office_staff_emails(office: Region) -> list[str]:
    staff = User.objects.filter(is_active=True, role=User.Role.STAFF, regions=office).exclude(email="")
    return sorted(set(staff.values_list("email", flat=True)))


def reminders_send(*, office: Region, today: datetime.date) -> int:
    """E-mail the office's staff the agreements that expire within 30 days or have expired.

    Each agreement is claimed for its threshold (a unique row) in the transaction that sends the
    e-mail: a second run, or two runs at once, send nothing twice, and a run cut short before the
    e-mail went leaves no claim, so the next run sends it. Returns how many were sent.
    """
    with transaction.atomic():
        claimed = []
        for agreement, threshold in _due(office, today):
            try:
                with transaction.atomic():
                    ReminderSent.objects.create(agreement=agreement, threshold=threshold)
            except IntegrityError:
                continue
            claimed.append((agreement, threshold))
        recipients = office_staff_emails(office)
        if not claimed or not recipients:
            return 0
        with translation.override("id"):
            body = render_to_string("emails/agreement_reminder.txt", {"office": office, "items": claimed, "today": today})
            subject = _("Jemput Bola: %(count)d PKS perlu perhatian") % {"count": len(claimed)}
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients)
    return len(claimed)


# ---- Directory and reports --------------------------------------------------------------------------


@dataclass
class DirectoryEntry:
    partner: Partner
    benefits: list[Benefit]


def directory(*, today: datetime.date, district: str = "", sector: str = "", card: str = "") -> list[DirectoryEntry]:
    """Partners with a benefit in force today under an agreement in force today (public)."""
    benefits = (
        Benefit.objects.filter(valid_from__lte=today, valid_until__gte=today, agreement__in=Agreement.objects.in_force(today),
                               agreement__partner__is_active=True)
        .select_related("agreement__partner__village__parent__parent")
        .order_by("agreement__partner__business_name", "pk")
    )
    if district:
        benefits = benefits.filter(agreement__partner__village__parent__code=district)
    if sector:
        benefits = benefits.filter(agreement__partner__sector=sector)
    if card in (Card.KIA, Card.IKD):
        benefits = benefits.filter(card__in=[card, Card.EITHER])
    entries: dict[int, DirectoryEntry] = {}
    for benefit in benefits:
        partner = benefit.agreement.partner
        entries.setdefault(partner.pk, DirectoryEntry(partner, [])).benefits.append(benefit)
    return list(entries.values())


def directory_districts(today: datetime.date) -> list[str]:
    """Kecamatan codes that have a partner in the directory today, for its filter."""
    in_force = Benefit.objects.filter(valid_from__lte=today, valid_until__gte=today,
                                      agreement__in=Agreement.objects.in_force(today), agreement__partner__is_active=True)
    return list(in_force.values_list("agreement__partner__village__parent__code", flat=True).distinct())


@dataclass
class PartnerReport:
    by_region: list[dict]
    by_sector: list[dict]
    signed_per_month: list[dict]
    use_per_month: list[dict]


def partner_report(*, user, today: datetime.date) -> PartnerReport:
    """Partners and agreements in force per kecamatan and per sector, agreements signed and
    benefits used per month, inside the user's regions."""
    partners = Partner.objects.visible_to(user).filter(is_active=True)
    in_force = Q(agreements__in=Agreement.objects.in_force(today))
    by_region = list(
        partners.values("village__parent__code", "village__parent__name")
        .annotate(partners=Count("id", distinct=True), active=Count("agreements", filter=in_force, distinct=True))
        .order_by("village__parent__code")
    )
    by_sector = [
        {**row, "label": Sector(row["sector"]).label}
        for row in partners.values("sector").annotate(
            partners=Count("id", distinct=True),
            active=Count("agreements", filter=in_force, distinct=True),
        ).order_by("sector")
    ]
    agreements = Agreement.objects.visible_to(user).filter(signed_on__isnull=False)
    signed = list(agreements.annotate(month=TruncMonth("signed_on")).values("month").annotate(count=Count("id")).order_by("month"))
    use = list(
        UsageRecap.objects.filter(partner__in=partners).values("month")
        .annotate(kia=Sum("kia_users"), ikd=Sum("ikd_users")).order_by("month")
    )
    return PartnerReport(by_region, by_sector, signed, use)
