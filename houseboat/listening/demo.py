"""The demo campaign's archive, brought in through the real importers.

Small sample files in each platform's export format are written to a temporary
folder and imported with ``run_import``, exactly as a team would import its own:
X API v2 NDJSON (as twarc2 writes it), a Telegram channel's result.json, a Facebook
Page's "Download your information" ZIP (with its mis-encoded UTF-8) and an
organisers' WhatsApp chat. Everything in them is invented: the country, the
people, the accounts and the events. Times are set relative to now, so the demo
always shows a campaign that is going on.
"""

from __future__ import annotations

import io
import json
import tempfile
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from django.utils import timezone

from houseboat.campaigns.models import Campaign
from houseboat.core.models import User
from houseboat.listening.imports import run_import
from houseboat.listening.models import Capture, ItemMedia

CAMPAIGN_ACCOUNT = ("1600000000000000001", "freeriverside10", "Free the Riverside Ten")
X_ACCOUNTS = {
    "campaign": CAMPAIGN_ACCOUNT,
    "union": ("1600000000000000002", "harbourpressunion", "Harbour Press Union"),
    "lina": ("1600000000000000003", "lina_haddad_news", "Lina Haddad"),
    "marta": ("1600000000000000004", "mvalverde_periodista", "Marta Valverde"),
    "watch": ("1600000000000000005", "portverenewatch", "Port Verene Rights Watch"),
    "desk": ("1600000000000000006", "rightsdesk_intl", "Rights Desk"),
    "sam": ("1600000000000000007", "sam_okafor", "Sam Okafor"),
    "noor": ("1600000000000000008", "noor_writes", "نور"),
}

# (key, author, hours ago, language, text, hashtags, reference)
X_POSTS: list[tuple[str, str, float, str, str, tuple[str, ...], tuple[str, str] | None]] = [
    (
        "01",
        "campaign",
        230,
        "en",
        "Day 60. Ten reporters of the Riverside Courier are still held without charge in "
        "Port Verene. Three have not seen a lawyer. #FreeRiverside10 #PressFreedom",
        ("FreeRiverside10", "PressFreedom"),
        None,
    ),
    (
        "02",
        "lina",
        220,
        "ar",
        "ستون يوماً خلف القضبان دون تهمة. عشرة صحفيين من ريفرسايد كورير ما زالوا محتجزين "
        "في بورت فيرين. #FreeRiverside10 #حرية_الصحافة",
        ("FreeRiverside10", "حرية_الصحافة"),
        None,
    ),
    (
        "03",
        "marta",
        212,
        "es",
        "Diez periodistas detenidos sin cargos desde septiembre en Port Verene. "
        "El periodismo no es delito. #FreeRiverside10 #JournalismIsNotACrime",
        ("FreeRiverside10", "JournalismIsNotACrime"),
        None,
    ),
    (
        "04",
        "sam",
        200,
        "en",
        "RT @freeriverside10: Day 60. Ten reporters of the Riverside Courier are still held "
        "without charge in Port Verene. Three have not seen a lawyer. #FreeRiverside10",
        ("FreeRiverside10",),
        ("retweeted", "01"),
    ),
    (
        "05",
        "watch",
        190,
        "en",
        "@freeriverside10 We have written to the Ministry of Justice asking why three of the "
        "ten have had no lawyer: https://example.org/letter-to-the-ministry",
        (),
        ("replied_to", "01"),
    ),
    (
        "06",
        "union",
        150,
        "en",
        "Solidarity with our colleagues at the Courier. Join the silent vigil on Friday, 6 pm, "
        "14 Quay Street. Bring a candle, not a sign. #FreeRiverside10 #PressFreedom",
        ("FreeRiverside10", "PressFreedom"),
        None,
    ),
    (
        "07",
        "desk",
        120,
        "en",
        "Article 41 of Port Verene's Public Order Act allows 90 days of detention without "
        "charge, renewable. It must go. #PressFreedom #JournalismIsNotACrime",
        ("PressFreedom", "JournalismIsNotACrime"),
        None,
    ),
    (
        "08",
        "noor",
        96,
        "ar",
        "العائلات تنتظر منذ شهرين دون زيارة واحدة. الصحافة ليست جريمة. #FreeRiverside10",
        ("FreeRiverside10",),
        None,
    ),
    (
        "09",
        "marta",
        70,
        "es",
        "Vigilia el viernes a las 18h frente al Riverside Courier, Quay Street 14. "
        "Traed velas, no pancartas. #FreeRiverside10",
        ("FreeRiverside10",),
        None,
    ),
    (
        "10",
        "sam",
        60,
        "en",
        "RT @harbourpressunion: Solidarity with our colleagues at the Courier. Join the silent "
        "vigil on Friday, 6 pm, 14 Quay Street. #FreeRiverside10",
        ("FreeRiverside10",),
        ("retweeted", "06"),
    ),
    (
        "11",
        "campaign",
        30,
        "en",
        "Thank you to everyone who wrote to their MP: Deputy Sarr has tabled a written "
        "question on the ten. An answer is due within 21 days. #FreeRiverside10",
        ("FreeRiverside10",),
        None,
    ),
    (
        "12",
        "lina",
        20,
        "ar",
        "سؤال مكتوب في البرلمان عن الصحفيين العشرة. شكراً لكل من كتب لنائبه. #FreeRiverside10",
        ("FreeRiverside10",),
        ("quoted", "11"),
    ),
]

