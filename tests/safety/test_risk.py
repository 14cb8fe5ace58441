"""The review before posting: every planted risk is caught, an ordinary post passes in silence."""

# ruff: noqa: RUF001 -- posts in Arabic, Persian, Hindi, Spanish and others are the point

from pathlib import Path

import pytest
from django.db import connection

from houseboat.safety.constants import RiskKind, Severity
from houseboat.safety.media import clean_image
from houseboat.safety.models import DoNotName
from houseboat.safety.patterns import find_addresses, find_emails, find_phones
from houseboat.safety.risk import review, review_text
from houseboat.safety.services import review_post
from tests.safety import samples

# Ordinary campaign posts: dates, times, years, prices, counts, hashtags with digits,
# links, handles. Not one of them may raise a risk.
CLEAN_POSTS = [
    "March on Saturday 12 May 2024 at 14:30, from Tahrir Square. #FreeTheTen #Jan25",
    "Day 1,000 of detention. 1.250.000 people have signed: https://example.org/petition/01012345678",
    "The trial was postponed from 2023-11-05 to 05/02/2024. Hearing 10.30-12.00. #Trial2024",
    "Tickets £12.50, students £5. Donate $25 or EGP 1,500 — every pound counts.",
    "Between 2011 and 2013, 12 000 000 people took to the streets; in 2011–2024 we kept going.",
    "Follow @riverside and @ada@mastodon.social for updates; UN resolution 2334 (2016) applies.",
    "۱۴۰۱/۰۶/۲۵ — روزی که مهسا امینی درگذشت. #مهسا_امینی #Mahsa_Amini1401",
    "المحاكمة يوم ٢٠٢٤/٥/١ الساعة ١٠:٣٠ صباحاً. أكثر من ١٥٠٠ توقيع حتى الآن #الحرية_للعشرة",
    "Marcha el 8M a las 18:00 desde la Plaza de Mayo. Ya somos 25.000. https://www.example.org/8m",
    "Read the report (PDF, 2.4 MB): www.example.org/report-2024.pdf, pages 12-14.",
    "Watch live at 20:00 UTC+2. Donations: R$ 1.250,00 so far, ₹5,00,000 in India.",
    "Day 365 of the hunger strike. 3 people on the street tonight, 5 miles of candles.",
    "Tahrir Square, 25 January 2011: 18 days that changed Egypt. #18Days",
    "Madres de Plaza de Mayo since 1977. 30000 desaparecidos. #NuncaMás",
    "The petition reached 10000000 views, and 45% of MPs replied.",
    "Rassemblement le 12 05 2024 à 18h30, place de la République. Déjà 12 000 signatures.",
    "Aksi Kamisan ke-800 di depan Istana, Kamis 17.08.2024 pukul 16.00 WIB. #Kamisan",
    "Kami jalan kaki 12 km dari Jalan Sehat 2024 ke Istana. 5 jalan menuju keadilan.",
    "Himpunan pada 12 Mei 2024 jam 10 pagi di Dataran Merdeka, lebih 1,500 orang hadir.",
    "धरना 12 दिसंबर 2024 को सुबह 10 बजे जंतर मंतर पर। 1,500 लोग पहुंचे।",
    "Gali gali mein shor hai: 12 din se anshan. #JusticeFor12",
    "Kadıköy caddesinde 5 bin kişi yürüdü, 12.05.2024 saat 14:00. #Gezi10Yaşında",
    "میدان آزادی ۱۲۰ هزار نفر، ۱۴۰۱/۰۷/۰۸ ساعت ۱۸",
]


@pytest.mark.parametrize("post", CLEAN_POSTS)
def test_an_ordinary_post_raises_no_risk(post):
    assert review_text(post) == []


# --- Phone numbers ----------------------------------------------------------------------------

