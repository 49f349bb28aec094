"""What outreach tells the outside world: WhatsApp announcements and iCalendar feeds."""

import datetime
from zoneinfo import ZoneInfo

from django.http import HttpResponse
from django.utils import formats, translation
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from outreach.models import Session, Status


def what_to_bring(session: Session) -> list[str]:
    items = []
    if session.offers_ikd:
        items.append(_("e-KTP, HP Android/iOS dengan email aktif dan pulsa data (untuk IKD)"))
    if session.offers_ektp:
        items.append(_("KK (untuk perekaman KTP-el)"))
    if session.offers_kia:
        items.append(_("akta kelahiran anak, KK dan pas foto untuk anak 5 tahun ke atas (untuk KIA)"))
    return items


def place_line(session: Session) -> str:
    parts = [session.venue.name, session.venue.address, *session.venue.village.area_names()]
    return ", ".join(part for part in parts if part)


def announcement(session: Session) -> str:
    """The ready-to-share Indonesian announcement of a session (place, date, time, what to bring)."""
    with translation.override("id"):
        zone = session.venue.village.zone_label
        services = ", ".join(str(service.label) for service in session.services)
        lines = [
            _("Jemput bola Dukcapil: %(services)s") % {"services": services},
            _("Tempat: %(place)s") % {"place": place_line(session)},
            _("Waktu: %(date)s, %(start)s–%(end)s %(zone)s")
            % {
                "date": formats.date_format(session.date),
                "start": formats.time_format(session.start_time),
                "end": formats.time_format(session.end_time),
                "zone": zone,
            },
        ]
        bring = what_to_bring(session)
        if bring:
            lines.append(_("Bawa: %(items)s.") % {"items": "; ".join(bring)})
        if session.venue.map_url:
            lines.append(_("Peta: %(url)s") % {"url": session.venue.map_url})
        return "\n".join(lines)


def ics_response(sessions, *, name: str, filename: str) -> HttpResponse:
    calendar = Calendar()
    calendar.add("prodid", "-//Jemput Bola//Dukcapil//ID")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", name)
    for session in sessions:
        zone = ZoneInfo(session.venue.village.time_zone)
        event = Event()
        event.add("uid", f"session-{session.pk}@jemput-bola")
        event.add("summary", ", ".join(str(service.label) for service in session.services) + f" — {session.venue.name}")
        event.add("dtstart", datetime.datetime.combine(session.date, session.start_time, tzinfo=zone))
        event.add("dtend", datetime.datetime.combine(session.date, session.end_time, tzinfo=zone))
        event.add("location", place_line(session))
        event.add("description", announcement(session))
        event.add("status", "CANCELLED" if session.status in (Status.CANCELLED, Status.POSTPONED) else "CONFIRMED")
        calendar.add_component(event)
    calendar.add_missing_timezones()
    response = HttpResponse(calendar.to_ical(), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response
