"""The first page after signing in: today's sessions for those who log results, reports for those who read them."""

import datetime

from django.urls import reverse
from django.utils import timezone

from outreach.models import Status
from outreach.services import session_cancel
from tests.outreach.conftest import NOON, TEN


def log_url(session) -> str:
    return reverse("outreach:log", kwargs={"pk": session.pk})


def test_the_operator_finds_todays_sessions_one_tap_from_the_log_page(client_for, operator, plan, school):
    today = timezone.localdate()
    later = plan(date=today, start_time=TEN, end_time=NOON)
    first = plan(date=today, venue=school)
    tomorrow = plan(date=today + datetime.timedelta(days=1))

    response = client_for(operator).get(reverse("home"))

    assert response.context["todays"] == [first, later]
    page = response.content.decode()
    assert log_url(first) in page and log_url(later) in page and log_url(tomorrow) not in page
    assert page.index("SMA Negeri 1 Kaliwungu") < page.index("Balai Desa Sumberejo")
    assert reverse("outreach:mine") in page
    assert response.context["overdue_total"] is None  # operators record results; reports are not theirs


def test_a_cancelled_session_is_left_out_and_a_closed_one_has_no_log_button(client_for, operator, staff, plan, school):
    today = timezone.localdate()
    cancelled = plan(date=today, venue=school)
    session_cancel(actor=staff, session=cancelled, reason="Hujan deras")
    closed = plan(date=today)
    closed.status = Status.DONE
    closed.save(update_fields=["status"])

    response = client_for(operator).get(reverse("home"))

    assert response.context["todays"] == [closed]
    assert log_url(closed) not in response.content.decode()


def test_an_outsider_does_not_see_another_regions_sessions_today(client_for, outsider, plan):
    plan(date=timezone.localdate())
    response = client_for(outsider).get(reverse("home"))
    assert response.context["todays"] == []
    assert "Tidak ada kegiatan hari ini di wilayah Anda." in response.content.decode()


def test_the_manager_finds_the_report_and_the_sessions_nobody_reported(client_for, manager, kendal, plan):
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    plan(date=yesterday)
    plan(date=yesterday, start_time=TEN, end_time=NOON)

    response = client_for(manager).get(reverse("home"))

    assert response.context["todays"] is None  # managers only read
    assert response.context["overdue_total"] == 2
    page = response.content.decode()
    assert "2 kegiatan sudah lewat tetapi belum dilaporkan." in page
    assert reverse("outreach:dashboard", kwargs={"code": kendal.code}) + "#belum-lapor" in page


def test_staff_get_both_and_their_shortcuts(client_for, staff, plan):
    plan(date=timezone.localdate())
    page = client_for(staff).get(reverse("home")).content.decode()
    for name in ("outreach:create", "outreach:activation_import", "regions:accounts_import"):
        assert reverse(name) in page, name


def test_the_home_page_takes_the_same_queries_for_one_session_or_many(client_for, staff, plan, venue, django_assert_max_num_queries):
    client = client_for(staff)
    today = timezone.localdate()
    plan(date=today)
    client.get(reverse("home"))  # the session and the user are loaded; what follows is the page itself
    with django_assert_max_num_queries(8) as one:
        client.get(reverse("home"))
    for hour in range(10, 20):
        plan(date=today, start_time=datetime.time(hour), end_time=datetime.time(hour, 30))
    with django_assert_max_num_queries(len(one.captured_queries)):
        response = client.get(reverse("home"))
    assert len(response.context["todays"]) == 11


def test_each_log_button_names_its_session_for_screen_readers(client_for, operator, plan, school):
    today = timezone.localdate()
    plan(date=today)
    plan(date=today, venue=school, start_time=TEN, end_time=NOON)
    for url in (reverse("home"), reverse("outreach:mine")):
        page = client_for(operator).get(url).content.decode()
        assert 'Catat hasil<span class="visually-hidden">: Balai Desa Sumberejo,' in page, url
        assert 'Catat hasil<span class="visually-hidden">: SMA Negeri 1 Kaliwungu,' in page, url
