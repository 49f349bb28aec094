"""Rotating the NIK key, the key report, and the access report for a breach notice."""

import csv
import datetime
import io
import uuid

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from outreach.models import Activation, Outcome
from outreach.services import activation_record
from regions.models import AuditEvent

ADULT = "3324080101900001"
OTHER = "3324084101900002"
OLD_SECRET = "rahasia-kunci-lama-2025"
NEW_SECRET = "rahasia-kunci-baru-2026"


def record(actor, session, nik, **fields):
    values = {"service": "ikd", "outcome": Outcome.SUCCESS, "idempotency_key": uuid.uuid4()}
    values.update(fields)
    return activation_record(actor=actor, session=session, nik=nik, **values).activation


def test_after_rotation_a_duplicate_under_the_old_key_is_refused_and_new_rows_use_the_new_key(settings, operator, plan):
    settings.NIK_HMAC_KEYS = [("k2025", OLD_SECRET)]
    session = plan()
    old = record(operator, session, ADULT)
    assert old.nik_key_id == "k2025"
    settings.NIK_HMAC_KEYS = [("k2025", OLD_SECRET), ("k2026", NEW_SECRET)]  # rotation: append a pair
    later = plan(date=session.date + datetime.timedelta(days=1))
    with pytest.raises(ValidationError) as error:
        record(operator, later, ADULT)
    assert "sudah tercatat berhasil" in error.value.messages[0]
    new = record(operator, later, OTHER)
    failed = record(operator, later, ADULT, outcome=Outcome.FAILED, failure_reason="no_phone")
    assert (new.nik_key_id, failed.nik_key_id) == ("k2026", "k2026")
    assert Activation.objects.filter(outcome="success", service="ikd").count() == 2

    out = io.StringIO()
    call_command("nik_keys", stdout=out)
    text = out.getvalue()
    lines = {line.split()[0]: line for line in text.splitlines()[1:]}
    assert lines["k2025"].split()[1] == "1" and lines["k2026"].split()[1] == "2"
    assert "terbaru" in lines["k2026"] and "aktif" in lines["k2025"]
    assert OLD_SECRET not in text and NEW_SECRET not in text
    # Once the old key's rows are purged, the report says it may be retired.
    call_command("purge_personal_data", "--before", "2100-01-01", stdout=io.StringIO())
    out = io.StringIO()
    call_command("nik_keys", stdout=out)
    assert "boleh dilepas" in out.getvalue()


def test_a_key_missing_from_the_setting_is_flagged(settings, operator, plan):
    settings.NIK_HMAC_KEYS = [("lama", OLD_SECRET)]
    record(operator, plan(), ADULT)
    settings.NIK_HMAC_KEYS = [("baru", NEW_SECRET)]
    out = io.StringIO()
    call_command("nik_keys", stdout=out)
    assert "TIDAK ADA di NIK_HMAC_KEYS" in out.getvalue()


def report(*args) -> str:
    out = io.StringIO()
    call_command("access_report", *args, stdout=out)
    return out.getvalue()


def test_the_access_report_lists_what_the_user_reached_in_the_period(client_for, staff, manager, plan, kendal):
    session = plan()
    client = client_for(staff)
    client.get(reverse("outreach:results", kwargs={"pk": session.pk}))
    client.get(reverse("outreach:dashboard", kwargs={"code": "33.24"}), {"unduh": "xlsx", "tabel": "belum-lapor"})
    client_for(manager).get(reverse("outreach:dashboard", kwargs={"code": "33.24"}), {"unduh": "csv", "tabel": "belum-lapor"})
    today = timezone.localdate()
    text = report("--user", "alice", "--from", (today - datetime.timedelta(days=1)).isoformat(), "--to", today.isoformat(),
                  "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(text)))
    actions = [row["action"] for row in rows]
    assert "view_personal" in actions and "export" in actions and "login" in actions and "create" in actions
    seen = next(row for row in rows if row["action"] == "view_personal")
    assert (seen["object_type"], seen["object_id"], seen["region_code"]) == ("outreach.session", str(session.pk), "33.24.08.2003")
    export = next(row for row in rows if row["action"] == "export")
    assert export["region_code"] == "33.24" and '"xlsx"' in export["detail"]
    assert all(row["at_utc"].endswith("Z") for row in rows)
    assert '"csv"' not in text  # bob's download is not alice's

    table = report("--user", "alice", "--from", today.isoformat(), "--to", today.isoformat())
    assert "33.24.08.2003" in table and f"kegiatan: {session.pk}" in table
    # Another period holds nothing of hers.
    assert "0 kejadian" in report("--user", "alice", "--from", "2020-01-01", "--to", "2020-01-31")
    # Producing the report is itself logged.
    assert AuditEvent.objects.filter(action="export", object_type="regions.auditevent", source="command").count() == 3


def test_the_access_report_refuses_bad_dates(db):
    from django.core.management import CommandError

    with pytest.raises(CommandError):
        report("--user", "alice", "--from", "2025-13-01", "--to", "2025-12-31")
    with pytest.raises(CommandError):
        report("--user", "alice", "--from", "2025-12-31", "--to", "2025-12-01")
