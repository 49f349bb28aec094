"""Writing many rows at once: COPY on PostgreSQL, executemany in batches elsewhere.

For imports and generated data where building one model instance per row would cost more
than the insert itself. Nothing here sends model signals, as with `bulk_create`.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable

from django.db import connection

BATCH = 20_000


def insert_rows(table: str, columns: list[str], rows: Iterable[tuple]) -> int:
    """Insert `rows` (tuples in the order of `columns`) into `table`; the number written."""
    count = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
                    count += 1
            return count
        rows = (tuple(_plain(value) for value in row) for row in rows)
        sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(columns))})"
        batch = []
        for row in rows:
            batch.append(row)
            if len(batch) >= BATCH:
                cursor.executemany(sql, batch)
                count += len(batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)
            count += len(batch)
    return count


def _plain(value):
    """Values as Django stores them on SQLite (the raw cursor does not adapt them)."""
    if isinstance(value, uuid.UUID):
        return value.hex
    if isinstance(value, datetime.datetime):
        return connection.ops.adapt_datetimefield_value(value)
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    return value
