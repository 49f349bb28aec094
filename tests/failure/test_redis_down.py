"""Redis stopped: operators still sign in, save activations and close sessions.

Redis is the cache (sessions are cached_db, IGNORE_EXCEPTIONS) and the Celery broker. No web
request enqueues Celery work today (no .delay()/apply_async in views or services: only the
beat's fan-out tasks do), so nothing can be queued while Redis is down. What is checked after
Redis is back instead: the beat's three tasks, sent twice as a beat that fires again would,
each produce exactly one result.
"""

import time

from tests.failure.support import (
    Browser,
    base_env,
    form_value,
    log_path,
    mail_subjects,
    manage,
    nik,
    requires_services,
    sql,
    sql_value,
    wait_for,
)

pytestmark = requires_services

FILE_MAIL = "django.core.mail.backends.filebased.EmailBackend"

BEAT = """
from django.conf import settings
from config.celery import app
for _ in range(2):  # the beat fires, then fires again (a catch-up, a second beat by mistake)
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        app.send_task(entry["task"])
"""


def save(browser: Browser, session: int, number: str, **extra):
    page = browser.get(log_path(session))
    assert page.status == 200, page.body[:2000]
    data = {
        "service": "ikd", "nik": number, "result": "success",
        "idempotency_key": form_value(page.body, "idempotency_key"),
        "csrfmiddlewaretoken": form_value(page.body, "csrfmiddlewaretoken"), **extra,
    }
    return browser.post(log_path(session), data), data


def test_operators_work_while_redis_is_down_and_the_beat_runs_once_after(database, redis_server, processes, seed, tmp_path):
    mail = tmp_path / "mail"
    env = base_env(DATABASE_URL=database, REDIS_URL=redis_server.url(0), EMAIL_BACKEND=FILE_MAIL,
                   EMAIL_FILE_PATH=str(mail))
    base = processes.web("web", env)
    session = seed["session"]
    redis_server.stop()
    assert not wait_for(redis_server.ping, 1)

    oscar, olga = Browser(base), Browser(base)
    oscar.sign_in("oscar")
    olga.sign_in("olga")
    for browser, number in ((oscar, nik(1)), (olga, nik(2)), (oscar, nik(3, female=True))):
        answer, data = save(browser, session, number)
        assert answer.status == 302, answer.body[:3000]
        assert "Tersimpan:" in browser.get(answer.location).body
    # The phone sends the last form again (a retry after a timeout): answered as the first time.
    again = oscar.post(log_path(session), data)
    assert again.status == 302
    assert "Sudah tersimpan sebelumnya" in oscar.get(again.location).body
    answer, _data = save(olga, session, nik(4), result="no_phone")
    assert answer.status == 302, answer.body[:3000]

    close = f"/kegiatan/{session}/tutup/"
    answer = oscar.post(close, {"actual_participants": "40", "notes": "Redis mati, aplikasi jalan",
                                "csrfmiddlewaretoken": oscar.csrf(close)})
    assert answer.status == 302, answer.body[:3000]
    assert "Kegiatan ditutup" in oscar.get(answer.location).body
    assert max(oscar.slowest, olga.slowest) < 3  # no request waited on the missing Redis

    # Everything is in the database.
    assert sql(database, "SELECT outcome, count(*) FROM outreach_activation WHERE session_id = %s GROUP BY outcome "
                         "ORDER BY outcome", session) == [("failed", 1), ("success", 3)]
    assert sql(database, "SELECT s.status, c.actual_participants, c.successes, c.notes FROM outreach_session s "
                         "JOIN outreach_closeout c ON c.session_id = s.id WHERE s.id = %s", session) == [
        ("done", 40, 3, "Redis mati, aplikasi jalan")]
    assert sql_value(database, "SELECT sum(d.count) FROM outreach_dailycount d JOIN outreach_session s "
                               "ON d.day = s.date WHERE s.id = %s AND d.village_id = %s AND d.service = 'ikd' "
                               "AND d.outcome = 'success'", session, seed["village"]) == 3
    assert sql_value(database, "SELECT count(*) FROM django_session") >= 2  # written through to the database

    # Redis is back: the beat's tasks, each sent twice, produce exactly one result each.
    redis_server.start()
    assert oscar.get("/kegiatan/saya/").status == 200  # the same sign-in, now with the cache back
    processes.worker("worker", env)
    manage(env, "shell", "-v0", "-c", BEAT)
    queue = redis_server.client()
    expected = 3  # the weekly summary to bob, "belum lapor" to alice, the PKS reminder to alice

    def settled():
        return len(mail_subjects(mail)) >= expected and queue.llen("celery") == 0 and queue.hlen("unacked") == 0

    assert wait_for(settled, 45), (mail_subjects(mail), processes.log("worker")[-4000:])
    time.sleep(3)  # whatever the worker still had would show now
    subjects = sorted(mail_subjects(mail))
    assert len(subjects) == 3, subjects
    assert subjects[0] == "Jemput Bola: 1 PKS perlu perhatian"
    assert subjects[1] == "Jemput Bola: 1 kegiatan belum lapor"
    assert subjects[2].startswith("Ringkasan mingguan Kabupaten Kendal, ")
    assert sql(database, "SELECT (SELECT count(*) FROM outreach_weeklysummary), "
                         "(SELECT count(*) FROM outreach_summarydelivery WHERE sent_at IS NOT NULL), "
                         "(SELECT count(*) FROM outreach_overduenotice), "
                         "(SELECT count(*) FROM partners_remindersent)") == [(1, 1, 1, 1)]
