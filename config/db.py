"""Prepared statements for the operator's save, the hottest write path (issue 8, BENCHMARKS.md).

Django's psycopg connection pastes the parameters into the SQL on the client and prepares
nothing, so PostgreSQL parses and plans every statement of every request. For the few
statements of a save (the session look-up with its venue and village, the activation, the
counts, the audit event) planning costs more than running them. Inside `prepared_statements()`
the connection binds parameters on the server (Django's own server-side binding cursor) and
prepares each statement the first time it runs; the next save on the same persistent connection
reuses it, and after five runs PostgreSQL keeps a generic plan and stops planning.

Only there: everywhere else the defaults stay. Server-side binding for every request made the
other requests dearer (the minimal signed-in POST 7% slower), and statements prepared everywhere
gave the country-wide dashboard generic, slower plans (ninth session).

One side effect: Django cannot show the SQL of a statement run as prepared in its debug log or
in a test's captured queries (`None` there); their count is unchanged.

`DATABASE_PREPARED_SAVES=0` turns it off, for a connection pooler that cannot keep prepared
statements (PgBouncer in transaction mode before 1.21). SQLite has nothing to prepare.
"""

from __future__ import annotations

import contextlib
import functools

from django.conf import settings
from django.db import connection


@contextlib.contextmanager
def prepared_statements():
    if not settings.DATABASE_PREPARED_SAVES or connection.vendor != "postgresql":
        yield
        return
    from django.db.backends.postgresql.base import ServerBindingCursor

    connection.ensure_connection()
    raw = connection.connection
    defaults = raw.cursor_factory, raw.prepare_threshold
    raw.cursor_factory, raw.prepare_threshold = ServerBindingCursor, 0
    try:
        yield
    finally:
        raw.cursor_factory, raw.prepare_threshold = defaults


def prepared_on_post(view):
    """A view whose POST runs inside `prepared_statements()`; other methods as usual."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method != "POST":
            return view(request, *args, **kwargs)
        with prepared_statements():
            return view(request, *args, **kwargs)

    return wrapper
