import datetime

from django.template import Context, Template
from django.urls import reverse
from django.utils import formats, translation


def render(source: str, **context) -> str:
    return Template("{% load humanize %}" + source).render(Context(context))


def test_numbers_and_dates_read_the_indonesian_way():
    with translation.override("id"):
        assert render("{{ n|intcomma }}", n=220737) == "220.737"
        assert render("{{ p|floatformat:2 }}%", p=83.0325) == "83,03%"
        assert formats.date_format(datetime.date(2025, 11, 24)) == "Senin, 24 November 2025"
        assert formats.time_format(datetime.time(8, 0)) == "08.00"


def test_english_reads_the_english_way():
    with translation.override("en"):
        assert render("{{ n|intcomma }}", n=220737) == "220,737"
        assert formats.date_format(datetime.date(2025, 11, 24)) == "Monday, 24 November 2025"


def test_the_interface_speaks_indonesian_first_and_english_on_request(client, db):
    page = client.get(reverse("login")).content.decode()
    assert "Masuk ke Jemput Bola" in page

    response = client.post(reverse("set_language"), {"language": "en", "next": reverse("login")})
    assert response.status_code == 302
    page = client.get(reverse("login")).content.decode()
    assert "Sign in to Jemput Bola" in page
    # The choice is remembered in a cookie for the next visit.
    assert client.cookies["django_language"].value == "en"


def test_the_sign_in_page_uses_no_cdn_and_no_inline_script(client, db):
    page = client.get(reverse("login")).content.decode()
    assert "/static/bootstrap/css/bootstrap.min.css" in page
    assert "https://" not in page and "http://" not in page.replace('xmlns="http://', "")
    assert "<script>" not in page and "<script " not in page.replace('<script src="', "")


def test_every_page_names_its_icon_so_browsers_do_not_ask_for_a_missing_favicon_ico(client, db):
    from django.contrib.staticfiles import finders

    page = client.get(reverse("login")).content.decode()
    assert '<link rel="icon" href="/static/img/favicon.svg"' in page
    assert finders.find("img/favicon.svg") is not None


def test_a_browser_set_to_english_still_gets_indonesian_until_the_user_switches(client, db):
    page = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert 'lang="id"' in page and "Masuk ke Jemput Bola" in page


def test_every_english_message_is_translated():
    from pathlib import Path

    po = Path(__file__).resolve().parents[2] / "locale" / "en" / "LC_MESSAGES" / "django.po"
    untranslated = []
    for entry in po.read_text(encoding="utf-8").split("\n\n")[1:]:
        lines = entry.strip().splitlines()
        # An empty translation is `msgstr ""` (or `msgstr[n] ""`) with no continuation line after it.
        for number, line in enumerate(lines):
            if line.startswith("msgstr") and line.endswith(' ""'):
                continued = number + 1 < len(lines) and lines[number + 1].startswith('"')
                if not continued:
                    untranslated.append(entry)
        if "#, fuzzy" in entry:
            untranslated.append(entry)
    assert untranslated == []


def test_translatable_strings_use_names_makemessages_finds():
    """`makemessages` finds `_()`, `gettext()`, `gettext_lazy()` and their kin, not an alias such
    as `_lazy()`: the strings marked with one fell out of the catalogue and showed untranslated."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    alias = re.compile(r"\b(?:n|p|np)?gettext(?:_lazy|_noop)? as (?!_\b)\w+")
    found = [f"{path.relative_to(root)}: {match.group(0)}" for folder in ("config", "outreach", "regions", "partners")
             for path in (root / folder).rglob("*.py") for match in alias.finditer(path.read_text(encoding="utf-8"))]
    assert found == []


def test_status_words_follow_the_language():
    from outreach.progress import STATUS_LABELS

    with translation.override("en"):
        assert [str(label) for label in STATUS_LABELS.values()] == ["reached", "on track", "at risk", "behind", "no target"]
    with translation.override("id"):
        assert str(STATUS_LABELS["behind"]) == "tertinggal"
