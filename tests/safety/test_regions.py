"""The region editor: faces fixed by hand before publishing, from an encrypted unblurred copy."""

from io import BytesIO
from pathlib import Path

import numpy as np
import pytest
from django.conf import settings
from PIL import Image

from houseboat.core.crypto import fernet
from houseboat.core.models import Membership
from houseboat.publishing import services
from houseboat.publishing.constants import PostStatus
from houseboat.publishing.models import Attachment, Post
from houseboat.safety import regions
from houseboat.safety.boxes import Box
from houseboat.safety.media import describe_metadata
from houseboat.safety.models import MediaRegions
from houseboat.safety.services import review_post
from tests.safety import samples
from tests.safety.test_faces import ASTRONAUT_FACE, detail_correlation, grey

# Lower right of the astronaut photo: the suit and the flag, busy with detail, no face.
NO_FACE = Box(380, 330, 480, 430)
# The same area as a person would type it, in percent of the 512 x 512 picture.
NO_FACE_PERCENT = {"new_x": "74.3", "new_y": "64.5", "new_w": "19.4", "new_h": "19.4"}


def astronaut_with_metadata(folder: Path) -> Path:
    """The astronaut as a phone would send it: a JPEG with GPS, camera, XMP and a comment."""
    path = folder / "IMG_astronaut.jpg"
    with Image.open(samples.astronaut_path()) as picture:
        picture.convert("RGB").save(
            path,
            "JPEG",
            quality=95,
            exif=samples.exif_block(),
            xmp=samples.XMP,
            comment=samples.COMMENT,
        )
    return path


def membership(user) -> Membership:
    return Membership.objects.get(user=user)


def draft(user, campaign) -> Post:
    return services.create_post(membership=membership(user), text="The march", campaign=campaign)


def attach(user, post: Post, folder: Path, *, blur_faces: bool = True) -> Attachment:
    return services.add_attachment(
        membership(user), post, astronaut_with_metadata(folder), blur_faces=blur_faces
    )


def published(attachment: Attachment) -> Image.Image:
    attachment.refresh_from_db()
    with Image.open(attachment.file.path) as picture:
        return picture.convert("RGB")


def unblurred(attachment: Attachment) -> Image.Image:
    record = MediaRegions.objects.get(attachment=attachment)
    with Image.open(BytesIO(regions.read_source(record))) as picture:
        return picture.convert("RGB")


def kept_rows(record: MediaRegions, *, remove: tuple[int, ...] = ()) -> dict:
    """The form as the page sends it: every stored box, each blurred, some ticked for removal."""
    data: dict[str, list[str]] = {
        name: [] for name in ("key", "x0", "y0", "x1", "y1", "source", "score", "blur")
    }
    data["remove"] = []
    for index, region in enumerate(record.regions):
        key = str(index)
        data["key"].append(key)
        for name in ("x0", "y0", "x1", "y1", "source", "score"):
            data[name].append(str(region[name]))
        data["blur"].append(key)
        if index in remove:
            data["remove"].append(key)
    return data


def editor_url(attachment: Attachment) -> str:
    return f"/t/team-a/safety/pictures/{attachment.pk}/faces/"


def source_url(attachment: Attachment) -> str:
    return f"/t/team-a/safety/pictures/{attachment.pk}/unblurred/"


@pytest.fixture
def picture(bob, campaign_a, tmp_path) -> Attachment:
    return attach(bob, draft(bob, campaign_a), tmp_path)


# --- At upload ---------------------------------------------------------------------------


def test_attaching_a_picture_keeps_its_face_boxes_and_an_encrypted_unblurred_copy(picture):
    record = MediaRegions.objects.get(attachment=picture)

    assert record.faces_checked
    assert (record.width, record.height) == (512, 512)
    [face] = record.regions
    assert face["source"] == "detected" and face["blur"] is True and face["score"] > 0.5
    assert Box.from_dict(face).iou(ASTRONAUT_FACE) > 0.6

    stored = regions.private_folder() / record.source_name
    assert not stored.resolve().is_relative_to(Path(settings.MEDIA_ROOT).resolve())
    on_disk = stored.read_bytes()
    assert not on_disk.startswith(b"\xff\xd8") and not on_disk.startswith(b"\x89PNG")
    clear = fernet().decrypt(on_disk)
    assert clear.startswith(b"\xff\xd8\xff")
    assert samples.leftovers_in(clear) == []

    # The published face is blurred; the kept copy is not.
    face_box = Box.from_dict(face)
    source, shown = unblurred(picture), published(picture)
    assert detail_correlation(grey(source, face_box), grey(shown, face_box)) < 0.3
    with Image.open(samples.astronaut_path()) as original:
        original_face = grey(original.convert("RGB"), face_box)
    assert detail_correlation(original_face, grey(source, face_box)) > 0.9