PHONES = {
    "Egypt, international": ("Call +20 10 1234 5678 tonight", "+20 10 1234 5678"),
    "Egypt, national": ("اتصل على 010 1234 5678", "010 1234 5678"),
    "Egypt, Arabic-Indic digits": ("رقمي ٠١٠١٢٣٤٥٦٧٨ للتواصل", "٠١٠١٢٣٤٥٦٧٨"),
    "Iran, international": ("Signal: +98 912 123 4567", "+98 912 123 4567"),
    "Iran, Persian digits": ("شماره من ۰۹۱۲ ۱۲۳ ۴۵۶۷ است", "۰۹۱۲ ۱۲۳ ۴۵۶۷"),
    "India, international": ("WhatsApp +91 98765 43210", "+91 98765 43210"),
    "India, mobile": ("call 9876543210 for lawyers", "9876543210"),
    "Brazil, international": ("Zap: +55 11 91234-5678", "+55 11 91234-5678"),
    "Brazil, national": ("Ligue (11) 91234-5678", "(11) 91234-5678"),
    "UK, international": ("Ring +44 20 7946 0958", "+44 20 7946 0958"),
    "UK, mobile": ("text 07700 900123", "07700 900123"),
    "US, international": ("Hotline +1 (555) 123-4567.", "+1 (555) 123-4567"),
    "US, national": ("Call (555) 123-4567 now", "(555) 123-4567"),
    "US, dotted": ("or 555.123.4567", "555.123.4567"),
    "Spain, mobile": ("Llama al 612 345 678", "612 345 678"),
    "international with 00": ("Tel. 0044 7700 900123", "0044 7700 900123"),
    "France, mobile in pairs": ("Appelez le 06 12 34 56 78 ce soir", "06 12 34 56 78"),
    "France, dotted pairs": ("tél. 01.23.45.67.89", "01.23.45.67.89"),
    "Malaysia, mobile": ("hubungi 012-345 6789 segera", "012-345 6789"),
    "Malaysia, international": ("WhatsApp +60 12-345 6789", "+60 12-345 6789"),
    "Indonesia, mobile": ("WA 0812-3456-7890 ya", "0812-3456-7890"),
    "Indonesia, mobile without spaces": ("nomornya 081234567890", "081234567890"),
    "Indonesia, 13 digits": ("hp 0812 3456 78901", "0812 3456 78901"),
    "Turkey, mobile": ("Arayın: 0532 123 45 67", "0532 123 45 67"),
    "Turkey, international": ("Tel +90 532 123 45 67", "+90 532 123 45 67"),
    "India, Devanagari digits": ("इसका नंबर ९८७६५४३२१० है", "९८७६५४३२१०"),
}


@pytest.mark.parametrize("case", PHONES.values(), ids=PHONES.keys())
def test_phone_numbers_are_found_in_many_countries_and_digits(case):
    post, number = case
    [risk] = review_text(post)
    assert risk.kind == RiskKind.PHONE
    assert risk.severity == Severity.HIGH
    assert post[risk.span[0] : risk.span[1]] == number
    assert risk.message == (
        f"A phone number ({number}) is in the text: anyone can call or track it."
    )


def test_two_numbers_in_one_run_are_two_risks():
    found = find_phones("Lawyers: 01012345678 / 01298765432, and a year 2024")
    assert [f.text for f in found] == ["01012345678", "01298765432"]


@pytest.mark.parametrize(
    "text",
    [
        "2024-05-01",
        "01/05/2024",
        "12.05.2024",
        "1998-99",
        "2011 – 2024",
        "10.30-12.00",
        "192.168.1.10",
        "#Jan25 #Aban1398",
        "example.org/12345678901",
        "ID 29803011234567",
        "1,234,567,890",
        "Resolution 2334 (2016)",
        "100 000 000",
    ],
)
def test_dates_years_counts_and_links_are_not_phone_numbers(text):
    assert find_phones(text) == []


# --- E-mail and street addresses ----------------------------------------------------------------


def test_e_mail_addresses_are_found_but_fediverse_handles_are_not():
    found = find_emails(
        "Write to ada@example.org or bob [at] riseup [dot] net; follow @ada@mastodon.social"
    )
    assert [f.text for f in found] == ["ada@example.org", "bob [at] riseup [dot] net"]
    [risk] = review_text("Contact: ada@example.org")
    assert risk.kind == RiskKind.EMAIL
    assert "ada@example.org" in risk.message


