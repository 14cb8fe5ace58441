"""Splitting a long text into a numbered thread whose every part fits its network."""

import pytest

from houseboat.connectors import text as text_rules
from houseboat.publishing.threads import split_thread

X = {"max": 280, "counted": "weighted", "url_length": 23}
BLUESKY = {"max": 300, "counted": "graphemes"}
STORY = (
    "Sixty days ago, police in Port Verene detained ten reporters. None of them has been "
    "charged! Three have not seen a lawyer? We ask the Ministry of Justice to release them. "
)


def length(part: str, rule: dict) -> int:
    return text_rules.length(part, rule["counted"], rule.get("url_length"))


def test_text_that_fits_stays_one_unnumbered_post():
    assert split_thread("Free the Ten!", X) == ["Free the Ten!"]


def test_parts_end_at_sentence_ends_and_carry_their_number():
    parts = split_thread(STORY * 4, X)  # 684 characters

    assert [part.rsplit(" ", 1)[1] for part in parts] == ["1/3", "2/3", "3/3"]
    assert all(part.rsplit(" ", 1)[0][-1] in ".!?" for part in parts)
    assert all(length(part, X) <= 280 for part in parts)


def test_a_sentence_longer_than_a_post_is_cut_between_words():
    sentence = " ".join(["solidarity"] * 80) + "."
    parts = split_thread(sentence, BLUESKY)

    assert all(length(part, BLUESKY) <= 300 for part in parts)
    words = " ".join(part.rsplit(" ", 1)[0] for part in parts).split()
    assert words == sentence.split()  # no word lost, none cut


def test_text_without_spaces_is_cut_between_characters_and_counted_the_networks_way():
    parts = split_thread("記者を釈放せよ" * 60, X)  # 420 characters weighing 2 each on X

    assert len(parts) == 4  # 137 characters and " 1/4" fit in 280
    assert all(length(part, X) <= 280 for part in parts)
    assert "".join(part.rsplit(" ", 1)[0] for part in parts) == "記者を釈放せよ" * 60


def test_room_is_kept_in_the_last_part_for_the_link():
    link = "\nhttps://example.org/free?utm_source=x"
    for size in range(200, 900, 37):
        parts = split_thread(("word " * size).strip(), X, reserve_last=length(link, X))
        assert length(parts[-1] + link, X) <= 280, size
        assert all(length(part, X) <= 280 for part in parts), size


def test_arabic_sentences_split_at_their_own_question_mark():
    arabic = "أين الصحفيون العشرة؟ " * 30
    parts = split_thread(arabic, BLUESKY)
    assert all(part.rsplit(" ", 1)[0].endswith("؟") for part in parts)
    assert all(length(part, BLUESKY) <= 300 for part in parts)


def test_a_limit_with_no_room_for_words_is_refused():
    with pytest.raises(ValueError, match="no room"):
        split_thread("word " * 50, {"max": 4, "counted": "characters"})
    with pytest.raises(ValueError, match="more than 50 parts"):
        split_thread("word " * 500, {"max": 12, "counted": "characters"})
