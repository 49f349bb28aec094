"""The retention purge: per-person fields gone (rows and their history), every count the same."""

import datetime
import io
import uuid

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.db.models import Sum

from outreach import tasks
from outreach.models import Activation, CloseOut, DailyCount, Outcome, RegionCount
from outreach.progress import progress_for
from outreach.retention import retention_cutoff
from outreach.services import activation_delete, activation_record, daily_counts_rebuild, session_close, session_counts, tally_record
from regions.models import AuditEvent, Population, Target

OLD_DAY = datetime.date(2023, 5, 8)  # a Monday
NEW_DAY = datetime.date(2025, 11, 24)
PEOPLE = ["3324080101900001", "3324084101900002", "3324080202850003", "3324084303800004", "3324080404750005"]
PERSONAL = ["nik_hash", "nik_key_id", "nik_last4", "sex", "birth_year", "district_code", "failure_note"]


def record(actor, session, nik, **fields):
    values = {"service": "ikd", "outcome": Outcome.SUCCESS, "idempotency_key": uuid.uuid4()}
    values.update(fields)
    return activation_record(actor=actor, session=session, nik=nik, **values).activation


@pytest.fixture
def world(staff, operator, plan, kendal, kaliwungu):
    for year in (2023, 2025):
        Population.objects.create(region=kendal, as_of=datetime.date(year, 1, 1), wajib_ktp=1_000, children=500)
        Population.objects.create(region=kaliwungu, as_of=datetime.date(year, 1, 1), wajib_ktp=100, children=50)
        Target.objects.create(region=None, year=year, indicator="ikd", percent=30, due=datetime.date(year, 12, 31))
    old = plan(date=OLD_DAY, offers_kia=True)
    new = plan(date=NEW_DAY)
    for nik in PEOPLE[:3]:
        record(operator, old, nik)
    record(operator, old, PEOPLE[3], outcome=Outcome.FAILED, failure_reason="other", failure_note=f"NIK {PEOPLE[3]} ditolak")
    mistaken = record(operator, old, PEOPLE[4])
    activation_delete(actor=staff, activation=mistaken, reason=f"salah orang, NIK {PEOPLE[4]}")
    tally_record(actor=operator, session=old, counts={("ikd", "success", ""): 4}, idempotency_key=uuid.uuid4())
    session_close(actor=operator, session=old, actual_participants=12)
    for nik in PEOPLE[3:5]:
        record(operator, new, nik)
    return {"old": old, "new": new, "regions": [kendal, kaliwungu]}


def snapshot(world) -> dict:
    daily = sorted(DailyCount.objects.values_list("village_id", "service", "outcome", "failure_reason", "day")
                   .annotate(total=Sum("count")).order_by())
    rolled = sorted(RegionCount.objects.values_list("region_id", "service", "outcome", "failure_reason", "day")
                    .annotate(total=Sum("count")).order_by())
    progress = [item.as_dict() for year, as_of in ((2023, datetime.date(2023, 12, 31)), (2025, datetime.date(2025, 12, 31)))
                for item in progress_for(world["regions"], indicator="ikd", year=year, as_of=as_of)]
    return {"daily": daily, "rolled": rolled, "progress": progress,
            "close_out": list(CloseOut.objects.values_list("session_id", "successes").order_by("session_id")),
            "sessions": [session_counts(world["old"]), session_counts(world["new"])],
            "rows": Activation.objects.count()}


def test_a_purge_keeps_every_count_and_leaves_no_personal_field(world):
    before = snapshot(world)
    assert before["progress"][0]["achieved"] == 7  # 3 people + 4 in the tally, in 2023
    out = io.StringIO()
    call_command("purge_personal_data", "--before", "2024-01-01", stdout=out)
    assert "data pribadi 4 hasil layanan" in out.getvalue()
    after = snapshot(world)
    assert after == before
    # A recount from the rows after the purge still finds every purged result.
    daily_counts_rebuild()
    assert snapshot(world) == before

    purged = Activation.objects.filter(happened_on__lt=datetime.date(2024, 1, 1))
    assert purged.count() == 4
    for row in purged.values(*PERSONAL, "purged_at", "content_digest"):
        assert row["nik_hash"] is None and row["birth_year"] is None and row["purged_at"] is not None
        assert all(row[name] == "" for name in ("nik_key_id", "nik_last4", "sex", "district_code", "failure_note", "content_digest"))
    copies = Activation.history.filter(happened_on__lt=datetime.date(2024, 1, 1))
    assert copies.count() == 1  # the deleted row's copy: a save keeps no "created" copy
    for row in copies.values(*PERSONAL, "history_change_reason"):
        assert row["nik_hash"] is None and row["birth_year"] is None and row["history_change_reason"] is None
        assert all(row[name] == "" for name in ("nik_key_id", "nik_last4", "sex", "district_code", "failure_note"))
    # The 2025 rows keep their person.
    assert set(Activation.objects.filter(happened_on=NEW_DAY).values_list("nik_last4", flat=True)) == {"0004", "0005"}
    # One audit event for the purge, none per row.
    assert list(AuditEvent.objects.filter(action="purge").values_list("detail", flat=True)) == [
        {"before": "2024-01-01", "activations": 4, "history": copies.count()}]
    assert not AuditEvent.objects.filter(action="update", object_type="outreach.activation").exists()


def test_once_per_person_still_holds_after_a_purge(world, operator, plan):
    call_command("purge_personal_data", "--before", "2024-01-01", stdout=io.StringIO())
    later = plan(date=NEW_DAY + datetime.timedelta(days=1))
    with pytest.raises(ValidationError):
        record(operator, later, PEOPLE[4])  # a living success elsewhere
    with pytest.raises(IntegrityError), transaction.atomic():
        row = Activation.objects.get(happened_on=NEW_DAY, nik_last4="0005")
        row.pk = None
        row.idempotency_key = uuid.uuid4()
        row.save()
    # Purged successes of the same service sit side by side (their hashes are NULL).
    assert Activation.objects.filter(purged_at__isnull=False, outcome="success", service="ikd").count() == 3


def test_a_row_is_a_whole_person_or_a_purged_one(world):
    row = Activation.objects.filter(happened_on=NEW_DAY).first()
    with pytest.raises(IntegrityError), transaction.atomic():
        Activation.objects.filter(pk=row.pk).update(nik_hash=None)


def test_a_dry_run_changes_nothing_and_a_second_run_purges_nothing(world):
    out = io.StringIO()
    call_command("purge_personal_data", "--before", "2024-01-01", "--dry-run", stdout=out)
    assert "Akan dihapus" in out.getvalue()
    assert not Activation.objects.filter(purged_at__isnull=False).exists()
    call_command("purge_personal_data", "--before", "2024-01-01", stdout=io.StringIO())
    out = io.StringIO()
    call_command("purge_personal_data", "--before", "2024-01-01", stdout=out)
    assert ": data pribadi 0 hasil layanan dan 0 salinan" in out.getvalue()


def test_the_retention_cutoff_and_the_daily_task(world, settings, celery_eager):
    assert settings.PERSONAL_DATA_RETENTION_YEARS == 2
    assert retention_cutoff(datetime.date(2025, 12, 31)) == datetime.date(2023, 1, 1)  # 2023 kept until its end + 2 years
    assert retention_cutoff(datetime.date(2026, 1, 1)) == datetime.date(2024, 1, 1)
    assert tasks.purge_personal_data.delay("2025-12-31").get() == 0
    assert tasks.purge_personal_data.delay("2026-01-01").get() == 4
    assert "outreach.tasks.purge_personal_data" in {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
