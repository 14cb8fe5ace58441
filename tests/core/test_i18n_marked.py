"""Every string a person reads on houseboat's pages is marked for translation.

The proof needs no translator and no gettext tools: a pseudo-language is compiled at test time from the
template houseboat/locale/django.pot (and Django's own English catalogues), in which
every message reads ⟦as itself, in brackets⟧. The demo team's pages are then walked in
that language, link by link, and every visible text (and every title, placeholder,
aria-label and alt) must be inside ⟦⟧, or be the demo's own data (a campaign's name, a
post someone wrote), a number, a date's digits or punctuation. A string left unmarked
shows up bare and is named in the failure, with the page it is on.

The other tests here keep the catalogues in step with the template.
"""

import array
import re
import struct
from collections import deque
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urldefrag, urlsplit

import django
import pytest
from django.apps import apps
from django.conf import settings
from django.db import models
from django.test import Client
from django.utils import translation
from django.utils.translation import get_language_info

from houseboat import demo
from houseboat.campaigns.models import Campaign
from houseboat.connectors.constants import Network
from houseboat.core.catalogues import POT, catalogue_path, messages, parse_po

PSEUDO = "eo"  # a language Django knows (name, direction) and houseboat does not offer
OPEN, CLOSE = "⟦", "⟧"
# Not words to translate: the product's name, the networks' own names, and the
# language menu, where each language is named in itself.
PROPER_NAMES = {
    "houseboat",
    "UTC",
    "Esperanto",  # the pseudo-language's own name, in the menu
    *map(str, Network.labels),
    *Network.values,
    *(name for _, name in settings.LANGUAGES),
    *(get_language_info(code)["name_local"] for code, _ in settings.LANGUAGES),
}
# Pages that are not worth walking twice, and links that are not pages.
MAX_PAGES = 400
MAX_PER_PATH = 2
SKIP = re.compile(r"^/(static|media)/|/logout/|\.(csv|json|zip|xml|atom|ics|parquet|png|jpe?g)$")
ATTRIBUTES = {"title", "placeholder", "aria-label", "alt"}


def pseudo(text: str) -> str:
    """Wrap a message in ⟦⟧, leaving its leading and trailing white space outside."""
    lead, core, trail = re.fullmatch(r"(\s*)(.*?)(\s*)", text, re.DOTALL).groups()
    return f"{lead}{OPEN}{core}{CLOSE}{trail}" if core else text


def write_mo(path: Path, catalog: dict[str, str]) -> None:
    """Write a GNU .mo file (the layout of CPython's Tools/i18n/msgfmt.py)."""
    keys = sorted(catalog, key=lambda k: k.encode())
    ids = strs = b""
    offsets = []
    for key in keys:
        k, v = key.encode(), catalog[key].encode()
        offsets.append((len(ids), len(k), len(strs), len(v)))
        ids, strs = ids + k + b"\0", strs + v + b"\0"
    key_start = 7 * 4 + 16 * len(keys)
    value_start = key_start + len(ids)
    table = [n for o1, l1, _, _ in offsets for n in (l1, o1 + key_start)]
    table += [n for _, _, o2, l2 in offsets for n in (l2, o2 + value_start)]
    head = struct.pack("Iiiiiii", 0x950412DE, 0, len(keys), 28, 28 + len(keys) * 8, 0, 0)
    path.write_bytes(head + array.array("i", table).tobytes() + ids + strs)


def build_pseudo_locale(folder: Path) -> Path:
    """Compile ⟦msgid⟧ for every message of houseboat and Django into folder."""
    django_dir = Path(django.__file__).parent
    sources = [POT, *sorted(django_dir.glob("**/locale/en/LC_MESSAGES/django.po"))]
    catalog = {
        "": "Content-Type: text/plain; charset=UTF-8\nPlural-Forms: nplurals=2; plural=(n != 1);\n"
    }
    for source in sources:
        for entry in messages(parse_po(source.read_text(encoding="utf-8"))):
            key = entry.msgid if entry.msgctxt is None else f"{entry.msgctxt}\x04{entry.msgid}"
            if entry.msgid_plural is None:
                catalog.setdefault(key, pseudo(entry.msgid))
            else:
                both = f"{pseudo(entry.msgid)}\0{pseudo(entry.msgid_plural)}"
                catalog.setdefault(f"{key}\0{entry.msgid_plural}", both)
    out = folder / PSEUDO / "LC_MESSAGES"
    out.mkdir(parents=True)
    write_mo(out / "django.mo", catalog)
    return folder


