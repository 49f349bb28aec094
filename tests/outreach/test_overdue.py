import datetime
import smtplib
from unittest import mock

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from outreach import tasks
from outreach.models import OverdueNotice, Session, Status
from outreach.services import overdue_notices_send, session_cancel


def past(plan, days_ago: int, **fields) -> Session:
    session = plan(date=timezone.localdate() - datetime.timedelta(days=days_ago), **fields)
    return session


def test_team_leaders_get_their_overdue_sessions_once_a_day(staff, plan, celery_eager):
    staff.email = "alice@dukcapil.example"
    staff.save()
    late = past(plan, 3)
    closed = past(plan, 4)
    Session.objects.filter(pk=closed.pk).update(status=Status.DONE)
    cancelled = past(plan, 5)
    session_cancel(actor=staff, session=cancelled, reason="Hujan")
    past(plan, -2)  # upcoming: not overdue
    today = timezone.localdate().isoformat()
    tasks.send_overdue_notices.apply(args=(today,))
    tasks.send_overdue_notices.apply(args=(today,))
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["alice@dukcapil.example"]
    assert "1 kegiatan belum lapor" in mail.outbox[0].subject
    assert late.venue.name in mail.outbox[0].body
    assert overdue_notices_send(today=timezone.localdate() + datetime.timedelta(days=1)) == 1


def test_a_notice_the_mail_server_refused_is_not_claimed_and_goes_next_time(staff, plan):
    staff.email = "alice@dukcapil.example"
    staff.save()
    past(plan, 3)
    today = timezone.localdate()
    with mock.patch("outreach.services.send_mail", side_effect=smtplib.SMTPServerDisconnected("down")):
        with pytest.raises(smtplib.SMTPServerDisconnected):
            overdue_notices_send(today=today)
    assert not OverdueNotice.objects.exists()  # the claim went back with the failed e-mail
    assert overdue_notices_send(today=today) == 1 and len(mail.outbox) == 1
    assert overdue_notices_send(today=today) == 0 and OverdueNotice.objects.count() == 1


def test_the_dashboard_lists_sessions_without_a_close_out(client_for, manager, outsider, plan, kendal):
    late = past(plan, 2)
    page = client_for(manager).get(reverse("outreach:dashboard", kwargs={"code": "33.24"})).content.decode()
    assert "Belum lapor" in page and reverse("outreach:detail", kwargs={"pk": late.pk}) in page
    assert client_for(outsider).get(reverse("outreach:dashboard", kwargs={"code": "33.24"})).status_code == 404
