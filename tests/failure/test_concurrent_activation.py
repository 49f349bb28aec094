"""The same activation sent at the same moment from eight connections to a live gunicorn.

Four gunicorn workers with four threads each: the eight POSTs really run at once (checked from
their start and end times). The same form (same idempotency key and content) gives one row and
eight redirects; the same NIK under eight different keys gives one success row, one redirect
and seven pages that say the NIK was already recorded.
"""

import threading
import time
import uuid

from tests.failure.support import Browser, base_env, log_path, nik, requires_services, sql, sql_value

pytestmark = requires_services

THREADS = 8


def at_once(browser: Browser, path: str, forms: list[dict]):
    """POST each form from its own thread and connection, all released together."""
    ready = threading.Barrier(len(forms))
    results: list = [None] * len(forms)

    def send(index: int, form: dict) -> None:
        mine = browser.clone()
        assert mine.get(path).status == 200  # warm: every worker has Django loaded
        ready.wait(timeout=30)
        started = time.monotonic()
        answer = mine.post(path, form)
        results[index] = (answer, started, time.monotonic())

    threads = [threading.Thread(target=send, args=(index, form)) for index, form in enumerate(forms)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert all(result is not None for result in results), "a request did not finish"
    # How many requests were in flight together at the busiest moment.
    overlap = max(sum(1 for _a, start, end in results if start <= moment < end) for _a, moment, _e in results)
    return [answer for answer, _start, _end in results], overlap


def test_the_same_activation_sent_at_once_is_saved_once(database, redis_server, processes, seed):
    env = base_env(DATABASE_URL=database, REDIS_URL=redis_server.url(0))
    base = processes.web("web", env, workers=4, threads=4)
    session = seed["session"]
    path = log_path(session)
    browser = Browser(base)
    browser.sign_in("oscar")
    token = browser.csrf(path)

    # The same form eight times at once: one row, and every phone told it is saved.
    key = str(uuid.uuid4())
    form = {"service": "ikd", "nik": nik(11), "result": "success", "idempotency_key": key, "csrfmiddlewaretoken": token}
    answers, overlap = at_once(browser, path, [form] * THREADS)
    assert overlap >= 2, "the requests did not overlap"
    assert [answer.status for answer in answers] == [302] * THREADS, [a.body[:500] for a in answers if a.status != 302]
    assert sql(database, "SELECT count(*), count(DISTINCT idempotency_key) FROM outreach_activation "
                         "WHERE session_id = %s", session) == [(1, 1)]
    assert sql_value(database, "SELECT idempotency_key::text FROM outreach_activation WHERE session_id = %s",
                     session) == key

    # The same NIK under eight different keys (eight phones, one person): one success row.
    forms = [{**form, "nik": nik(12), "idempotency_key": str(uuid.uuid4())} for _ in range(THREADS)]
    answers, overlap = at_once(browser, path, forms)
    assert overlap >= 2, "the requests did not overlap"
    statuses = sorted(answer.status for answer in answers)
    assert statuses == [200] * (THREADS - 1) + [302], [a.body[:500] for a in answers if a.status not in (200, 302)]
    for answer in answers:
        if answer.status == 200:
            assert "NIK ini sudah tercatat berhasil Aktivasi IKD" in answer.body
    assert sql(database, "SELECT nik_last4, count(*) FROM outreach_activation WHERE session_id = %s "
                         "AND outcome = 'success' GROUP BY nik_last4 ORDER BY nik_last4", session) == [
        ("0011", 1), ("0012", 1)]
    # The daily counts moved once per row, not once per request.
    assert sql_value(database, "SELECT sum(d.count) FROM outreach_dailycount d JOIN outreach_session s "
                               "ON d.day = s.date WHERE s.id = %s AND d.village_id = %s AND d.service = 'ikd' "
                               "AND d.outcome = 'success'", session, seed["village"]) == 2
