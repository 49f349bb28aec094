"""Import a paper or spreadsheet list of activations: see outreach.activation_import.

Without --user the file is imported with no region limit and the first active superuser
(lowest id) is recorded as the author; with --user it is imported as that user (staff, with
that user's regions). The exit status is non-zero only when nothing could be read (a missing
or unreadable file, a missing column) or the arguments are wrong; rejected lines are
reported, not errors. --dry-run checks the whole file and stores nothing: its counts and
rejected lines are what the import would give.
"""

import shutil
import time
from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from outreach.activation_import import activations_import, write_rejects_header
from regions.imports import ImportRejected
from regions.models import User


class Command(BaseCommand):
    help = (
        "Impor hasil layanan per orang dari CSV (UTF-8) atau XLSX dengan kolom "
        "nik,service,outcome,failure_reason,date,married,village_code,session. Baris yang salah ditolak "
        "(ditulis ke berkas CSV dengan NIK tersamar); baris yang benar disimpan. Impor ulang tidak menggandakan."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="berkas .csv atau .xlsx")
        parser.add_argument("--session", type=int, help="nomor kegiatan untuk baris yang kolom session-nya kosong")
        parser.add_argument("--user", help="impor sebagai pengguna ini (staf; dibatasi wilayahnya)")
        parser.add_argument("--rejects", help="tulis baris yang ditolak ke berkas CSV ini")
        parser.add_argument("--dry-run", action="store_true", help="periksa saja: tidak ada yang disimpan")

    def handle(self, *args, path: str, session=None, user=None, rejects=None, dry_run=False, **options):
        actor = None
        if user:
            actor = User.objects.filter(username=user).first()
            if actor is None:
                raise CommandError(_("Pengguna %s tidak ada.") % user)
        if not Path(path).is_file():
            raise CommandError(_("Berkas tidak ditemukan: %s") % path)
        started = time.perf_counter()
        try:
            result = activations_import(actor=actor, path_or_file=path, filename=path, session=session, dry_run=dry_run)
        except ImportRejected as rejected:
            raise CommandError(
                _("Berkas tidak dapat diimpor:") + "\n" + "\n".join(str(error) for error in rejected.errors)
            ) from None
        except PermissionDenied:
            raise CommandError(_("Pengguna %s tidak boleh mengimpor hasil layanan (hanya staf).") % user) from None
        except OSError as problem:
            raise CommandError(_("Berkas tidak dapat dibaca: %s") % problem.strerror) from None

        seconds = time.perf_counter() - started
        self.stdout.write(result.summary())
        # The import's own time (reading, checks, storing), without this process's start-up.
        self.stdout.write(_("Selesai dalam %(seconds)s detik (%(rate)s baris per detik).") % {
            "seconds": number_format(seconds, decimal_pos=2),
            "rate": number_format(round(result.rows / max(seconds, 1e-6)), force_grouping=True),
        })
        if result.stopped:
            self.stderr.write(_("Pembacaan berhenti sebelum akhir berkas: %s") % result.stopped)
        where = result.rejects_path
        if rejects:
            if where:
                shutil.move(where, rejects)
            else:
                with open(rejects, "w", encoding="utf-8-sig", newline="") as handle:
                    write_rejects_header(handle)
            where = rejects
        if result.rejected or result.stopped:
            self.stdout.write(_("Baris yang ditolak: %s") % where)
        elif where:
            self.stdout.write(_("Tidak ada baris yang ditolak (berkas kosong: %s).") % where)