ADDRESSES = [
    ("Meet at 12 Harbour Street tonight", "12 Harbour Street"),
    ("Safe house: 221B Baker St", "221B Baker St"),
    ("Nos vemos en Calle Mayor 12, Madrid", "Calle Mayor 12"),
    ("Av. Paulista, 1578 às 18h", "Av. Paulista, 1578"),
    ("Carrera 7 # 12-34, Bogotá", "Carrera 7 # 12-34"),
    ("au 12 rue de la Paix", "12 rue de la Paix"),
    ("Treffpunkt Hauptstraße 5", "Hauptstraße 5"),
    ("Atatürk Caddesi No: 12", "Atatürk Caddesi No: 12"),
    ("الاجتماع في ١٢ شارع النيل", "١٢ شارع النيل"),
    ("شارع طلعت حرب رقم ٢٥", "شارع طلعت حرب رقم ٢٥"),
    ("تهران، خیابان انقلاب، کوچه ۱۲، پلاک ۵", "کوچه ۱۲، پلاک ۵"),
    ("تهران، کوی دانشگاه ۱۲", "کوی دانشگاه ۱۲"),
    ("bagdat caddesi no 45 Kadıköy", "bagdat caddesi no 45"),
    ("Rumahnya di Jl. Diponegoro No. 45, Jakarta", "Jl. Diponegoro No. 45"),
    ("Kantor di Jalan Sudirman No 12 lantai 3", "Jalan Sudirman No 12"),
    ("tinggal di Jln. Ampang 12, KL", "Jln. Ampang 12"),
    ("No. 12, Jalan Ampang, Kuala Lumpur", "No. 12, Jalan Ampang"),
    ("duduk di 12 Jalan Bukit Bintang", "12 Jalan Bukit Bintang"),
    ("Gang Mawar RT 03/RW 05 Depok", "RT 03/RW 05"),
    ("uska ghar H.No. 45, sector 15", "H.No. 45"),
    ("House No. 12, MG Road", "House No. 12, MG Road"),
    ("पता: मकान नंबर 12, गली नंबर 5, दिल्ली", "मकान नंबर 12, गली नंबर 5"),
]


@pytest.mark.parametrize(("post", "address"), ADDRESSES)
def test_street_addresses_are_found_in_several_languages(post, address):
    assert [f.text for f in find_addresses(post)] == [address]
    [risk] = review_text(post)
    assert risk.kind == RiskKind.ADDRESS


@pytest.mark.parametrize(
    "text",
    [
        "We walked 5 miles down the road",
        "On 12 March St Patrick's day",
        "the 3 High Court judges",
        "Madres de Plaza de Mayo 1977",
        "salimos a la calle 5 veces",
        "أحداث شارع محمد محمود 2011",
        "خیابان انقلاب شلوغ بود",
        "Jalan Sehat 5K bersama warga",
        "kami jalan 12 km",
        "RT @amina 12 kali",
        "गली गली में 12 लोग",
    ],
)
def test_streets_without_a_door_number_are_not_addresses(text):
    assert find_addresses(text) == []


# --- The do-not-name list -----------------------------------------------------------------------

NAMES = [("José Martínez", "witness in the Riverside trial"), ("فاطمة أحمد", ""), ("Ali", "")]


@pytest.mark.parametrize(
    ("post", "found"),
    [
        ("Free JOSE MARTINEZ now", "JOSE MARTINEZ"),
        ("josé   martínez spoke today", "josé   martínez"),
        ("الحرية لفاطمه احمد", "لفاطمه احمد"),
        ("وفاطمةُ أحمد معنا", "وفاطمةُ أحمد"),
        ("Ali was released", "Ali"),
    ],
)
def test_listed_names_are_found_whatever_the_case_accents_or_arabic_spelling(post, found):
    [risk] = review_text(post, NAMES)
    assert risk.kind == RiskKind.DO_NOT_NAME
    assert post[risk.span[0] : risk.span[1]] == found


def test_a_listed_name_inside_another_word_is_not_found():
    assert review_text("Alison and Italia met Alibaba", NAMES) == []


def test_the_note_on_the_list_is_in_the_message():
    [risk] = review_text("Thanks to José Martínez", NAMES)
    assert "witness in the Riverside trial" in risk.message


def test_a_name_in_a_script_without_spaces_is_found_inside_a_sentence():
    [risk] = review_text("我们支持王小明的家人", [("王小明", "")])
    assert risk.span == (4, 7)


def test_review_post_reads_the_team_list_which_is_encrypted_at_rest(team_a, alice):
    DoNotName.objects.create(team=team_a, name="Amina Saleh", note="family asked", added_by=alice)
    [risk] = review_post("Solidarity with amina saleh!", [], team=team_a)
    assert risk.kind == RiskKind.DO_NOT_NAME
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, note FROM safety_donotname")
        stored = " ".join(cursor.fetchone())
    assert "Amina" not in stored and "family" not in stored