# Scripts and styles are not read; code (commands, addresses) is not translated; a
# textarea holds what a person typed (its placeholder is still checked).
HIDDEN = {"script", "style", "template", "code", "kbd", "samp", "pre", "textarea"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}


class VisibleText(HTMLParser):
    """Collect the texts a person sees and the links to follow.

    Content declared to be in a language of its own (``lang="en"`` on a connector's
    English-only guide, ``lang="ar"`` on a word list) is content, not interface, and
    is left out, as are scripts and styles.
    """

    def __init__(self, page_language: str):
        super().__init__(convert_charrefs=True)
        self.page_language = page_language
        self.texts: list[str] = []
        self.links: list[str] = []
        self.stack: list[bool] = []  # for each open element: is its content hidden?

    @property
    def hidden(self) -> bool:
        return bool(self.stack) and self.stack[-1]

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        other_language = values.get("lang") not in (None, "", self.page_language)
        if not self.hidden and not other_language:  # the element's own words
            self.texts += [values[name] for name in ATTRIBUTES if values.get(name)]
            if tag == "input" and values.get("type") in {"submit", "button"}:
                self.texts.append(values.get("value", ""))
        if tag == "a" and values.get("href"):
            self.links.append(values["href"])
        if tag not in VOID:
            self.stack.append(self.hidden or tag in HIDDEN or other_language)

    def handle_endtag(self, tag):
        if tag not in VOID and self.stack:
            self.stack.pop()

    def handle_data(self, data):
        if not self.hidden and data.strip():
            self.texts.append(data)


def data_strings() -> tuple[set[str], str]:
    """Every string stored in the database: what people typed and the demo invented."""
    values: set[str] = set()

    def add(value):
        if isinstance(value, str):
            values.update(part.strip() for part in [value, *value.splitlines()] if part.strip())
        elif isinstance(value, list) and all(isinstance(item, str) for item in value):
            values.add("\n".join(value))  # a list edited in a textarea, a line each
            values.add(" ".join(f"#{item}" for item in value))  # hashtags
            for item in value:
                add(item)
        elif isinstance(value, dict):
            for item in value.values():
                add(item)
        elif isinstance(value, list | tuple):
            for item in value:
                add(item)

    for model in apps.get_models():
        fields = [
            f.attname
            for f in model._meta.concrete_fields
            if isinstance(f, models.CharField | models.TextField | models.JSONField)
        ]
        if fields:
            for row in model.objects.values_list(*fields):
                add(row)
    return values, "\n".join(values)


def without_marked(texts: list[str]) -> list[str]:
    """Return the parts of a page's texts outside every ⟦…⟧ (which may nest, and may
    span elements: ⟦Edit <bdi>name</bdi>⟧)."""
    text = "\1".join(texts)
    previous = None
    while previous != text:
        previous, text = text, re.sub(f"{OPEN}[^{OPEN}{CLOSE}]*{CLOSE}", "\0", text)
    parts = re.split(r"[\0\1]| · ", text)
    return [part.strip() for part in parts if part.strip()]


def is_data(part: str, values: set[str], blob: str) -> bool:
    """Whether a bare text is not words to translate: data, a number, a name, a code."""
    part = part.split(OPEN)[0]  # a marked text cut short (truncated) is marked
    bare = re.sub(r"^[\W\d_]+|[\W\d_]+$", "", part)
    if not bare:
        return True  # numbers, dates' digits, punctuation, symbols
    if {bare, part.strip()} & (PROPER_NAMES | values):
        return True
    if len(bare) >= 12 and bare in blob:  # a slice of a longer text (truncated, a line)
        return True
    if len(bare) >= 8 and any(value.startswith(bare) for value in values):
        return True  # truncated data
    if "\n" in bare and all(is_data(line, values, blob) for line in bare.splitlines()):
        return True
    if ", " in bare and all(is_data(piece, values, blob) for piece in bare.split(", ")):
        return True  # a list of data
    # Codes (EUR, a TOTP secret), addresses, handles, file names, hashes, identifiers.
    return bool(
        re.fullmatch(
            r"[A-Z0-9-]{2,}( [A-Z0-9]{2,})*|[\w.+-]*[@/.:][\w@/.:?=&%+~-]*|[0-9a-f]{7,64}"
            r"|[a-z]+(_[a-z]+)+|https?",
            bare,
        )
    )


