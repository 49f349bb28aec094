"""`python manage.py access_report --user USERNAME --from DATE --to DATE [--format csv|table]`.

For a breach notice (UU 27/2022 PDP: within 3×24 hours): everything the audit log holds of
that username from the start of --from to the end of --to (the project's time zone), oldest
first: per-person lists viewed, exports, changes, imports, sign-ins (failed ones too), with
the object, the region and the address. Times are UTC. Failed sign-ins under that username
are included even when they were someone else trying it.
"""

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from regions import audit
from regions.exports import export_rows


def _day(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise CommandError(_("Tanggal tidak valid: %s (pakai YYYY-MM-DD).") % text) from None


class Command(BaseCommand):
    help = _("Laporan akses seorang pengguna dari log audit (untuk pemberitahuan kebocoran data dalam 3×24 jam).")

    def add_arguments(self, parser):
        parser.add_argument("--user", required=True, help=_("nama pengguna"))
        parser.add_argument("--from", dest="start", required=True, help=_("tanggal mulai (YYYY-MM-DD)"))
        parser.add_argument("--to", dest="end", required=True, help=_("tanggal akhir, termasuk (YYYY-MM-DD)"))
        parser.add_argument("--format", choices=["csv", "table"], default="table")

    def handle(self, *args, user, start, end, format="table", **options):
        first, last = _day(start), _day(end)
        if last < first:
            raise CommandError(_("--to tidak boleh sebelum --from."))
        zone = timezone.get_current_timezone()
        since = datetime.datetime.combine(first, datetime.time(), tzinfo=zone)
        until = datetime.datetime.combine(last + datetime.timedelta(days=1), datetime.time(), tzinfo=zone)
        events = list(audit.access_report(username=user, start=since, end=until))
        rows = audit.report_rows(events)
        if format == "csv":
            content, _type = export_rows(rows, header=audit.REPORT_HEADER, fmt="csv")
            self.stdout.write(content.decode("utf-8-sig"), ending="")
        else:
            widths = [20, 14, 22, 12, 14, 16, 8]
            self.stdout.write("  ".join(name.ljust(width) for name, width in zip(audit.REPORT_HEADER, widths)) + "  detail")
            for row in rows:
                self.stdout.write("  ".join(str(cell).ljust(width) for cell, width in zip(row, widths)) + "  " + row[-1])
            regions = sorted({event.region_code for event in events if event.region_code})
            sessions = sorted({event.object_id for event in events if event.object_type == "outreach.session"}, key=str)
            self.stdout.write("")
            self.stdout.write(_("%(count)d kejadian; wilayah: %(regions)s; kegiatan: %(sessions)s") % {
                "count": len(events), "regions": ", ".join(regions) or "-", "sessions": ", ".join(sessions) or "-"})
        # The report itself reaches personal data: it is logged too.
        audit.record("export", object_type="regions.auditevent", detail={"what": "access_report", "user": user[:150],
                     "from": first.isoformat(), "to": last.isoformat(), "rows": len(rows)})
