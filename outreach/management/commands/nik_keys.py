"""`python manage.py nik_keys`: how many activation rows each NIK key id still holds.

Rotation: append a new "id:secret" pair to NIK_HMAC_KEYS (README "Configuration"); new rows
use it, every key is still tried for duplicates. An old key may be removed from the setting
once this report shows 0 rows for it (the retention purge blanks old rows' hashes). Only key
ids are printed, never a secret.
"""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from outreach.retention import rows_per_key


class Command(BaseCommand):
    help = _("Jumlah baris hasil layanan per kunci NIK (hanya id kunci, tidak pernah rahasianya).")

    def handle(self, *args, **options):
        self.stdout.write(f"{_('kunci'):<16} {_('baris'):>10}  {_('tanggal pertama'):<15} {_('tanggal terakhir'):<16} {_('status')}")
        for row in rows_per_key():
            if row["newest"]:
                status = _("terbaru (untuk baris baru)")
            elif row["configured"]:
                status = _("aktif, boleh dilepas") if row["rows"] == 0 else _("aktif (untuk cek ganda)")
            else:
                status = _("TIDAK ADA di NIK_HMAC_KEYS: cek ganda tidak menemukan baris ini")
            first = row["first"].isoformat() if row["first"] else "-"
            last = row["last"].isoformat() if row["last"] else "-"
            self.stdout.write(f"{row['key_id']:<16} {row['rows']:>10}  {first:<15} {last:<16} {status}")
