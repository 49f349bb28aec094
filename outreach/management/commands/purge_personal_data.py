"""Retention purge of personal data (DESIGN.md "Privacy"): `purge_personal_data [--before YYYY-MM-DD] [--dry-run]`.

Design: the per-person fields of each old activation are BLANKED, the row is kept. NIK hash,
key id, last four digits, sex, birth year, issuing kecamatan and the free-text failure note
become NULL/empty and `purged_at` is set, in the activation table and in its history copies
(HistoricalActivation); the content digest and idempotency key, both derived from the NIK
hash, are emptied/replaced. Nothing is deleted, so every count stays exactly as it was: the
daily counts (DailyCount) and their roll-ups (RegionCount), the close-out successes, the
session counts, the dashboards, and `rebuild_daily_counts`, which still finds every row (a
row without its person is still one result on a day in a village). The once-per-person unique
constraint keeps working for the living rows (NULL hashes never collide); a check constraint
makes a row either a whole person or a purged one.

Without --before the cutoff follows PERSONAL_DATA_RETENTION_YEARS (default 2): rows are kept
until two years after the end of the year they happened in, so a 2023 activation is purged
from 1 January 2026. The Celery task `outreach.tasks.purge_personal_data` runs the same daily
at 02:00. Running it twice purges nothing the second time.
"""

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from outreach.retention import purge_personal_data, retention_cutoff


class Command(BaseCommand):
    help = _(
        "Hapus data pribadi (hash NIK, 4 angka terakhir, jenis kelamin, tahun lahir, kecamatan) dari hasil layanan "
        "yang lewat masa retensi. Semua jumlah tetap sama."
    )

    def add_arguments(self, parser):
        parser.add_argument("--before", help=_("hapus data hasil sebelum tanggal ini (YYYY-MM-DD); bawaan: batas retensi"))
        parser.add_argument("--dry-run", action="store_true", help=_("hanya hitung, tidak mengubah apa pun"))

    def handle(self, *args, before=None, dry_run=False, **options):
        if before:
            try:
                cutoff = datetime.date.fromisoformat(before)
            except ValueError:
                raise CommandError(_("Tanggal tidak valid: %s (pakai YYYY-MM-DD).") % before) from None
        else:
            cutoff = retention_cutoff(timezone.localdate())
        result = purge_personal_data(before=cutoff, dry_run=dry_run)
        words = _("Akan dihapus") if dry_run else _("Dihapus")
        self.stdout.write(
            _("%(words)s: data pribadi %(rows)d hasil layanan dan %(history)d salinan riwayat sebelum %(before)s.")
            % {"words": words, "rows": result.activations, "history": result.history, "before": cutoff.isoformat()}
        )
