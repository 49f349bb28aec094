import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from partners.models import AgreementStatus, Benefit, Partner
from partners.services import agreement_renew, normalize_nib, normalize_whatsapp, recap_save
from tests.partners.conftest import TODAY


@pytest.mark.parametrize("raw, normal", [
    ("0812-3456-7890", "6281234567890"), ("+62 812 3456 7890", "6281234567890"),
    ("6281234567890", "6281234567890"), ("81234567890", "6281234567890"), ("0857 1234 5678", "6285712345678"),
])
def test_whatsapp_numbers_are_stored_in_one_form(raw, normal):
    assert normalize_whatsapp(raw) == normal


@pytest.mark.parametrize("raw", ["021-555-1234", "0812", "08123456789012345", "0812-abc-7890", ""])
def test_numbers_that_are_not_indonesian_mobiles_are_refused(raw):
    with pytest.raises(ValidationError, match="nomor HP Indonesia"):
        normalize_whatsapp(raw)


def test_nib_is_13_digits_or_empty():
    assert normalize_nib("") == "" and normalize_nib("1234567890123") == "1234567890123"
    for bad in ("123456789012", "12345678901234", "12345678901a3"):
        with pytest.raises(ValidationError, match="13 angka"):
            normalize_nib(bad)


def test_the_database_keeps_nib_unique_and_whatsapp_normal(partner):
    partner.nib = "1234567890123"
    partner.save()
    with pytest.raises(IntegrityError), transaction.atomic():
        Partner.objects.create(business_name="X", owner_name="Y", sector="jasa", address="Z", village=partner.village,
                               whatsapp="6281111111111", nib="1234567890123")
    with pytest.raises(IntegrityError), transaction.atomic():
        Partner.objects.filter(pk=partner.pk).update(whatsapp="081234567890")


@pytest.mark.parametrize("day, status", [
    (datetime.date(2025, 12, 31), AgreementStatus.UPCOMING),
    (datetime.date(2026, 1, 1), AgreementStatus.ACTIVE),
    (datetime.date(2026, 12, 1), AgreementStatus.ACTIVE),      # 30 days left
    (datetime.date(2026, 12, 2), AgreementStatus.EXPIRING),    # 29 days left
    (datetime.date(2026, 12, 31), AgreementStatus.EXPIRING),   # last day
    (datetime.date(2027, 1, 1), AgreementStatus.EXPIRED),
])
def test_the_status_follows_the_dates_on_both_sides_of_each_boundary(partner, agreement_for, day, status):
    assert agreement_for(partner).status_on(day) == status


def test_drafts_and_terminated_agreements(partner, agreement_for):
    assert agreement_for(partner, signed=False).status_on(TODAY) == AgreementStatus.DRAFT
    ended = agreement_for(partner, number="PKS/002", terminated_on=datetime.date(2026, 6, 1), termination_reason="Usaha tutup")
    assert ended.status_on(datetime.date(2026, 5, 31)) == AgreementStatus.ACTIVE
    assert ended.status_on(datetime.date(2026, 6, 1)) == AgreementStatus.TERMINATED


def test_agreement_dates_and_numbers_are_checked(partner, agreement_for):
    agreement = agreement_for(partner)
    agreement.valid_until = agreement.valid_from
    with pytest.raises(ValidationError, match="setelah tanggal mulai"):
        agreement.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        agreement_for(partner)  # the same number in the same office


@pytest.mark.parametrize("kind, value, message", [
    ("percent", Decimal("0"), "lebih dari 0 dan paling banyak 100"),
    ("percent", Decimal("100.5"), "lebih dari 0 dan paling banyak 100"),
    ("amount", Decimal("0"), "harus lebih dari 0"),
    ("amount", None, "Isi nilai potongan"),
])
def test_benefit_values_are_checked(partner, agreement_for, kind, value, message):
    agreement = agreement_for(partner)
    benefit = Benefit(agreement=agreement, card="ikd", kind=kind, value=value, terms="x",
                      valid_from=agreement.valid_from, valid_until=agreement.valid_until)
    with pytest.raises(ValidationError, match=message):
        benefit.full_clean()


def test_a_benefit_stays_inside_its_agreement(partner, agreement_for):
    agreement = agreement_for(partner)
    benefit = Benefit(agreement=agreement, card="ikd", kind="free", terms="kopi gratis",
                      valid_from=agreement.valid_from, valid_until=datetime.date(2027, 1, 31))
    with pytest.raises(ValidationError, match="di dalam masa berlaku PKS"):
        benefit.full_clean()


def test_benefits_read_in_plain_words(partner, agreement_for):
    benefit = agreement_for(partner).benefits.get()
    assert benefit.plain_words == "Potongan 10% untuk pemegang KIA: setiap pembelian"
    benefit.kind, benefit.value, benefit.card, benefit.terms = "amount", Decimal("25000"), "either", "minimal belanja Rp100.000"
    assert benefit.plain_words == "Potongan Rp25.000 untuk pemegang KIA atau IKD: minimal belanja Rp100.000"


def test_renewal_links_the_old_agreement_and_carries_its_benefits(staff, partner, agreement_for):
    old = agreement_for(partner)
    new = agreement_renew(actor=staff, agreement=old, number="PKS/001/2027", valid_from=datetime.date(2027, 1, 1),
                          valid_until=datetime.date(2027, 12, 31), signed_on=datetime.date(2026, 12, 20))
    assert new.renewal_of == old and old.renewed_by == new
    assert [b.valid_until for b in new.benefits.all()] == [datetime.date(2027, 12, 31)]
    with pytest.raises(ValidationError, match="sudah diperpanjang"):
        agreement_renew(actor=staff, agreement=old, number="PKS/X", valid_from=datetime.date(2027, 1, 1),
                        valid_until=datetime.date(2027, 12, 31))


def test_a_monthly_recap_is_corrected_not_duplicated(staff, outsider, partner):
    recap_save(actor=staff, partner=partner, month=datetime.date(2026, 5, 17), kia_users=12, ikd_users=30)
    recap = recap_save(actor=staff, partner=partner, month=datetime.date(2026, 5, 1), kia_users=14, ikd_users=30)
    assert partner.recaps.count() == 1 and recap.kia_users == 14 and recap.month == datetime.date(2026, 5, 1)
    with pytest.raises(ValidationError, match="di luar wilayah"):
        recap_save(actor=outsider, partner=partner, month=datetime.date(2026, 5, 1), kia_users=1, ikd_users=1)
