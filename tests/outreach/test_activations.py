import datetime
import uuid

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.models import Sum

from outreach.models import Activation, DailyCount, FailureReason, Outcome, RegionCount
from outreach.services import activation_record, daily_counts_rebuild, session_counts, tally_record
from tests.conftest import make_region, make_user
from tests.outreach.conftest import MONDAY

ADULT = "3324080101900001"
ADULT_WOMAN = "3324084101900002"


@pytest.fixture
def session(plan):
    return plan(offers_kia=True)


def record(actor, session, nik=ADULT, **fields):
    values = {"service": "ikd", "outcome": Outcome.SUCCESS, "idempotency_key": uuid.uuid4()}
    values.update(fields)
    return activation_record(actor=actor, session=session, nik=nik, **values)


def counted(**filters) -> int:
    return DailyCount.objects.filter(**filters).aggregate(total=Sum("count"))["total"] or 0


def test_a_success_is_stored_hashed_with_its_facts_and_counted(operator, session):
    activation = record(operator, session).activation
    assert (activation.nik_last4, activation.sex, activation.birth_year, activation.district_code) == ("0001", "L", 1990, "33.24.08")
    assert len(activation.nik_hash) == 64 and ADULT not in activation.nik_hash and activation.nik_key_id == "dev"
    assert activation.happened_on == session.date == MONDAY
    assert counted(village=session.venue.village, service="ikd", outcome="success", day=MONDAY) == 1


def test_a_second_success_for_the_same_person_and_service_is_refused_anywhere(operator, staff, session, plan, school, outsider, blitar):
    record(operator, session)
    other = plan(venue=school, date=MONDAY + datetime.timedelta(days=1))
    with pytest.raises(ValidationError) as error:
        record(staff, other)
    assert "NIK ini sudah tercatat berhasil Aktivasi IKD pada Balai Desa Sumberejo" in error.value.messages[0]
    # A failure for the same person is fine, and so is another person's KIA.
    record(operator, other, outcome=Outcome.FAILED, failure_reason="no_phone")
    record(operator, session, service="kia", nik="3324080106150003")
    assert Activation.objects.filter(outcome="success", service="ikd").count() == 1


def test_an_outsider_office_is_told_without_naming_the_session(operator, session, blitar):
    from outreach.models import Team, Venue, VenueType
    from outreach.services import session_create

    record(operator, session)
    blitar_staff = make_user("dina", "staff", [blitar])
    venue = Venue.objects.create(name="Kelurahan Sananwetan", type=VenueType.KANTOR_DESA, village=make_region("35.72.03.1004"))
    team = Team.objects.create(office=blitar, name="Tim Blitar", leader=blitar_staff)
    elsewhere = session_create(actor=blitar_staff, venue=venue, date=MONDAY, team=team,
                               start_time=datetime.time(8), end_time=datetime.time(10))
    with pytest.raises(ValidationError) as error:
        record(blitar_staff, elsewhere)
    assert error.value.messages == ["NIK ini sudah tercatat berhasil Aktivasi IKD di tempat lain."]


@pytest.mark.parametrize("keys", [1, 2], ids=["one key", "two keys during a rotation"])
def test_the_same_form_twice_records_once_and_other_content_is_refused(operator, session, settings, keys):
    settings.NIK_HMAC_KEYS = [(f"k{n}", f"rahasia-{n}-" + "x" * 32) for n in range(keys)]
    key = uuid.uuid4()
    first = record(operator, session, idempotency_key=key)
    again = record(operator, session, idempotency_key=key)
    assert again.replay and again.activation == first.activation
    with pytest.raises(ValidationError, match="Formulir ini sudah dipakai untuk data lain"):
        record(operator, session, idempotency_key=key, nik=ADULT_WOMAN)
    assert Activation.objects.count() == 1
    assert counted() == 1