def walk(client: Client, starts: list[str]) -> dict[str, list[str]]:
    """GET every page reachable from starts; return each page's visible texts."""
    seen_paths: dict[str, int] = {}
    queue, visited, pages = deque(starts), set(), {}
    while queue and len(pages) < MAX_PAGES:
        url = urldefrag(queue.popleft())[0]
        parts = urlsplit(url)
        if url in visited or parts.netloc or SKIP.search(parts.path):
            continue
        visited.add(url)
        if seen_paths.get(parts.path, 0) >= MAX_PER_PATH:
            continue
        seen_paths[parts.path] = seen_paths.get(parts.path, 0) + 1
        response = client.get(url)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        parser = VisibleText(PSEUDO)
        parser.feed(response.content.decode())
        pages[url] = parser.texts
        base = url.split("?")[0]
        for link in parser.links:
            if link.startswith("?"):
                link = base + link
            if link.startswith("/"):
                queue.append(link)
    return pages


@pytest.fixture
def pseudo_language(settings, tmp_path):
    folder = build_pseudo_locale(tmp_path)
    settings.LANGUAGES = [*settings.LANGUAGES, (PSEUDO, "Esperanto")]
    settings.LOCALE_PATHS = [folder, *settings.LOCALE_PATHS]
    yield PSEUDO
    translation.activate("en")


def test_every_visible_string_on_the_demo_pages_is_marked_for_translation(
    db, pseudo_language, settings
):
    demo.seed()
    Campaign.objects.update(site_language=pseudo_language)
    owner = django.contrib.auth.get_user_model().objects.get(username=demo.OWNER)
    client = Client()
    client.force_login(owner)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = pseudo_language
    starts = ["/", f"/t/{demo.TEAM_SLUG}/", *(f"/c/{c.slug}/" for c in Campaign.objects.all())]
    pages = walk(client, starts)
    assert len(pages) > 40, f"the walk reached only {len(pages)} pages: {sorted(pages)}"
    values, blob = data_strings()
    unmarked: dict[str, set[str]] = {}
    for url, texts in pages.items():
        for part in without_marked(texts):
            if not is_data(part, values, blob):
                unmarked.setdefault(part, set()).add(url)
    report = "\n".join(f"{text!r}  on {sorted(urls)[0]}" for text, urls in sorted(unmarked.items()))
    assert not unmarked, (
        f"{len(unmarked)} visible strings are not marked (mark them, then run "
        f"bash scripts/messages make):\n{report}"
    )


def test_every_language_offered_has_a_catalogue_with_the_templates_msgids():
    template = {e.key for e in messages(parse_po(POT.read_text(encoding="utf-8")))}
    assert len(template) > 1000
    for code, _ in settings.LANGUAGES:
        if code == "en":
            continue
        path = catalogue_path(code)
        assert path.exists(), code
        assert path.with_suffix(".mo").exists(), code
        entries = parse_po(path.read_text(encoding="utf-8"))
        found = {e.key for e in messages(entries)}
        assert found == template, f"{code}: run bash scripts/messages make"


def test_every_catalogue_says_it_is_machine_drafted_and_has_its_languages_plural_forms():
    django_locale = Path(django.__file__).parent / "conf" / "locale"
    for code, _ in settings.LANGUAGES:
        if code == "en":
            continue
        text = catalogue_path(code).read_text(encoding="utf-8")
        assert '"X-Machine-Drafted: yes\\n"' in text, code
        assert f'"Language: {code}\\n"' in text, code
        ours = re.search(r"nplurals=(\d+)", text).group(1)
        djangos = (django_locale / code / "LC_MESSAGES" / "django.po").read_text()
        assert ours == re.search(r"nplurals=(\d+)", djangos).group(1), code