def test_another_teams_list_does_not_apply(team_a, team_b):
    DoNotName.objects.create(team=team_b, name="Amina Saleh")
    assert review_post("Solidarity with Amina Saleh", [], team=team_a) == []


def test_a_post_with_several_risks_lists_them_in_reading_order():
    post = "Amina Saleh is at 12 Harbour Street, call 07700 900123 or mail amina@example.org"
    risks = review_text(post, [("Amina Saleh", "")])
    assert [risk.kind for risk in risks] == [
        RiskKind.DO_NOT_NAME,
        RiskKind.ADDRESS,
        RiskKind.PHONE,
        RiskKind.EMAIL,
    ]


# --- Pictures and videos -------------------------------------------------------------------------


def test_a_camera_photo_shows_its_location_and_metadata(tmp_path):
    photo = samples.camera_jpeg(tmp_path / "march.jpg")
    risks = review("", [photo], team=None, check_faces=False)
    assert [risk.kind for risk in risks] == [RiskKind.LOCATION, RiskKind.METADATA]
    assert all(risk.path == photo and risk.span is None for risk in risks)
    assert "GPS" in risks[0].message
    assert "serial numbers" in risks[1].message


def test_a_png_with_text_chunks_shows_metadata(tmp_path):
    picture = samples.text_png(tmp_path / "poster.png")
    kinds = {risk.kind for risk in review("", [picture], team=None, check_faces=False)}
    assert RiskKind.METADATA in kinds


def test_a_cleaned_photo_raises_nothing(tmp_path):
    photo = samples.camera_jpeg(tmp_path / "march.jpg")
    cleaned = clean_image(photo, tmp_path / "clean.jpg").path
    assert review("", [cleaned], team=None, check_faces=False) == []


def test_faces_that_are_not_blurred_are_counted(tmp_path):
    risks = review("", [samples.astronaut_path()], team=None)
    [risk] = [risk for risk in risks if risk.kind == RiskKind.FACES]
    assert risk.message.startswith("1 face in astronaut.png is not blurred")


def test_blurred_faces_raise_nothing(tmp_path):
    blurred = clean_image(samples.astronaut_path(), tmp_path / "blurred.png", blur_faces=True)
    assert review("", [blurred.path], team=None) == []


def test_a_video_is_named_as_not_checked(tmp_path):
    video = samples.titled_video(tmp_path / "clip.mp4")
    [risk] = review("", [video], team=None)
    assert (risk.kind, risk.severity) == (RiskKind.UNCHECKED, Severity.LOW)


def test_a_damaged_or_foreign_file_is_named_as_not_checked(tmp_path):
    broken = tmp_path / "broken.jpg"
    broken.write_bytes(b"\xff\xd8\xff\xe0" + b"\0" * 40)
    document = tmp_path / "leak.pdf"
    document.write_bytes(b"%PDF-1.7 ...")
    risks = review("", [broken, document], team=None)
    assert [(risk.kind, risk.severity) for risk in risks] == [
        (RiskKind.UNCHECKED, Severity.HIGH),
        (RiskKind.UNCHECKED, Severity.HIGH),
    ]
    assert "broken.jpg could not be checked" in risks[0].message


def test_the_planted_risks_of_a_post_are_all_caught_and_a_clean_post_passes(tmp_path, team_a):
    DoNotName.objects.create(team=team_a, name="Amina Saleh")
    photo = samples.camera_jpeg(tmp_path / "march.jpg")
    risky = review_post(
        "Amina Saleh speaks at 12 Harbour Street; call +44 20 7946 0958",
        [photo, samples.astronaut_path()],
        team=team_a,
    )
    assert {risk.kind for risk in risky} == {
        RiskKind.DO_NOT_NAME,
        RiskKind.ADDRESS,
        RiskKind.PHONE,
        RiskKind.LOCATION,
        RiskKind.METADATA,
        RiskKind.FACES,
    }
    cleaned = clean_image(photo, tmp_path / "clean.jpg").path
    assert review_post(CLEAN_POSTS[0], [Path(cleaned)], team=team_a) == []
