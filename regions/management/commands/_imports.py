"""What the import commands share: reading the file and reporting refused lines."""

from pathlib import Path

from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from regions import imports
from regions.imports import ImportRejected

SHOWN_ERRORS = 50


def refused(errors) -> CommandError:
    lines = "\n".join(str(error) for error in errors[:SHOWN_ERRORS])
    if len(errors) > SHOWN_ERRORS:
        lines += "\n" + _("… dan %d kesalahan lain") % (len(errors) - SHOWN_ERRORS)
    return CommandError(_("Tidak ada yang disimpan. Perbaiki baris berikut:") + "\n" + lines)


def read_rows(path: str) -> imports.Rows:
    try:
        content = Path(path).read_bytes()
    except FileNotFoundError:
        raise CommandError(_("Berkas tidak ditemukan: %s") % path) from None
    try:
        return imports.read_table(content=content, filename=path)
    except ImportRejected as rejected:
        raise refused(rejected.errors) from None


def run(check, apply, rows, **options) -> str:
    preview = check(rows=rows, **options)
    if not preview.ok:
        raise refused(preview.errors)
    counts = apply(preview=preview)
    return _("Selesai: %(created)d baru, %(updated)d diperbarui, %(unchanged)d tidak berubah.") % counts