TELEGRAM_POSTS = [
    (200, "تحديث: ثلاثة من الصحفيين العشرة لم يقابلوا محامياً حتى الآن. #FreeRiverside10", False),
    (140, "Photos from Friday's vigil outside the Courier: hundreds of candles. Thank you.", True),
    (50, "La pregunta parlamentaria ya está registrada. Seguimos. #FreeRiverside10", False),
]

FACEBOOK_POSTS = [
    (180, "Sixty days without charge is punishment without trial. #FreeRiverside10", False),
    (
        110,
        "¡Gracias a todas las personas que vinieron a la vigilia! Próximo paso: escribir a "
        "su diputado. #FreeRiverside10",
        True,
    ),
    (40, "الحرية للصحفيين العشرة. شاركوا المنشور. #FreeRiverside10", False),
]

WHATSAPP_CHAT = [
    (170, "Amina", "Permit for Friday is confirmed: vigil only, no banners."),
    (169, "Daniel", "I'll bring the candles. Who can print the ten portraits?"),
    (168, "Lucía", "Yo me encargo de los retratos.\nLos tengo el jueves."),
    (30, "Amina", "Deputy Sarr tabled the question! Post on all channels tonight."),
]


def ago(now: datetime, hours: float) -> datetime:
    return now - timedelta(hours=hours)


