"""The demo's pages speak the reader's language (issue 16's done-when), in a real browser.

The demo's team is read in Arabic, Persian and Hindi, and every page its navigation leads
to is opened. On each, the letters a person reads are counted by script, leaving out what
people and networks wrote: those values sit in <bdi>, dir="auto" or translate="no" (the
right-to-left work isolates every one of them), and code samples. What is left is
houseboat's own interface, and almost all of it must be in the language's script: an
untranslated catalogue, or a page that skips it, falls far below the threshold.
"""

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from houseboat import demo

pytestmark = pytest.mark.browser

# Letters of each language's script, and the share of the interface's letters that must be
# in it. Proper names (houseboat, Mastodon, X, UTC) and a few technical words stay Latin.
SCRIPTS = {
    "ar": "\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff",
    "fa": "\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff",
    "hi": "\u0900-\u097f",
}
# Over the whole walk, and on each page. A page falls below the overall share where people's
# words are not yet isolated (hashtags on the board, demand titles) or where a network's
# answer was stored in English (a channel's last error, a feed's pause reason).
OVERALL, EACH = 0.85, 0.7

# Names that stay as they are in every language: the product, the networks, formats.
PROPER = [
    "houseboat", "Mastodon", "Bluesky", "Telegram", "Facebook", "WhatsApp", "Matrix", "X",
    "RSS", "Atom", "UTC", "CSV", "JSON", "ZIP", "PDF", "HTML", "TOTP", "Parquet",
]  # fmt: skip

# Counts letters in the page's visible text, outside values that came from people.
COUNT = """([script, proper]) => {
  const names = new RegExp(`(?<![A-Za-z])(${proper.join("|")})(?![A-Za-z])`, "g");
  const own = new RegExp(`[${script}]`, "u");
  const latin = /[A-Za-z\\u00c0-\\u024f]/u;
  const skip = "bdi, [dir=auto], [translate=no], code, pre, kbd, svg, script, style, noscript, template";
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  let ownLetters = 0, latinLetters = 0;
  const latinWords = new Map();
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const parent = node.parentElement;
    if (!parent || parent.closest(skip)) continue;
    if (!parent.getClientRects().length) continue;  // hidden
    const text = node.data.replace(names, "");
    for (const ch of text) {
      if (own.test(ch)) ownLetters++;
      else if (latin.test(ch)) latinLetters++;
    }
    for (const word of text.match(/[A-Za-z][A-Za-z'-]+/g) || []) {
      latinWords.set(word, (latinWords.get(word) || 0) + 1);
    }
  }
  const words = [...latinWords].sort((a, b) => b[1] - a[1]).slice(0, 12).map(w => w[0]);
  return [ownLetters, latinLetters, words];
}"""


@pytest.fixture(params=sorted(SCRIPTS))
def reader(request, transactional_db):
    """The demo, with its owner reading houseboat in the language."""
    password = demo.seed(port=9)
    owner = get_user_model().objects.get(username=demo.OWNER)
    owner.language = request.param
    owner.save(update_fields=["language"])
    return request.param, password, reader_campaign()


def reader_campaign() -> str:
    """The demo's main campaign: the one with posts and an issue for the radar."""
    from houseboat.radar.models import IssueQuery

    return IssueQuery.objects.order_by("id").first().campaign.slug


def test_every_page_of_the_navigation_is_in_the_readers_script(visit, reader):
    language, password, campaign = reader
    script = SCRIPTS[language]
    page = visit.page
    page.goto(visit.url("/login/"))
    page.locator("#id_username").fill(demo.OWNER)
    page.locator("#id_password").fill(password)
    page.locator("button.primary[type=submit]").click()
    expect(page.locator("html")).to_have_attribute("lang", language)
    page.goto(visit.url(f"/t/{demo.TEAM_SLUG}/"))
    paths = page.eval_on_selector_all(
        "nav a[href^='/t/'], nav a[href^='/account/']",
        "links => [...new Set(links.map(a => a.getAttribute('href')))]",
    )
    assert len(paths) >= 10, paths  # the whole navigation, not a login page
    team = f"/t/{demo.TEAM_SLUG}"
    more = [
        f"{team}/",
        f"{team}/campaigns/{campaign}/",
        f"{team}/campaigns/{campaign}/posts/new/",
        f"{team}/campaigns/{campaign}/radar/",
        f"{team}/press/",
        "/account/security/",
    ]
    below, total_own, total_latin = [], 0, 0
    for path in dict.fromkeys([*more, *paths]):
        page.goto(visit.url(path))
        own, latin, words = page.evaluate(COUNT, [script, PROPER])
        total_own, total_latin = total_own + own, total_latin + latin
        share = own / max(own + latin, 1)
        if own < 40 or share < EACH:
            below.append(f"{path}: {share:.0%} of {own + latin} letters; Latin words: {words}")
    assert not below, f"pages not in {language} (at least {EACH:.0%}):\n" + "\n".join(below)
    assert total_own / (total_own + total_latin) >= OVERALL
