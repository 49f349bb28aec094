"""PostgreSQL restarted (and then down for two seconds) while three operators keep saving.

The web app runs as in production (DJANGO_DEBUG=0, gunicorn, persistent connections with
health checks). Every POST either saves (302) or gets the project's own error page, 503 with an
Indonesian message, quickly; the operator's phone sends the same form again (same idempotency
key) until it is saved, and every person ends up in the database exactly once.
"""

import http.client
import threading
import time
import uuid

from tests.failure.support import Browser, log_path, nik, production_env, requires_services, sql, sql_value

pytestmark = requires_services

OUTAGE_WORDS = "Layanan sedang terganggu"


def test_operators_saving_while_postgres_restarts(pg_cluster, database, redis_server, processes, collected_static, seed):
    env = production_env(collected_static, DATABASE_URL=database, REDIS_URL=redis_server.url(0))
    base = processes.web("web", env, workers=2, threads=4)
    session = seed["session"]
    path = log_path(session)
    stop = threading.Event()
    lock = threading.Lock()
    saved: list[tuple[str, str]] = []  # (NIK, key) of every form that ended in a redirect
    answers: list[tuple[int, float, str]] = []  # (status, seconds, start of the body) of every POST
    broken: list[str] = []  # connection errors, forms never saved

    def operator(index: int, browser: Browser, token: str) -> None:
        try:
            keep_saving(index, browser, token)
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            with lock:
                broken.append(f"operator {index}: {error!r}")

    def keep_saving(index: int, browser: Browser, token: str) -> None:
        serial = 1000 * (index + 1)
        while not stop.is_set():
            serial += 1
            form = {"service": "ikd", "nik": nik(serial), "result": "success", "idempotency_key": str(uuid.uuid4()),
                    "csrfmiddlewaretoken": token}
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:  # the phone sends the same form until it is saved
                try:
                    answer = browser.post(path, form)
                except (OSError, http.client.HTTPException) as error:
                    with lock:
                        broken.append(f"operator {index}: {error!r}")
                    time.sleep(0.2)
                    continue
                with lock:
                    answers.append((answer.status, answer.elapsed, answer.body))
                if answer.status == 302:
                    with lock:
                        saved.append((form["nik"], form["idempotency_key"]))
                    break
                time.sleep(0.1)
            else:
                with lock:
                    broken.append(f"operator {index}: {form['nik']} never saved")
                return

    phones = []
    for username in ("oscar", "olga", "omar"):  # signed in before the outage
        browser = Browser(base, timeout=20)
        browser.sign_in(username)
        phones.append((browser, browser.csrf(path)))
    threads = [threading.Thread(target=operator, args=(index, *phone)) for index, phone in enumerate(phones)]
    for thread in threads:
        thread.start()
    try:
        time.sleep(1.5)
        pg_cluster.restart()
        time.sleep(1.5)
        pg_cluster.stop()  # a restart that takes longer: the database is away for two seconds
        time.sleep(2)
        pg_cluster.start()
        time.sleep(2)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "an operator's request hung"
    assert not broken, broken[:10]

    errors = [(status, body) for status, _seconds, body in answers if status != 302]
    assert errors, "no request met the outage"
    for status, body in errors:
        assert status == 503, (status, body[:3000])
        assert OUTAGE_WORDS in body and "Jemput Bola" in body, body[:3000]
    assert max(seconds for _status, seconds, _body in answers) < 10
    print(f"{len(answers)} POSTs: {len(saved)} forms saved, {len(errors)} answered 503 and sent again; "
          f"slowest {max(seconds for _status, seconds, _body in answers):.2f} s")

    # Every form saved exactly once, nothing else saved, and the counts agree.
    assert len(saved) >= 10
    assert len({key for _nik, key in saved}) == len(saved)
    rows = sql(database, "SELECT nik_last4, idempotency_key::text FROM outreach_activation WHERE session_id = %s", session)
    assert sorted(rows) == sorted((number[-4:], key) for number, key in saved)
    assert sql_value(database, "SELECT sum(d.count) FROM outreach_dailycount d JOIN outreach_session s "
                               "ON d.day = s.date WHERE s.id = %s AND d.village_id = %s AND d.service = 'ikd' "
                               "AND d.outcome = 'success'", session, seed["village"]) == len(saved)