def iso_z(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def post_id(key: str) -> str:
    return f"18620000000000000{key}"


def x_ndjson(now: datetime) -> bytes:
    """One twarc2 search page holding the sample posts, their authors and a picture stub."""
    tweets = []
    for key, who, hours, lang, text, hashtags, reference in X_POSTS:
        author_id = X_ACCOUNTS[who][0]
        tweet: dict[str, Any] = {
            "id": post_id(key),
            "text": text,
            "author_id": author_id,
            "created_at": iso_z(ago(now, hours)),
            "conversation_id": post_id(reference[1] if reference else key),
            "lang": lang,
            "edit_history_tweet_ids": [post_id(key)],
            "public_metrics": {
                "retweet_count": int(400 / (1 + hours / 24)),
                "reply_count": 3,
                "like_count": int(900 / (1 + hours / 24)),
                "quote_count": 1,
                "impression_count": int(20000 / (1 + hours / 24)),
            },
        }
        if hashtags:
            tweet["entities"] = {
                "hashtags": [
                    {"start": text.find("#" + t), "end": text.find("#" + t) + len(t) + 1, "tag": t}
                    for t in hashtags
                ]
            }
        if reference:
            tweet["referenced_tweets"] = [{"type": reference[0], "id": post_id(reference[1])}]
        if key == "01":
            tweet["attachments"] = {"media_keys": ["3_1862000000000000901"]}
        tweets.append(tweet)
    page = {
        "data": tweets[::-1],
        "includes": {
            "users": [
                {"id": rid, "username": handle, "name": name}
                for rid, handle, name in X_ACCOUNTS.values()
            ],
            "media": [
                {
                    "media_key": "3_1862000000000000901",
                    "type": "photo",
                    "url": "https://pbs.twimg.com/media/demo-ten-portraits.jpg",
                    "alt_text": "Ten portraits of the detained reporters on the Courier's wall",
                }
            ],
        },
        "meta": {"result_count": len(tweets)},
        "__twarc": {
            "url": "https://api.twitter.com/2/tweets/search/recent?query=%23FreeRiverside10",
            "version": "2.14.0",
            "retrieved_at": now.isoformat(),
        },
    }
    return json.dumps(page, ensure_ascii=False).encode("utf-8") + b"\n"


def picture(colour: tuple[int, int, int]) -> bytes:
    """A small plain picture for the sample posts (candle-light colours, no people)."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (320, 200), (24, 28, 40))
    draw = ImageDraw.Draw(image)
    for n in range(10):
        x = 20 + n * 30
        draw.rectangle((x, 120, x + 10, 170), fill=(235, 230, 215))
        draw.ellipse((x + 1, 100, x + 9, 118), fill=colour)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def telegram_export(folder: Path, now: datetime) -> Path:
    """A Telegram Desktop export of the campaign's channel, with one photo."""
    messages = []
    (folder / "photos").mkdir(parents=True)
    for number, (hours, text, with_photo) in enumerate(TELEGRAM_POSTS, start=2):
        moment = ago(now, hours)
        message: dict[str, Any] = {
            "id": number,
            "type": "message",
            "date": moment.strftime("%Y-%m-%dT%H:%M:%S"),
            "date_unixtime": str(int(moment.timestamp())),
            "from": CAMPAIGN_ACCOUNT[2],
            "from_id": "channel1862000001",
            "text": text,
            "text_entities": [{"type": "plain", "text": text}],
        }
        if with_photo:
            name = f"photos/photo_{number}@vigil.jpg"
            (folder / name).write_bytes(picture((255, 190, 80)))
            message["photo"] = name
        messages.append(message)
    export = {
        "name": CAMPAIGN_ACCOUNT[2],
        "type": "public_channel",
        "id": 1862000001,
        "messages": messages,
    }
    path = folder / "result.json"
    path.write_text(json.dumps(export, ensure_ascii=False, indent=1), encoding="utf-8")
    return path


def mojibake(text: str) -> str:
    """Write text as Facebook's export does: each UTF-8 byte as its own character."""
    return text.encode("utf-8").decode("latin-1")


def facebook_zip(path: Path, now: datetime) -> Path:
    """A Facebook Page's "Download your information" ZIP, mis-encoded as Facebook writes it."""
    name = CAMPAIGN_ACCOUNT[2]
    posts, files = [], {}
    for number, (hours, text, with_photo) in enumerate(FACEBOOK_POSTS):
        entry: dict[str, Any] = {
            "timestamp": int(ago(now, hours).timestamp()),
            "data": [{"post": mojibake(text)}],
            "title": mojibake(f"{name} updated their status."),
        }
        if with_photo:
            uri = f"posts/media/TimelinePhotos_Rv10/vigil_{number}_n.jpg"
            files[uri] = picture((255, 160, 60))
            entry["attachments"] = [
                {"data": [{"media": {"uri": uri, "title": "Timeline Photos", "description": ""}}]}
            ]
        posts.append(entry)
    profile = {"profile_v2": {"name": {"full_name": mojibake(name)}}}
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("profile_information/profile_information.json", json.dumps(profile))
        archive.writestr("posts/your_posts_1.json", json.dumps(posts, indent=2))
        for uri, data in files.items():
            archive.writestr(uri, data)
    return path


def whatsapp_chat(path: Path, now: datetime) -> Path:
    """The organisers' group chat as an Android phone exports it (day first, 24 hours)."""
    lines = [
        f"{ago(now, 171):%d/%m/%Y, %H:%M} - Messages and calls are end-to-end encrypted. "
        "No one outside of this chat, not even WhatsApp, can read or listen to them."
    ]
    for hours, sender, text in WHATSAPP_CHAT:
        lines.append(f"{ago(now, hours):%d/%m/%Y, %H:%M} - {sender}: {text}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def seed_archive(campaign: Campaign, *, actor: User | None = None) -> list[Capture]:
    """Write the sample exports and import them into the campaign, as a team would."""
    now = timezone.now().replace(microsecond=0)
    captures = []
    with tempfile.TemporaryDirectory(prefix="houseboat-demo-exports-") as tmp:
        folder = Path(tmp)
        x_file = folder / "freeriverside10-search.jsonl"
        x_file.write_bytes(x_ndjson(now))
        sources: list[tuple[str, Path, dict[str, str]]] = [
            ("x-ndjson", x_file, {}),
            ("telegram-json", telegram_export(folder / "ChatExport_demo", now), {}),
            ("facebook-dyi", facebook_zip(folder / "facebook-freeriverside10.zip", now), {}),
            (
                "whatsapp-txt",
                whatsapp_chat(folder / "WhatsApp Chat with Riverside organisers.txt", now),
                {"date_order": "dmy", "timezone": "UTC"},
            ),
        ]
        for format, path, options in sources:
            captures.append(
                run_import(
                    campaign=campaign, format=format, path=path, actor=actor, options=options
                )
            )
    mark_example_picture(campaign, actor=actor)
    return captures


def mark_example_picture(campaign: Campaign, *, actor: User | None = None) -> None:
    """Mark the Facebook vigil picture graphic, so the Archive shows what the shield does.

    The picture is harmless (candles); the reason says so.
    """
    from houseboat.safety.graphic import mark_graphic  # safety builds on the archive

    pictures = ItemMedia.objects.filter(
        item__campaign=campaign, item__network="facebook", blob__isnull=False
    )
    sha256 = pictures.values_list("blob_id", flat=True).first()
    if sha256:
        mark_graphic(
            campaign.team,
            sha256,
            by=actor,
            reason="An example: this picture of candles is harmless",
        )
