"""Outreach tasks: thin and idempotent, so a retry or a second run changes nothing.

- "belum lapor" e-mails to team leaders, claimed per leader and day;
- the retention purge (daily 02:00): blanks the per-person fields of activations past
  PERSONAL_DATA_RETENTION_YEARS, keeps every count (outreach.retention); it also deletes
  the result import's files left behind for more than a day (outreach.retention);
- the weekly summaries: on Monday from 06:00 Asia/Jakarta, every hour, one task per office
  region not yet done; each builds the summary of the week just ended (stored per region and
  week) and e-mails it to the region's managers, each once.

The beat repeats each job through its window (settings.CELERY_BEAT_SCHEDULE): a fire lost
while Redis was down is made up by the next one, and the repeats send nothing twice.
"""

import datetime

from celery import shared_task
from django.utils import timezone

from outreach import reports, services
from regions.models import Region


@shared_task
def send_overdue_notices(today: str | None = None) -> int:
    day = datetime.date.fromisoformat(today) if today else timezone.localdate()
    return services.overdue_notices_send(today=day)


@shared_task
def weekly_summaries(week_start: str | None = None) -> int:
    """Queue one summary task per office region; returns how many were queued."""
    monday = datetime.date.fromisoformat(week_start) if week_start else reports.last_full_week(timezone.localdate())
    regions = list(reports.regions_to_summarize(monday).values_list("pk", flat=True))
    for region_id in regions:
        weekly_summary.delay(region_id, monday.isoformat())
    return len(regions)


@shared_task
def weekly_summary(region_id: int, week_start: str) -> int:
    """Build one region's summary for the week and e-mail it; returns the e-mails sent."""
    summary = reports.summary_build(Region.objects.get(pk=region_id), datetime.date.fromisoformat(week_start))
    return reports.summary_deliver(summary)


@shared_task
def purge_personal_data(today: str | None = None) -> int:
    """Blank the personal fields of activations past the retention period, and delete import files
    nobody came back for; returns the rows purged."""
    from outreach.retention import purge_personal_data as purge, retention_cutoff, sweep_import_files

    sweep_import_files()
    day = datetime.date.fromisoformat(today) if today else timezone.localdate()
    return purge(before=retention_cutoff(day)).activations
