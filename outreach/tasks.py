"""Daily 'belum lapor' e-mails to team leaders (thin and idempotent: claimed per leader and day)."""

import datetime

from celery import shared_task
from django.utils import timezone

from outreach import services


@shared_task
def send_overdue_notices(today: str | None = None) -> int:
    day = datetime.date.fromisoformat(today) if today else timezone.localdate()
    return services.overdue_notices_send(today=day)
