"""CSV and XLSX downloads of any table, every cell safe from spreadsheet formulas."""

import csv
import io

from django.http import HttpResponse
from django.utils.functional import Promise

from regions import audit
from regions.models import AuditAction


def spreadsheet_safe(value) -> object:
    """A cell a spreadsheet will not run: text starting with = + - @ (or a tab/CR) gets a quote."""
    if isinstance(value, Promise):  # a lazy translation (a status label): openpyxl cannot write one
        value = str(value)
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def export_rows(rows: list[list], *, header: list[str], fmt: str) -> tuple[bytes, str]:
    """CSV or XLSX bytes and content type for a table, every cell spreadsheet-safe."""
    safe = [[spreadsheet_safe(cell) for cell in row] for row in rows]
    if fmt == "xlsx":
        from openpyxl import Workbook

        book = Workbook()
        sheet = book.active
        sheet.append(header)
        for row in safe:
            sheet.append(row)
        out = io.BytesIO()
        book.save(out)
        return out.getvalue(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(header)
    writer.writerows(safe)
    return text.getvalue().encode("utf-8-sig"), "text/csv; charset=utf-8"


def download(rows: list[list], *, header: list[str], fmt: str, filename: str, object_type: str,
             object_id: str = "", region_code: str = "") -> HttpResponse:
    """A table as a CSV or XLSX attachment, recorded in the audit log as an export."""
    content, content_type = export_rows(rows, header=header, fmt=fmt)
    audit.record(AuditAction.EXPORT, object_type=object_type, object_id=object_id, region_code=region_code,
                 detail={"format": fmt, "rows": len(rows)})
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response
