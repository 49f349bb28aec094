"""The audit log is append-only: in the application, and in PostgreSQL itself."""

import pytest
from django.db import DatabaseError, connection, transaction

from regions import audit
from regions.models import AuditEvent, AuditLogIsAppendOnly


@pytest.fixture
def event(db):
    return audit.record("export", object_type="outreach.report", object_id="x", region_code="33.24")


def test_an_event_cannot_be_saved_again_or_deleted(event):
    event.object_id = "changed"
    with pytest.raises(AuditLogIsAppendOnly):
        event.save()
    with pytest.raises(AuditLogIsAppendOnly):
        event.delete()
    copy = AuditEvent.objects.get(pk=event.pk)
    copy._state.adding = True  # even pretending to be new, an existing id is refused
    with pytest.raises(AuditLogIsAppendOnly):
        copy.save()
    assert AuditEvent.objects.get(pk=event.pk).object_id == "x"


def test_a_queryset_cannot_update_or_delete_events(event):
    with pytest.raises(AuditLogIsAppendOnly):
        AuditEvent.objects.filter(pk=event.pk).update(object_id="changed")
    with pytest.raises(AuditLogIsAppendOnly):
        AuditEvent.objects.all().delete()
    with pytest.raises(AuditLogIsAppendOnly):
        AuditEvent.objects.bulk_update([event], ["object_id"])
    assert AuditEvent.objects.filter(pk=event.pk, object_id="x").exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger exists only on PostgreSQL")
def test_postgresql_refuses_update_and_delete_of_an_event(event):
    table = AuditEvent._meta.db_table
    for sql in (f"UPDATE {table} SET object_id = 'changed' WHERE id = %s", f"DELETE FROM {table} WHERE id = %s"):
        with pytest.raises(DatabaseError, match="append-only"):
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(sql, [event.pk])
    assert AuditEvent.objects.filter(pk=event.pk, object_id="x").exists()
    with connection.cursor() as cursor:  # adding stays possible
        cursor.execute(f"SELECT COUNT(*) FROM {table}")
        assert cursor.fetchone()[0] >= 1