def test_a_picture_attached_without_blur_is_flagged_until_someone_checks_its_faces(
    bob, campaign_a, tmp_path, as_bob
):
    post = draft(bob, campaign_a)
    attachment = attach(bob, post, tmp_path, blur_faces=False)
    record = MediaRegions.objects.get(attachment=attachment)
    assert record.regions == [] and not record.faces_checked

    risks = review_post("", [attachment.file.path], team=post.team, check_faces=False)
    assert any("Nobody has checked a picture" in risk.message for risk in risks)
    page = as_bob.get(f"/t/team-a/publish/{post.pk}/edit/").content.decode()
    assert "Faces not checked." in page and editor_url(attachment) in page

    response = as_bob.post(editor_url(attachment), {"action": "find"})
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.faces_checked and len(record.regions) == 1
    assert not review_post("", [published_path(attachment)], team=post.team, check_faces=False)
    page = as_bob.get(f"/t/team-a/publish/{post.pk}/edit/").content.decode()
    assert "Check faces (1 found)" in page


def published_path(attachment: Attachment) -> str:
    attachment.refresh_from_db()
    return attachment.file.path


# --- Who may see and change it -----------------------------------------------------------


def test_the_unblurred_picture_needs_sign_in_and_the_team_and_is_never_cached(
    picture, as_bob, as_mallory, client
):
    response = as_bob.get(source_url(picture))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert "no-store" in response["Cache-Control"]
    assert response.content.startswith(b"\xff\xd8\xff")

    assert client.get(source_url(picture)).status_code == 302  # to the sign-in page
    assert as_mallory.get(source_url(picture)).status_code == 404
    assert as_mallory.get(editor_url(picture)).status_code == 404
    assert as_mallory.post(editor_url(picture), NO_FACE_PERCENT).status_code == 404


def test_a_viewer_and_another_contributor_cannot_see_or_change_the_regions(
    picture, as_victor, as_charlie
):
    for person in (as_victor, as_charlie):
        assert person.get(editor_url(picture)).status_code == 403
        assert person.get(source_url(picture)).status_code == 403
        assert person.post(editor_url(picture), NO_FACE_PERCENT).status_code == 403
    assert len(MediaRegions.objects.get(attachment=picture).regions) == 1


def test_a_contributor_fixes_the_faces_of_their_own_draft(charlie, campaign_a, tmp_path):
    from tests.conftest import client_for

    attachment = attach(charlie, draft(charlie, campaign_a), tmp_path)
    as_charlie = client_for(charlie)
    page = as_charlie.get(editor_url(attachment))
    assert page.status_code == 200
    assert "Check faces in this picture" in page.content.decode()
    assert as_charlie.get(source_url(attachment)).status_code == 200


# --- Changing the regions ----------------------------------------------------------------


def test_a_box_drawn_by_hand_blurs_that_area_and_leaves_the_rest_of_the_picture(picture, as_bob):
    record = MediaRegions.objects.get(attachment=picture)
    old_file = Path(picture.file.path)
    before = published(picture)

    response = as_bob.post(editor_url(picture), {**kept_rows(record), **NO_FACE_PERCENT})

    assert response.status_code == 302
    record.refresh_from_db()
    assert [region["source"] for region in record.regions] == ["detected", "hand"]
    drawn = Box.from_dict(record.regions[1])
    assert drawn.iou(NO_FACE) > 0.9
    assert record.updated_by.username == "bob"

    after, source = published(picture), unblurred(picture)
    assert grey(after, drawn).var() < grey(source, drawn).var() / 4
    assert detail_correlation(grey(source, drawn), grey(after, drawn)) < 0.3
    # Far from both boxes, the picture is what it was (give or take JPEG rounding).
    elsewhere = Box(0, 250, 150, 512)
    assert np.abs(grey(after, elsewhere) - grey(before, elsewhere)).mean() < 2.0

    assert not old_file.exists()
    assert_clean(Path(published_path(picture)))


