"""A test-only e-mail backend: the file backend, made slow once, so a worker can be killed mid-send.

Named by EMAIL_BACKEND in the worker's environment (never by the application's settings). The
first message sent by any process creates SLOW_MAIL_MARKER and then waits SLOW_MAIL_SECONDS
before writing anything; every later message (the marker exists) is written at once.
"""

import os
import time

from django.core.mail.backends.filebased import EmailBackend as FileBackend


class EmailBackend(FileBackend):
    def send_messages(self, email_messages):
        marker = os.environ.get("SLOW_MAIL_MARKER", "")
        if marker and email_messages:
            try:
                with open(marker, "x") as handle:
                    handle.write(str(os.getpid()))
            except FileExistsError:
                pass
            else:
                time.sleep(float(os.environ.get("SLOW_MAIL_SECONDS", "30")))
        return super().send_messages(email_messages)
