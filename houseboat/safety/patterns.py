"""Find phone numbers, e-mail addresses and street addresses in a post's text.

Pattern-based, offline, and tuned to stay quiet on what campaign posts are full
of: dates, years, times, prices, counts, hashtags with digits and links.

Phone numbers: international numbers (+CC or 00CC, 8 to 15 digits) and the
common national formats (a trunk 0 and 10-11 digits as in Egypt, Iran, India,
Malaysia, Turkey and the UK; Indonesian 08 mobiles of up to 13 digits; US and
Brazilian area codes in brackets or not; Spanish groupings and the French
06 12 34 56 78; Indian 10-digit mobiles), in any digits (Arabic-Indic, Persian
and Devanagari digits are read as 0-9). The ``phonenumbers`` library would know every
country's plan; until it is installed these rules miss unusual national
formats (short numbers, 7-digit numbers without a separator) and can take a
long reference number written like a phone number for one.

Street addresses: a house number next to a street word, in English, Spanish,
Portuguese, French, German, Turkish, Arabic, Persian, Malay and Indonesian
(Jalan, Jl., Lorong, Gang; the Indonesian RT/RW neighbourhood numbers), and the
Indian house, flat, plot and lane numbers in English, Hinglish and Hindi
("H.No. 12", "गली नंबर 5"). They miss addresses
written without a house number or a street word ("the blue house behind the
mosque"), English addresses typed all in lower case, and every language not
listed; and they flag public addresses (a ministry, "10 Downing Street") as
readily as a safe house. A person decides.
"""

# ruff: noqa: RUF001, RUF003 -- letters of many scripts, and look-alikes, are the point here

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import regex

from houseboat.safety.text import ascii_digits


@dataclass(frozen=True)
class Found:
    """A piece of text that looks like something risky, and where it is."""

    start: int
    end: int
    text: str


# --- What to look past ---------------------------------------------------------------------

URL = regex.compile(
    r"(?:https?://|www\.)\S+|\b[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}/\S*", regex.IGNORECASE
)
HASHTAG_OR_MENTION = regex.compile(r"[#@＃][\w]+")


def masked(text: str, *patterns: regex.Pattern) -> str:
    """Return the text with every match of the patterns blanked out, positions kept."""
    for pattern in patterns:
        text = pattern.sub(lambda m: " " * len(m.group()), text)
    return text


# --- E-mail ----------------------------------------------------------------------------------

EMAIL = regex.compile(
    r"(?<![\w@.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.\p{L}{2,}(?!\w)"
    # "name [at] example [dot] org", the usual way of hiding an address from robots
    r"|(?<!\w)[\w.+-]+\s*[\[(]\s*at\s*[\])]\s*[\w-]+(?:\s*[\[(]\s*dot\s*[\])]\s*[\w-]+)+",
    regex.IGNORECASE,
)


def find_emails(text: str) -> list[Found]:
    """Return the e-mail addresses in a text; fediverse handles (@name@server) are not."""
    return [Found(m.start(), m.end(), m.group()) for m in EMAIL.finditer(text)]


# --- Phone numbers ---------------------------------------------------------------------------

# Spaces of every width, hyphens, dots, slashes and brackets separate digit groups.
SEPARATORS = " \u00a0\u2009\u202f\u2007.\\-\u2010\u2011\u2012\u2013/()"
PHONE_CANDIDATE = regex.compile(
    rf"(?<![\w+#@/:=.,$€£¥₹%-])"
    rf"(?:\(?(?:\+|00)\s?)?\(?\d[\d{SEPARATORS}]{{4,}}\d\)?"
    rf"(?![\w%]|[.,]\d|/\w)"
)
GROUPS = regex.compile(r"\d+")
SENTENCE_END = regex.compile(r"\.\s")
YEAR = regex.compile(r"(?:19|20)\d\d|1[34]\d\d")  # Gregorian and Solar Hijri years
DATE = regex.compile(r"\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}")
DAY_MONTH_YEAR = regex.compile(r"\d{1,2}[\s.]\d{1,2}[\s.](?:19|20|13|14)\d\d")
YEAR_RANGE = regex.compile(r"(?:19|20|13|14)\d\d\s*[-–/]\s*(?:(?:19|20|13|14)\d\d|\d\d)")
TIME_RANGE = regex.compile(r"\d{1,2}[.:]\d{2}\s*[-–]\s*\d{1,2}[.:]\d{2}")
IPV4 = regex.compile(r"\d{1,3}(?:\.\d{1,3}){3}")
THOUSANDS_DOTS = regex.compile(r"\d{1,3}(?:\.\d{3})+")
THOUSANDS_SPACES = regex.compile(r"\d{1,2}(?:[ \u00a0\u2009\u202f]\d{3})+")
# France writes a number as five pairs: 06 12 34 56 78, 01.23.45.67.89.
FRENCH_GROUPS = regex.compile(r"0[1-9](?:[ .-]\d\d){4}")


