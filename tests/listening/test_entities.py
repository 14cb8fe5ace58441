"""Hashtags, mentions and links found in text, in any script."""

from houseboat.listening import entities


def test_hashtags_in_many_scripts_are_found_without_the_hash():
    text = "#FreeTheTen #حرية_التعبير #आज़ादी #自由 \uff03全角 and not #1 nor a#b nor &#39;"
    assert entities.hashtags(text) == ["FreeTheTen", "حرية_التعبير", "आज़ादी", "自由", "全角"]


def test_the_same_hashtag_in_another_case_is_kept_once():
    assert entities.hashtags("#FreeTheTen #freetheten") == ["FreeTheTen"]
    assert entities.tag_key("#FreeTheTen") == "freetheten"


def test_mentions_include_fediverse_accounts_and_skip_emails():
    text = "@ana thanks, cc @bea@example.social. Mail me at someone@example.org"
    assert entities.mentions(text) == ["ana", "bea@example.social"]


def test_links_lose_trailing_punctuation_but_keep_balanced_brackets():
    text = "See https://example.org/report. And (https://en.wikipedia.org/wiki/Foo_(bar)), ok?"
    assert entities.links(text) == [
        "https://example.org/report",
        "https://en.wikipedia.org/wiki/Foo_(bar)",
    ]
