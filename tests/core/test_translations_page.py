"""The About translations page says which languages a machine drafted and how much a person checked."""

from django.conf import settings
from django.test import Client

from houseboat.core import catalogues

SAMPLE = """\
# Malay translation of houseboat.
msgid ""
msgstr ""
"Language: ms\\n"
"Content-Type: text/plain; charset=UTF-8\\n"
"X-Machine-Drafted: yes\\n"
"X-Reviewed-By: Siti <siti@example.org>\\n"
"Plural-Forms: nplurals=1; plural=0;\\n"

# reviewed
#: core/templates/core/home.html
msgid "Campaigns"
msgstr "Kempen"

#: core/templates/core/home.html
msgid "Channels"
msgstr "Saluran"

#, fuzzy
msgid "Archive"
msgstr "Arkib"

#, python-format
msgid "%(n)d post"
msgid_plural "%(n)d posts"
msgstr[0] ""
"""


def test_anyone_can_read_which_languages_a_machine_drafted(db):
    page = Client().get("/about/translations/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "first drafted by a machine" in text
    for code, name in settings.LANGUAGES:
        if code != "en":
            assert name in text, code
            assert f'data-language="{code}"' in text
    assert "machine-drafted" in text
    assert "GLOSSARY.md" in text and "bash scripts/messages check" in text


def test_every_page_links_to_the_about_translations_page(db):
    assert 'href="/about/translations/"' in Client().get("/login/").content.decode()


def test_the_share_reviewed_counts_the_entries_a_reviewer_marked(tmp_path, monkeypatch):
    path = tmp_path / "ms" / "LC_MESSAGES" / "django.po"
    path.parent.mkdir(parents=True)
    path.write_text(SAMPLE, encoding="utf-8")
    monkeypatch.setattr(catalogues, "LOCALE_DIR", tmp_path)
    catalogues.status.cache_clear()
    try:
        found = catalogues.status("ms")
    finally:
        catalogues.status.cache_clear()
    assert (found.total, found.translated, found.reviewed) == (4, 2, 1)
    assert found.reviewed_percent == 25 and found.translated_percent == 50
    assert found.machine_drafted and found.reviewers == "Siti <siti@example.org>"


def test_the_page_reads_the_shipped_catalogues(db):
    page = Client().get("/about/translations/").content.decode()
    total = catalogues.status("ar").total
    assert total > 1000
    assert f"(0 of {total})" in page
