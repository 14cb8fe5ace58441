"""Facebook's download as people have it: one JSON file on its own, titles, polls."""

import pytest

from houseboat.listening.imports import run_import
from houseboat.listening.models import Item
from houseboat.listening.search import search
from tests.listening.samples import FB_ARABIC, FB_OWNER, facebook_files, fb_json, fb_post, write

pytestmark = pytest.mark.django_db


def test_a_single_posts_file_from_the_download_is_imported(campaign_a, tmp_path):
    name = "posts/your_posts_1.json"
    path = write(tmp_path / "your_posts_1.json", facebook_files()[name])
    capture = run_import(campaign=campaign_a, format="facebook-dyi", path=path)
    assert capture.items_new == 3
    assert Item.objects.filter(text=FB_ARABIC).exists()


def test_a_single_comments_file_is_read_as_comments(campaign_a, tmp_path):
    path = write(tmp_path / "comments.json", facebook_files()["comments/comments.json"])
    run_import(campaign=campaign_a, format="facebook-dyi", path=path)
    item = Item.objects.get()
    assert (item.text, item.author.handle) == ("Thank you for sharing", FB_OWNER)


def test_the_same_post_from_the_zip_and_from_its_file_is_one_item(campaign_a, tmp_path):
    from tests.listening.samples import zip_files

    files = facebook_files()
    run_import(
        campaign=campaign_a, format="facebook-dyi", path=zip_files(tmp_path / "fb.zip", files)
    )
    before = Item.objects.count()
    alone = write(tmp_path / "your_posts_1.json", files["posts/your_posts_1.json"])
    again = run_import(campaign=campaign_a, format="facebook-dyi", path=alone)
    assert (again.items_new, Item.objects.count()) == (0, before)


def test_a_post_without_words_is_known_by_its_title_and_a_poll_by_its_options(campaign_a, tmp_path):
    poll = {
        "data": [
            {
                "poll": {
                    "question": "Which day for the vigil?",
                    "options": [
                        {"option": "Friday", "voted": True},
                        {"option": "Sábado", "voted": False},
                    ],
                }
            }
        ]
    }
    entries = [
        fb_post(1716891300, title=f"{FB_OWNER} shared a memory."),
        fb_post(1716891400, "Vote please", title=f"{FB_OWNER} created a poll.", attachments=[poll]),
    ]
    path = write(tmp_path / "your_posts_1.json", fb_json(entries))
    run_import(campaign=campaign_a, format="facebook-dyi", path=path)
    texts = sorted(Item.objects.values_list("text", flat=True))
    assert texts == [
        f"{FB_OWNER} shared a memory.",
        "Vote please\nWhich day for the vigil?\n• Friday\n• Sábado",
    ]
    assert search(campaign_a, "sábado").total == 1
