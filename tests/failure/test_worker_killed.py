"""A Celery worker SIGKILLed in the middle of a weekly summary: another worker finishes it, once.

The first worker (prefork, one child, as in production) is killed, the main process and its
child, while the child sends the e-mail (inside the transaction that locks the delivery row):
the test e-mail backend (tests/failure/slow_mail.py) marks the moment and waits. Without late
acknowledgement the main process would have acknowledged the task when the child took it, and
the summary would be lost.
With CELERY_VISIBILITY_TIMEOUT=5 the unacknowledged task is handed to a new worker started
after that timeout (acks late, reject on worker lost), which e-mails the summary exactly once.
"""

import os
import signal
import time

from tests.failure.support import base_env, mail_subjects, manage, requires_services, sql, wait_for

pytestmark = requires_services

SEND = "from outreach.tasks import weekly_summaries; weekly_summaries.delay('2025-11-17')"


def test_a_summary_cut_short_by_a_killed_worker_is_emailed_exactly_once(database, redis_server, processes, tmp_path):
    mail, marker = tmp_path / "mail", tmp_path / "sending"
    env = base_env(
        DATABASE_URL=database, REDIS_URL=redis_server.url(0), EMAIL_FILE_PATH=str(mail),
        EMAIL_BACKEND="tests.failure.slow_mail.EmailBackend", SLOW_MAIL_MARKER=str(marker), SLOW_MAIL_SECONDS="60",
        CELERY_VISIBILITY_TIMEOUT="5",
    )
    queue = redis_server.client()
    first = processes.worker("worker-1", env, pool="prefork")
    manage(env, "shell", "-v0", "-c", SEND)
    assert wait_for(marker.exists, 40), processes.log("worker-1")[-4000:]
    child = int(marker.read_text())
    assert child != first.pid and os.getpgid(child) == first.pid  # the task runs in the worker's child
    processes.stop(first, signal.SIGKILL)  # the whole worker: main process and child
    killed_at = time.monotonic()
    assert first.returncode == -signal.SIGKILL

    # Killed mid-send: nothing went out, the delivery is not marked, the task is taken but unacknowledged.
    assert mail_subjects(mail) == []
    assert sql(database, "SELECT count(*), count(sent_at) FROM outreach_summarydelivery") == [(1, 0)]
    assert queue.llen("celery") == 0 and queue.hlen("unacked") == 1

    time.sleep(max(0.0, killed_at + 6 - time.monotonic()))  # past the visibility timeout
    second = processes.worker("worker-2", env)
    assert wait_for(lambda: mail_subjects(mail), 45), processes.log("worker-2")[-4000:]
    assert wait_for(lambda: queue.llen("celery") == 0 and queue.hlen("unacked") == 0, 20)
    time.sleep(3)  # a second delivery of the task would show now
    assert second.poll() is None, processes.log("worker-2")[-4000:]
    assert mail_subjects(mail) == ["Ringkasan mingguan Kabupaten Kendal, 2025-W47"]
    [message] = [path.read_text() for path in mail.iterdir()]
    assert "bob@dukcapil.example" in message and "application/pdf" in message
    assert sql(database, "SELECT (SELECT count(*) FROM outreach_weeklysummary), "
                         "(SELECT count(*) FROM outreach_summarydelivery WHERE sent_at IS NOT NULL)") == [(1, 1)]