def test_a_bad_nik_or_missing_reason_saves_nothing(operator, session):
    with pytest.raises(ValidationError, match="NIK harus 16 angka"):
        record(operator, session, nik="12345")
    with pytest.raises(ValidationError, match="Pilih alasan gagal"):
        record(operator, session, outcome=Outcome.FAILED)
    with pytest.raises(ValidationError, match="keterangan"):
        record(operator, session, outcome=Outcome.FAILED, failure_reason="other")
    with pytest.raises(ValidationError, match="Kode kecamatan 33.24.99"):
        record(operator, session, nik="3324990101900001")
    assert not Activation.objects.exists() and not DailyCount.objects.exists()
    assert record(operator, session, nik="3324990101900001", confirm_district=True).activation.district_code == "33.24.99"


CHILD = "3324080106150003"  # born 1 June 2015


def test_each_service_fails_only_for_its_own_reasons(operator, session):
    """IKD fails on the phone and the app; a KIA or an e-KTP recording on SIAK's data or another
    reason written down. The service refuses the rest, and so does the database."""
    assert FailureReason.for_service("ikd") == list(FailureReason)
    assert FailureReason.for_service("kia") == FailureReason.for_service("ektp") == [FailureReason.MISMATCH,
                                                                                     FailureReason.OTHER]
    words = "Alasan 'Tidak punya HP' tidak berlaku untuk Penerbitan KIA. Pilih 'Data tidak cocok di SIAK' atau 'Lainnya'."
    with pytest.raises(ValidationError) as refused:
        record(operator, session, nik=CHILD, service="kia", outcome=Outcome.FAILED, failure_reason="no_phone")
    assert refused.value.message_dict == {"outcome": [words]}
    with pytest.raises(ValidationError, match="tidak berlaku untuk Penerbitan KIA"):
        tally_record(actor=operator, session=session, counts={("kia", "failed", "old_phone"): 3},
                     idempotency_key=uuid.uuid4())
    with pytest.raises(ValidationError, match="Alasan 'lupa' tidak berlaku untuk Aktivasi IKD"):
        tally_record(actor=operator, session=session, counts={("ikd", "failed", "lupa"): 1}, idempotency_key=uuid.uuid4())
    assert not Activation.objects.exists() and not DailyCount.objects.exists()

    stored = record(operator, session, nik=CHILD, service="kia", outcome=Outcome.FAILED, failure_reason="mismatch")
    with pytest.raises(IntegrityError), transaction.atomic():
        Activation.objects.filter(pk=stored.activation.pk).update(failure_reason="no_phone")
    submission, _replay = tally_record(actor=operator, session=session, idempotency_key=uuid.uuid4(),
                                       counts={("kia", "failed", "other"): 2, ("ikd", "failed", "no_phone"): 4})
    with pytest.raises(IntegrityError), transaction.atomic():
        submission.lines.filter(service="kia").update(failure_reason="face")
    assert counted(service="kia", outcome="failed") == 3 and counted(service="ikd", failure_reason="no_phone") == 4


def test_only_operators_and_staff_of_the_region_record(manager, outsider, session):
    for user in (manager, outsider):
        with pytest.raises(PermissionDenied):
            record(user, session)


def test_a_cancelled_session_takes_no_results(operator, staff, session):
    from outreach.services import session_cancel

    session_cancel(actor=staff, session=session, reason="Hujan")
    with pytest.raises(ValidationError, match="sudah dibatalkan"):
        record(operator, session)


def test_tallies_count_once_per_form(operator, session):
    key = uuid.uuid4()
    counts = {("ikd", "success", ""): 40, ("ikd", "failed", "no_phone"): 7, ("kia", "success", ""): 12}
    tally_record(actor=operator, session=session, counts=counts, idempotency_key=key)
    _submission, replay = tally_record(actor=operator, session=session, counts=counts, idempotency_key=key)
    assert replay
    with pytest.raises(ValidationError, match="sudah dipakai"):
        tally_record(actor=operator, session=session, counts={("ikd", "success", ""): 41}, idempotency_key=key)
    record(operator, session)
    assert session_counts(session) == {"ikd": {"success": 41, "failed": 7}, "ektp": {"success": 0, "failed": 0},
                                       "kia": {"success": 12, "failed": 0}}
    assert counted(service="ikd", outcome="success") == 41


