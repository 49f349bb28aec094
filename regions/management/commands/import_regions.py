from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from regions.models import Level
from regions.services import ImportRejected, region_import


class Command(BaseCommand):
    help = "Impor daftar kode wilayah Kemendagri (CSV: code,name,level,parent_code,kind)."

    def add_arguments(self, parser):
        parser.add_argument("path")

    def handle(self, *args, path: str, **options):
        try:
            result = region_import(source=path)
        except FileNotFoundError:
            raise CommandError(_("Berkas tidak ditemukan: %s") % path) from None
        except ImportRejected as rejected:
            lines = "\n".join(str(error) for error in rejected.errors[:50])
            more = len(rejected.errors) - 50
            if more > 0:
                lines += "\n" + _("… dan %d kesalahan lain") % more
            raise CommandError(_("Tidak ada yang disimpan. Perbaiki baris berikut:") + "\n" + lines) from None

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
