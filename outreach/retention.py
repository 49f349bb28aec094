"""Retention of personal data (DESIGN.md "Privacy", UU 27/2022 PDP) and NIK key bookkeeping.

The purge BLANKS the per-person fields of old activations and keeps the rows; it never
deletes a row. Why: every count in the application is either kept up to date from the rows
(DailyCount, RegionCount, CloseOut.successes, session_counts) or recomputed from them
(`rebuild_daily_counts`, `counts.rebuild()`). A row without its person is still one result
of a service, with an outcome, a failure reason, a village and a day, so every count (and so
every progress figure) is the same before and after, and a rebuild after a purge gives the
same numbers too. Deleting rows would instead need every recount to learn about purged days.

A purged row (and each of its history copies, HistoricalActivation) has NULL `nik_hash` and
`birth_year`, empty `nik_key_id`, `nik_last4`, `sex`, `district_code` and `failure_note`,
and `purged_at` set; a check constraint allows only that or a complete person. Its
`content_digest` is emptied and its `idempotency_key` replaced by a random one, because both
were derived from the NIK hash (an imported row's key is a uuid5 of it). The once-per-person
unique constraint still holds for the living rows: NULL hashes never collide. A person whose
success was purged can be recorded again; that is the price of not keeping who they were.

The result import keeps files for a short while (an upload until it is confirmed, the rejected
lines until downloaded); `sweep_import_files`, run with the nightly purge, deletes any older
than a day.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Count, Func, Max, Min, UUIDField
from django.utils import timezone

from outreach.models import Activation

BATCH = 5_000
# The result import's files in private storage (outreach.import_views): an upload waiting for
# its confirmation (whole NIKs) and the rejected lines (NIK masked), each under a random name.
UPLOADS_DIR = "import-uploads"
REJECTS_DIR = "import-rejects"
KEPT_FOR = datetime.timedelta(days=1)  # then `sweep_import_files` deletes a file left behind


def retention_cutoff(today: datetime.date, years: int | None = None) -> datetime.date:
    """Rows that happened before this date are past retention: kept until `years` after the end
    of their (target) year, so on 2026-11-23 with 2 years every row of 2023 or earlier goes."""
    years = settings.PERSONAL_DATA_RETENTION_YEARS if years is None else years
    return datetime.date(today.year - years, 1, 1)


class RandomUUID(Func):
    """A fresh random UUID per row, in the database."""

    output_field = UUIDField()

    def as_sql(self, compiler, connection, **extra):
        if connection.vendor == "postgresql":
            return "gen_random_uuid()", []
        # SQLite keeps a UUIDField as 32 lowercase hex digits.
        return "lower(hex(randomblob(16)))", []


BLANK = {"nik_hash": None, "nik_key_id": "", "nik_last4": "", "sex": "", "birth_year": None, "district_code": "",
         "failure_note": "", "content_digest": ""}


@dataclass
class Purged:
    before: datetime.date
    activations: int
    history: int
    dry_run: bool


def _blank(queryset, pk_name: str, extra: dict) -> int:
    done = 0
    while True:
        with transaction.atomic():
            pks = list(queryset.order_by(pk_name).values_list(pk_name, flat=True)[:BATCH])
            if not pks:
                return done
            done += queryset.model.objects.filter(**{f"{pk_name}__in": pks}).update(
                **BLANK, **extra, idempotency_key=RandomUUID(), purged_at=timezone.now())


def purge_personal_data(*, before: datetime.date, dry_run: bool = False) -> Purged:
    """Blank the per-person fields of every activation (and history copy) that happened before `before`.

    Idempotent: rows already purged are left alone. Counts are untouched (nothing is deleted).
    One audit event per run, none per row (a queryset update sends no signals).
    """
    from regions import audit
    from regions.models import AuditAction

    history_model = Activation.history.model
    rows = Activation.objects.filter(happened_on__lt=before, purged_at__isnull=True)
    history = history_model.objects.filter(happened_on__lt=before, purged_at__isnull=True)
    if dry_run:
        return Purged(before, rows.count(), history.count(), True)
    activations = _blank(rows, "pk", {})
    # A correction's reason is free text a person may have been named in.
    copies = _blank(history, "history_id", {"history_change_reason": None})
    audit.record(AuditAction.PURGE, object_type="outreach.activation",
                 detail={"before": before.isoformat(), "activations": activations, "history": copies})
    return Purged(before, activations, copies, False)


def rows_per_key() -> list[dict]:
    """Activation rows per NIK key id (purged rows hold none), with the dates they span: a key can
    be retired once no row uses it, i.e. once the purge has passed its last date."""
    configured = [key_id for key_id, _secret in settings.NIK_HMAC_KEYS]
    found = {
        row["nik_key_id"]: row
        for row in Activation.objects.filter(purged_at__isnull=True).values("nik_key_id")
        .annotate(rows=Count("id"), first=Min("happened_on"), last=Max("happened_on")).order_by()
    }
    report = []
    for key_id in [*configured, *sorted(set(found) - set(configured))]:
        row = found.get(key_id, {"rows": 0, "first": None, "last": None})
        report.append({"key_id": key_id, "configured": key_id in configured, "newest": bool(configured) and key_id == configured[-1],
                       "rows": row["rows"], "first": row["first"], "last": row["last"]})
    return report


def sweep_import_files(now: datetime.datetime | None = None) -> int:
    """Delete uploads nobody confirmed or cancelled, and rejects files, older than `KEPT_FOR`."""
    cutoff = (now or timezone.now()) - KEPT_FOR
    deleted = 0
    for folder in (UPLOADS_DIR, REJECTS_DIR):
        if not default_storage.exists(folder):
            continue
        for name in default_storage.listdir(folder)[1]:
            path = f"{folder}/{name}"
            if default_storage.get_modified_time(path) < cutoff:
                default_storage.delete(path)
                deleted += 1
    return deleted
