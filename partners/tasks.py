"""Daily PKS reminders: one task fans out one task per office (thin, idempotent, ids and ISO dates)."""

import datetime

from celery import shared_task
from django.utils import timezone

from partners import services
from regions.models import Region


@shared_task
def send_agreement_reminders() -> None:
    today = timezone.localdate().isoformat()
    for office_id in services.offices_with_agreements():
        send_office_reminders.delay(office_id, today)


@shared_task(autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=5)
def send_office_reminders(office_id: int, today: str) -> int:
    office = Region.objects.get(pk=office_id)
    return services.reminders_send(office=office, today=datetime.date.fromisoformat(today))
