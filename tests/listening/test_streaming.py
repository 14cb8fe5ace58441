"""The streaming readers: one record at a time, whatever the chunk boundaries."""

import io
import json

import pytest

from houseboat.listening.importers.base import ImportFileError
from houseboat.listening.importers.streaming import JsonReader, lines

RECORDS = [
    {"id": 1, "text": "héllo wörld ✊🏾 نص عربي"},
    12345678901234567890,
    -1.5e10,
    'a string with "quotes" and \\ backslashes',
    [1, [2, [3]], {"deep": {"er": None}}],
    True,
    None,
    {},
    [],
]


def reader(text: str, chunk: int = 7, max_value: int = 1 << 20) -> JsonReader:
    return JsonReader(io.BytesIO(text.encode()), name="f.json", max_value=max_value, chunk=chunk)


@pytest.mark.parametrize("chunk", [1, 2, 3, 5, 7, 64, 4096])
def test_an_array_reads_the_same_at_every_chunk_size(chunk):
    text = json.dumps(RECORDS, ensure_ascii=False, indent=1)
    assert list(reader(text, chunk).array()) == RECORDS


@pytest.mark.parametrize("chunk", [1, 3, 4096])
def test_the_array_inside_an_object_is_streamed_and_the_rest_kept(chunk):
    text = json.dumps({"name": "Chan", "id": 7, "messages": RECORDS, "after": [1, 2]})
    header: dict = {}
    got = list(reader(text, chunk).array_in_object("messages", header))
    assert got == RECORDS
    assert header == {"name": "Chan", "id": 7, "after": [1, 2]}


def test_an_object_without_the_array_is_refused():
    with pytest.raises(ImportFileError, match="has no 'messages' list"):
        list(reader('{"name": "x"}').array_in_object("messages", {}))


def test_a_cut_off_array_says_the_file_seems_cut_off():
    text = json.dumps(RECORDS)[:-10]
    with pytest.raises(ImportFileError, match="seems cut off"):
        list(reader(text).array())


def test_text_after_the_data_is_refused():
    r = reader("[1, 2] trailing")
    assert list(r.array()) == [1, 2]
    with pytest.raises(ImportFileError, match="goes on after the end of its data"):
        r.end()


def test_a_record_over_the_limit_is_refused_without_reading_on():
    text = json.dumps([{"big": "x" * 5000}, 1])
    with pytest.raises(ImportFileError, match="larger than"):
        list(reader(text, max_value=1000).array())


def test_bytes_that_are_not_utf8_are_named():
    r = JsonReader(io.BytesIO(b'["caf\xe9"]'), name="f.json", max_value=1000)
    with pytest.raises(ImportFileError, match="is not UTF-8"):
        list(r.array())


def test_a_byte_order_mark_is_allowed():
    r = JsonReader(io.BytesIO(b"\xef\xbb\xbf[1]"), name="f.json", max_value=1000)
    assert list(r.array()) == [1]


def test_lines_mark_a_long_line_and_a_last_line_without_a_break():
    stream = io.BytesIO(b"short\n" + b"x" * 50 + b"\nafter\nlast")
    got = [
        (line.number, line.data, line.complete, line.too_long)
        for line in lines(stream, name="f", max_bytes=10)
    ]
    assert got == [
        (1, b"short", True, False),
        (2, b"", True, True),
        (3, b"after", True, False),
        (4, b"last", False, False),
    ]