def test_removing_a_detected_box_leaves_that_face_as_it_is(picture, as_bob):
    record = MediaRegions.objects.get(attachment=picture)
    face = Box.from_dict(record.regions[0])

    response = as_bob.post(editor_url(picture), kept_rows(record, remove=(0,)))

    assert response.status_code == 302
    record.refresh_from_db()
    assert record.regions == []
    source, shown = unblurred(picture), published(picture)
    assert detail_correlation(grey(source, face), grey(shown, face)) > 0.9
    assert_clean(Path(published_path(picture)))


def test_a_box_kept_but_not_blurred_stays_listed_and_shows_the_face(picture, as_bob):
    record = MediaRegions.objects.get(attachment=picture)
    face = Box.from_dict(record.regions[0])
    data = kept_rows(record)
    data["blur"] = []

    as_bob.post(editor_url(picture), data)

    record.refresh_from_db()
    assert len(record.regions) == 1 and record.regions[0]["blur"] is False
    assert detail_correlation(grey(unblurred(picture), face), grey(published(picture), face)) > 0.9


def test_a_box_reaching_past_the_edge_is_clipped_to_the_picture(picture, as_bob):
    record = MediaRegions.objects.get(attachment=picture)
    edge = {"new_x": "90", "new_y": "-10", "new_w": "30", "new_h": "20"}

    assert as_bob.post(editor_url(picture), {**kept_rows(record), **edge}).status_code == 302

    record.refresh_from_db()
    assert Box.from_dict(record.regions[1]) == Box(460, 0, 512, 52)


@pytest.mark.parametrize(
    ("fields", "says"),
    [
        ({"new_x": "150", "new_y": "10", "new_w": "10", "new_h": "10"}, "outside the picture"),
        ({"new_x": "10", "new_y": "10", "new_w": "0", "new_h": "10"}, "above 0%"),
        ({"new_x": "10", "new_y": "ten", "new_w": "5", "new_h": "10"}, "all four numbers"),
    ],
)
def test_an_empty_or_invalid_box_is_explained_and_changes_nothing(picture, as_bob, fields, says):
    record = MediaRegions.objects.get(attachment=picture)
    file_before = picture.file.name

    response = as_bob.post(editor_url(picture), {**kept_rows(record, remove=(0,)), **fields})

    assert response.status_code == 400
    page = response.content.decode()
    assert says in page and "Nothing was changed." in page
    picture.refresh_from_db()
    assert picture.file.name == file_before
    assert MediaRegions.objects.get(attachment=picture).regions == record.regions


def assert_clean(path: Path) -> None:
    data = path.read_bytes()
    assert samples.leftovers_in(data) == []
    with Image.open(path) as picture:
        assert describe_metadata(picture) == []


# --- Forgetting the unblurred copy -------------------------------------------------------


def source_file(attachment: Attachment) -> Path:
    return regions.private_folder() / MediaRegions.objects.get(attachment=attachment).source_name


def test_the_unblurred_copy_is_deleted_when_the_post_is_cancelled(picture, bob, as_bob):
    stored = source_file(picture)
    assert stored.exists()

    services.cancel(membership(bob), picture.post)

    assert not stored.exists()
    record = MediaRegions.objects.get(attachment=picture)
    assert record.source_name == ""
    assert as_bob.get(source_url(picture)).status_code == 404
    page = as_bob.get(editor_url(picture)).content.decode()
    assert "can no longer be changed" in page
    assert as_bob.post(editor_url(picture), NO_FACE_PERCENT).status_code == 400


def test_the_unblurred_copy_is_deleted_by_the_worker_once_the_post_was_sent(picture):
    stored = source_file(picture)
    # The dispatcher rolls deliveries up into the post with update(): no signal fires.
    Post.objects.filter(pk=picture.post_id).update(status=PostStatus.SENT)
    assert stored.exists()

    assert regions.forget_finished("worker-1") == 1

    assert not stored.exists()
    assert regions.forget_finished("worker-1") == 0


def test_the_unblurred_copy_is_deleted_with_the_picture(picture, bob):
    stored = source_file(picture)

    services.remove_attachment(membership(bob), picture)

    assert not stored.exists()
    assert not MediaRegions.objects.exists()
