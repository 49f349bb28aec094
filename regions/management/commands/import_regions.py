from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from regions.imports import ImportRejected
from regions.management.commands._imports import read_rows, refused
from regions.models import Level
from regions.services import region_import


class Command(BaseCommand):
    help = "Impor daftar kode wilayah Kemendagri (CSV: code,name,level,parent_code,kind)."

    def add_arguments(self, parser):
        parser.add_argument("path")

    def handle(self, *args, path: str, **options):
        try:
            result = region_import(rows=read_rows(path))
        except ImportRejected as rejected:
            raise refused(rejected.errors) from None

        for level in (Level.PROVINCE, Level.REGENCY, Level.DISTRICT, Level.VILLAGE):
            self.stdout.write(
                _("%(level)s: %(count)d di berkas, %(created)d baru, %(updated)d diubah, %(retired)d tidak berlaku lagi")
                % {
                    "level": level.label,
                    "count": result.in_file[level],
                    "created": result.created[level],
                    "updated": result.updated[level],
                    "retired": result.retired[level],
                }
            )
        if result.changed:
            self.stdout.write(self.style.SUCCESS(_("Selesai.")))
        else:
            self.stdout.write(self.style.SUCCESS(_("Tidak ada perubahan: data wilayah sudah sesuai dengan berkas.")))