def find_phones(text: str) -> list[Found]:
    """Return the phone numbers in a text, in any script's digits."""
    digits = masked(ascii_digits(text), URL, EMAIL, HASHTAG_OR_MENTION)
    found = []
    for match in PHONE_CANDIDATE.finditer(digits):
        # A full stop and a space end a sentence, never a group of a phone number.
        start = match.start()
        for stop in [*SENTENCE_END.finditer(digits, start, match.end()), None]:
            end = stop.start() if stop else match.end()
            found += [Found(s, e, text[s:e]) for s, e in _phones_in(digits, start, end)]
            start = stop.end() if stop else end
    return found


def _phones_in(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    """Yield the phone numbers in a run of digit groups, longest first from the left.

    A run can hold two numbers ("010 1234 5678 / 012 9876 5432") or a number
    and a year: each is judged on its own.
    """
    groups = [(start + m.start(), start + m.end()) for m in GROUPS.finditer(text[start:end])]
    first = 0
    while first < len(groups):
        for last in range(len(groups), first, -1):
            piece_start = start if first == 0 else groups[first][0]
            piece = _trim(text, piece_start, groups[last - 1][1])
            if is_phone_number(text[piece[0] : piece[1]]):
                yield _with_closing_bracket(text, *piece, end)
                first = last
                break
        else:
            first += 1


def _with_closing_bracket(text: str, start: int, end: int, limit: int) -> tuple[int, int]:
    if end < limit and text[end] == ")" and text[start:end].count("(") > text[start:end].count(")"):
        return start, end + 1
    return start, end


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    """Drop what a candidate picked up before its + or first digit, and after its last digit."""
    while start < end and text[start] not in "+(0123456789":
        start += 1
    while end > start and not text[end - 1].isdigit():
        end -= 1
    return start, end


def is_phone_number(candidate: str) -> bool:
    """Tell whether a run of digits and separators is written like a phone number."""
    shape = candidate.strip("() ")
    groups = GROUPS.findall(shape)
    count = sum(len(group) for group in groups)
    if shape.startswith("+") or shape.lstrip("(").startswith("00"):
        international = count - (2 if shape.lstrip("(").startswith("00") else 0)
        return 8 <= international <= 15 and not _looks_like_a_date(shape, groups)
    longest = 13 if shape.startswith("08") else 12  # Indonesian mobiles: 08xx-xxxx-xxxxx
    if not 7 <= count <= longest or _looks_like_a_quantity_or_date(shape, groups):
        return False
    if FRENCH_GROUPS.fullmatch(shape):
        return True
    if len(groups) == 1:
        return _plain_run_is_a_phone(groups[0])
    if count <= 8:
        # "555-1234", "2345-6789"; "Resolution 2334 (2016)" is not a number to call.
        return bool(regex.fullmatch(r"\d{3,4}[-.]\d{4}", shape))
    return max(len(group) for group in groups) >= 3


def _plain_run_is_a_phone(run: str) -> bool:
    """Digits without separators: only the lengths and prefixes of mobile numbers."""
    if len(run) in (10, 11) and run.startswith("0"):
        return True  # 010..., 0912..., 07..., 0 + 10 digits in India, 0532... in Turkey
    if len(run) in (12, 13) and run.startswith("08"):
        return True  # Indonesian mobiles, 0812 3456 7890(1) without spaces
    if len(run) == 10:
        return run[0] in "23456789" and len(set(run)) > 2  # US, Indian mobiles
    return len(run) == 11 and run[2] == "9" and run[0] != "0"  # Brazilian mobile, AA 9XXXX-XXXX


def _looks_like_a_date(shape: str, groups: list[str]) -> bool:
    return bool(DATE.fullmatch(shape)) or ("/" in shape and any(YEAR.fullmatch(g) for g in groups))


def _looks_like_a_quantity_or_date(shape: str, groups: list[str]) -> bool:
    if _looks_like_a_date(shape, groups):
        return True
    if any(
        pattern.fullmatch(shape)
        for pattern in (DAY_MONTH_YEAR, YEAR_RANGE, TIME_RANGE, IPV4, THOUSANDS_DOTS)
    ):
        return True
    # "12 000 000" is a count; "612 345 678" is how Spain writes a mobile number.
    return bool(THOUSANDS_SPACES.fullmatch(shape)) or (
        len(groups) >= 3
        and all(len(g) == 3 for g in groups)
        and groups[0][0] not in "6789"
        and not regex.search(r"[-.()]", shape)
    )


# --- Street addresses ----------------------------------------------------------------------

HOUSE_NUMBER = r"\d{1,5}(?:\s?[a-zA-Z](?!\w))?"
# A number after a street's name, not a year ("Plaza de Mayo 1977" is a date, not a door).
DOOR = r"(?!(?:19|20|13|14)\d\d(?!\d))\d{1,5}(?!\d)"
MONTHS = (
    r"January|February|March|April|May|June|July|August|September|October|November|December|"
    r"Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec"
)
# Words of a street's name: capitalised, an ordinal (5th), or a linking word.
NAME_WORD = (
    r"(?:\p{Lu}[\p{L}'’.-]*|\d{1,3}(?:st|nd|rd|th)"
    r"|(?:of|the|de|la|del|los|las|do|da|dos|das|di|y|e)(?=\s))"
)
ENGLISH_STREETS = (
    r"Street|St\.?|Road|Rd\.?|Avenue|Ave\.?|Lane|Ln\.?|Boulevard|Blvd\.?|Drive|Way|"
    r"Place|Pl\.?|Close|Crescent|Terrace|Square|Sq\.?|Highway|Hwy\.?|Parkway"
)
IBERIAN_STREETS = (
    r"Calle|C/|Avenida|Avda\.?|Av\.|Paseo|Pº|Plaza|Pza\.?|Carrera|Cra\.?|Camino|Ronda|"
    r"Rua|R\.|Travessa|Tv\.|Alameda|Estrada|Praça|Jirón|Jr\.|Calzada|Diagonal|Transversal"
)
FRENCH_STREETS = r"rue|boulevard|bd|avenue|av\.|place|impasse|allée|quai|chemin|cours|route|passage"
FRENCH_LINKS = r"(?:(?:de la|de l'|de|du|des|d'|l'|la|le|les)\s*)*"
GERMANIC_STREETS = r"straße|strasse|str\.|weg|gasse|allee|platz|laan|straat|gade|gatan|vej|veien"
TURKISH_STREETS = (
    r"Sokak|Sokağı|Sokagi|Sok\.|Sk\.|Caddesi|Cadde|Cad\.|Cd\.|Bulvarı|Bulvari|Blv\.|"
    r"Mahallesi|Mah\."
)
ARABIC_STREETS = r"شارع|ش\.|ش|طريق|حارة|زقاق|جادة|عمارة"
ARABIC_NUMBER = rf"(?:رقم\s*:?\s*)?{DOOR}"
PERSIAN_STREETS = r"خیابان|خيابان|کوچه|كوچه|بلوار|بن‌بست|کوی|كوی|کوي"
# Malay and Indonesian: Jalan (road), Lorong and Gang (lane), Persiaran, Lebuh.
MALAY_STREETS = r"Jalan|Jln\.?|Jl\.|Lorong|Lrg\.|Gang|Gg\.|Persiaran|Lebuh|Lebuhraya"
MALAY_NUMBER = r"(?i:No|Nomor|Nombor|Nmr)\.?\s*:?\s*"
# India: house, flat, plot and lane numbers, in English, Hinglish and Hindi.
INDIAN_UNITS = r"(?i:house|h\.|flat|plot|gali|galli|makan|makaan)"
INDIAN_NUMBER = r"(?i:no\.?|number|num\.?|#)"
HINDI_UNITS = r"मकान|गली|फ्लैट|प्लॉट|प्लाट|घर|हाउस"
HINDI_NUMBER = r"नंबर|नम्बर|नं\.?|संख्या"

ADDRESS_PATTERNS = [
    # 12 Harbour Street, 221B Baker St, 350 5th Avenue (not "12 March St Patrick's")
    regex.compile(
        rf"(?<![\w/.,:-]){HOUSE_NUMBER},?\s+(?!(?:{MONTHS})\b)(?:{NAME_WORD}\s+){{1,4}}?"
        rf"(?:{ENGLISH_STREETS})(?!\w)"
    ),
    # Calle Mayor 12, Av. Paulista, 1578, Rua Augusta nº 123, C/ de la Paz, 3
    regex.compile(
        rf"(?<!\w)(?i:{IBERIAN_STREETS})\s*(?:{NAME_WORD}\s*){{1,6}},?\s*"
        rf"(?:(?i:n\.?\s?[º°o]\.?)\s*|#\s*)?{DOOR}"
    ),
    # Calle 26 # 13-19, Carrera 7 No. 12-34 (Colombian grid addresses)
    regex.compile(
        rf"(?<!\w)(?i:{IBERIAN_STREETS})\s*\d{{1,3}}\s?[a-zA-Z]?\s*(?:#|(?i:No\.?|Nº|N°))\s*"
        rf"\d{{1,3}}\s?[a-zA-Z]?\s*-\s*\d{{1,3}}"
    ),
    # 12 rue de la Paix, 5, boulevard Haussmann
    regex.compile(
        rf"(?<![\w/.-])\d{{1,4}}(?:\s?(?:bis|ter|[a-z])(?!\w))?,?\s+(?i:{FRENCH_STREETS})\s+"
        rf"(?i:{FRENCH_LINKS})\p{{Lu}}[\p{{L}}'’-]*"
    ),
    # Hauptstraße 5, Lindenweg 12a
    regex.compile(rf"(?<!\w)\p{{Lu}}[\p{{L}}-]*(?:{GERMANIC_STREETS})\s+{DOOR}\s?[a-z]?(?!\w)"),
    # Atatürk Caddesi No: 12, Gül Sokak No 5, bagdat caddesi no 45 (typed in lower case)
    regex.compile(
        rf"(?<!\w)(?:\p{{L}}+\s+)?(?i:{TURKISH_STREETS})\s*,?\s*(?i:No)\s*[:.]?\s*\d{{1,4}}"
    ),
    # ١٢ شارع النيل؛ شارع طلعت حرب رقم ٢٥
    regex.compile(
        rf"(?<![\w.,/-])\d{{1,5}}\s+(?:{ARABIC_STREETS})\s+\p{{Arabic}}+(?:\s+\p{{Arabic}}+)?"
    ),
    regex.compile(
        rf"(?<!\w)(?:{ARABIC_STREETS})\s+(?:\p{{Arabic}}+\s+){{1,3}}?،?\s*{ARABIC_NUMBER}"
    ),
    # خیابان انقلاب، کوچه ۱۲، پلاک ۵ (پلاک is the number on the door)
    regex.compile(r"(?<!\w)پلاک\s*:?\s*\d{1,5}"),
    regex.compile(rf"(?<!\w)(?:{PERSIAN_STREETS})\s+(?:\p{{Arabic}}+\s+){{0,3}}?،?\s*{DOOR}"),
    # Jl. Diponegoro No. 45, Jalan Sudirman No 12, Jln. Ampang 12 ("Jalan" is also "walk":
    # a spelt-out Jalan needs its No.)
    regex.compile(
        rf"(?<!\w)(?:{MALAY_STREETS})\s*(?:{NAME_WORD}\s*){{1,5}}?,?\s*{MALAY_NUMBER}{DOOR}"
    ),
    regex.compile(rf"(?<!\w)(?:Jln\.?|Jl\.)\s*(?:{NAME_WORD}\s*){{1,5}}?,?\s*{DOOR}(?!\w)"),
    # No. 12, Jalan Ampang; 12 Jalan Bukit Bintang
    regex.compile(
        rf"(?<![\w/.,:-])(?:{MALAY_NUMBER})?\d{{1,5}}\s?[A-Za-z]?,?\s+(?:{MALAY_STREETS})\s+"
        rf"\p{{Lu}}[\p{{L}}'’-]*(?:\s\p{{Lu}}[\p{{L}}'’-]*){{0,2}}"
    ),
    # RT 03/RW 05: the Indonesian neighbourhood and hamlet numbers
    regex.compile(r"(?<!\w)RT\.?\s*:?\s*\d{1,3}\s*/?\s*RW\.?\s*:?\s*\d{1,3}(?!\d)"),
    # House No. 12, H.No. 45, Flat No. 3B, gali no 5; मकान नंबर 12, गली नं. 5
    regex.compile(
        rf"(?<!\w){INDIAN_UNITS}\s*{INDIAN_NUMBER}\s*[:.]?\s*\d{{1,5}}(?:\s?[A-Za-z](?!\w))?"
    ),
    regex.compile(rf"(?<!\w)(?:{HINDI_UNITS})\s*(?:{HINDI_NUMBER})\s*:?\s*\d{{1,5}}"),
]


def find_addresses(text: str) -> list[Found]:
    """Return the street addresses in a text (see the module's note for what is missed)."""
    digits = masked(ascii_digits(text), URL, EMAIL, HASHTAG_OR_MENTION)
    spans: list[tuple[int, int]] = []
    for pattern in ADDRESS_PATTERNS:
        spans += [(m.start(), m.end()) for m in pattern.finditer(digits)]
    return [Found(start, end, text[start:end]) for start, end in merge(spans, digits)]


def merge(spans: list[tuple[int, int]], text: str = "") -> Iterator[tuple[int, int]]:
    """Yield overlapping spans, and spans only a comma apart in ``text``, joined into one."""
    current: tuple[int, int] | None = None
    for start, end in sorted(spans):
        if current and (start < current[1] or JOINER.fullmatch(text[current[1] : start])):
            current = (current[0], max(current[1], end))
            continue
        if current:
            yield current
        current = (start, end)
    if current:
        yield current


JOINER = regex.compile(r"\s*[,،]?\s*")