def test_the_daily_counts_equal_a_recount_from_scratch(operator, staff, session, plan, school):
    other = plan(venue=school, date=MONDAY + datetime.timedelta(days=2))
    record(operator, session)
    record(operator, session, nik=ADULT_WOMAN)
    record(operator, session, nik="3324080202800003", outcome=Outcome.FAILED, failure_reason="face")
    record(staff, other, nik="3324080303700004")
    tally_record(actor=operator, session=other, counts={("ikd", "success", ""): 5}, idempotency_key=uuid.uuid4())

    def snapshot():
        rows = DailyCount.objects.values_list("village_id", "service", "outcome", "failure_reason", "day").annotate(total=Sum("count"))
        return {row[:5]: row[5] for row in rows}

    running = snapshot()
    call_command("rebuild_daily_counts", stdout=open("/dev/null", "w"))
    assert snapshot() == running
    assert sum(running.values()) == 9
    assert daily_counts_rebuild() == len(running)


def count_rows() -> set:
    return {(model.__name__, *row) for model, place in ((DailyCount, "village_id"), (RegionCount, "region_id"))
            for row in model.objects.values_list(place, "service", "outcome", "failure_reason", "day")
            .annotate(total=Sum("count"))}


def migrate(target: str) -> None:
    executor = MigrationExecutor(connection)
    executor.migrate([("outreach", target)])


@pytest.mark.django_db(transaction=True)
def test_the_migration_moves_results_stored_with_ikds_reasons_to_other_keeping_the_words(operator, session):
    """Before 0014 the form offered IKD's reasons for every service: such a KIA or e-KTP result
    becomes "Lainnya" with the reason's words as its note, and its counts and tally lines merge."""
    kia = {"nik": CHILD, "service": "kia", "outcome": Outcome.FAILED, "failure_reason": "mismatch"}
    plain = record(operator, session, **kia).activation
    noted = record(operator, session, **{**kia, "nik": CHILD[:-1] + "4", "failure_note": "kartu rusak"}).activation
    ikd = record(operator, session, outcome=Outcome.FAILED, failure_reason="no_phone").activation
    submission, _replay = tally_record(actor=operator, session=session, idempotency_key=uuid.uuid4(),
                                       counts={("kia", "failed", "other"): 2, ("kia", "failed", "mismatch"): 1})
    try:
        migrate("0013_session_is_field_visit")
        Activation.objects.filter(pk=plain.pk).update(failure_reason="no_phone")
        Activation.objects.filter(pk=noted.pk).update(failure_reason="face")
        submission.lines.filter(failure_reason="mismatch").update(failure_reason="old_phone")
        daily_counts_rebuild()
        assert counted(service="kia", failure_reason="no_phone") == 1
    finally:
        migrate("0014_failure_reason_fits_service")

    notes = dict(Activation.objects.values_list("pk", "failure_note"))
    assert notes == {plain.pk: "Tidak punya HP", noted.pk: "Verifikasi wajah gagal; kartu rusak", ikd.pk: ""}
    assert set(Activation.objects.values_list("service", "failure_reason")) == {("kia", "other"), ("ikd", "no_phone")}
    assert dict(submission.lines.values_list("failure_reason", "count")) == {"other": 3}
    assert counted(service="kia", outcome="failed") == 5 == counted(service="kia", failure_reason="other")
    assert counted(service="ikd", failure_reason="no_phone") == 1
    migrated = count_rows()
    daily_counts_rebuild()
    assert count_rows() == migrated
