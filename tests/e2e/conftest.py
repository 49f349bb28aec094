"""Browser tests: Playwright drives Debian's Chromium against pytest-django's live server.

The browser is /usr/bin/chromium (package `chromium`; .ci/run installs it); Playwright never
downloads one. Without it the tests are skipped on a developer's machine and fail under CI=true.

The live server needs a transactional database, and a transactional test ends by emptying
every table: the imported region tree and even the country row the migration created. So
each test here first puts the country back and builds the few regions it needs (the fixtures
of tests/conftest.py use make_region), whatever ran before it. pytest-django runs these tests
after every test that uses the database in a transaction, so the emptied tables meet only
tests that use no database.
"""

from pathlib import Path

import pytest

# The venue, team and session-planning fixtures of the outreach tests, used here as they are.
from tests.outreach.conftest import plan, school, team, venue, village  # noqa: F401

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = Path(__file__).parent / "screenshots"
PASSWORD = "rahasia-sekali-123"
PHONE = {"width": 360, "height": 780}


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        # Reached only under CI=true: elsewhere test_browser.py is skipped as a whole.
        pytest.fail(f"{CHROMIUM} tidak ada: CI membutuhkan paket Debian `chromium`.")
    from playwright.sync_api import sync_playwright

    from outreach.reports import preload

    # The live server answers in threads, as the development server does, but it does not start
    # through config/wsgi.py, which loads the drawing libraries first: without this, a page's
    # two charts can race to import matplotlib and one of them fails (outreach/reports.py).
    preload()
    # Playwright's sync API keeps an asyncio loop running in this thread; Django would then
    # refuse the tests' own database calls (and the flush after each test) as "async".
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM))
            yield browser
            browser.close()


@pytest.fixture(autouse=True)
def country(transactional_db):
    """The row migration regions/0002 creates, gone after an earlier transactional test's flush."""
    from regions.models import COUNTRY_CODE, Region

    return Region.objects.get_or_create(code=COUNTRY_CODE, defaults={"name": "Indonesia", "level": 0, "kind": "negara"})[0]


@pytest.fixture
def new_page(browser, live_server):
    """A page in a fresh browser context (own cookies) on the live server, in Indonesian."""
    contexts = []

    def make(viewport=PHONE):
        context = browser.new_context(
            base_url=live_server.url, viewport=viewport, locale="id-ID", timezone_id="Asia/Jakarta", accept_downloads=True
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


def shot(page, name: str) -> None:
    """Save the whole page as tests/e2e/screenshots/<name>.png (git ignores the folder)."""
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"{name}.png", full_page=True)


def sign_in(page, username: str, password: str = PASSWORD) -> None:
    page.goto("/masuk/")
    page.get_by_label("Nama pengguna").fill(username)
    page.get_by_label("Kata sandi").fill(password)
    page.get_by_role("button", name="Masuk").click()
