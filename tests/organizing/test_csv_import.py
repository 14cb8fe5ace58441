"""CSV import: good rows kept, each bad row named by its line and reason, nothing lost."""

import csv
import io

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from houseboat.organizing import csvimport, services
from houseboat.organizing.models import Consent, Supporter

HEADER = "name,handles,consent,language,area,tags\n"


def run(team, text: str | bytes, **kwargs):
    data = text.encode("utf-8") if isinstance(text, str) else text
    return csvimport.import_supporters(team, data, **kwargs)


def test_good_rows_are_kept_and_each_bad_row_is_named_with_its_line(team_a):
    report = run(
        team_a,
        HEADER
        + "Amal,whatsapp:+447700900123;email:amal@example.org,whatsapp;email,ar,Old town,vigil;students\n"
        + ",email:nobody@example.org,,,,\n"  # line 3: no name
        + "Sam,myspace:@sam,,,,\n"  # line 4: unknown network
        + 'Noor,"email:noor@example.org",email,en,"51.50, -0.12",\n'  # line 5: coordinates
        + "Lina,x:@lina,whatsapp,,,\n"  # line 6: consent without a handle
        + "Ravi,email:not-an-address,,,,\n"  # line 7: bad e-mail
        + "Zed,,,,,,extra,cells\n"  # line 8: too many cells
        + "Mia,x:@mia,,fr,,\n",
    )
    assert report.added == 2
    lines = dict(report.bad)
    assert sorted(lines) == [3, 4, 5, 6, 7, 8]
    assert "display name" in lines[3]
    assert "myspace" in lines[4]
    assert "map position" in lines[5]
    assert "needs a whatsapp handle" in lines[6]
    assert "not-an-address" in lines[7]
    assert "header has 6" in lines[8]
    amal = services.find_by_name(team_a, "Amal").get()
    assert amal.tags == ["vigil", "students"]
    assert amal.language == "ar"
    assert services.active_consents(amal) == {"whatsapp", "email"}
    assert Consent.objects.get(supporter=amal, channel="email").source.endswith("line 2")


def test_a_quoted_cell_over_two_lines_keeps_the_line_numbers_right(team_a):
    report = run(team_a, HEADER + 'Amal,,,,"Old town\nnorth",\n,,,,,\nSam,,,,,\n,x:@x,,,,\n')
    assert report.added == 2
    assert report.bad[0][0] == 6


def test_the_same_person_twice_in_a_file_is_imported_once(team_a):
    report = run(team_a, HEADER + "Amal,email:a@example.org,,,,\nAmal H,email:A@example.org,,,,\n")
    assert report.added == 1
    assert report.bad == [(3, "already a supporter (same email handle)")]


def test_a_second_import_of_the_same_file_adds_no_one_with_a_handle(team_a):
    text = HEADER + "Amal,email:a@example.org,,,,\n"
    assert run(team_a, text).added == 1
    assert run(team_a, text).added == 0
    assert Supporter.objects.count() == 1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"\xff\xfename\n", "not UTF-8"),
        (b"handles,consent\nx:@a,\n", "has no .name. column"),
        (b"name,phone\nAmal,123\n", "Unknown columns: phone"),
    ],
)
def test_a_file_that_cannot_be_read_imports_nothing_and_says_why(team_a, data, message):
    with pytest.raises(csvimport.CSVFileError, match=message):
        run(team_a, data)
    assert not Supporter.objects.exists()


def test_a_column_mapping_reads_another_spreadsheet(team_a):
    text = "Nickname,Phone (WhatsApp),Town\nAmal,whatsapp:+447700900123,Old town\n"
    report = run(
        team_a, text, mapping={"name": "Nickname", "handles": "Phone (WhatsApp)", "area": "Town"}
    )
    assert report.added == 1
    assert Supporter.objects.get().area == "Old town"


cell = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=30)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(st.lists(cell, min_size=0, max_size=8), max_size=12))
def test_any_file_of_rows_is_either_imported_or_reported_row_by_row(team_a, table):
    Supporter.objects.filter(team=team_a).delete()
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(csvimport.FIELDS)
    writer.writerows(table)
    report = run(team_a, out.getvalue())
    non_blank = sum(1 for row in table if any(c.strip() for c in row))
    assert report.added + len(report.bad) <= non_blank
    assert Supporter.objects.filter(team=team_a).count() == report.added
    for line, reason in report.bad:
        assert line >= 2 and reason


def test_the_import_page_maps_columns_previews_and_imports(as_bob, team_a):
    from django.core.files.uploadedfile import SimpleUploadedFile

    url = reverse("organizing:import", args=[team_a.slug])
    upload = SimpleUploadedFile(
        "people.csv", b"Nickname,Contact\nAmal,email:a@example.org\n,email:b@example.org\n"
    )
    page = as_bob.post(url, {"file": upload, "wording": "Join our list"})
    assert page.status_code == 200
    text = page.content.decode()
    assert "Nickname" in text and "a@example.org" in text  # the preview
    assert not Supporter.objects.exists()  # nothing saved before the mapping
    token = page.context["token"]
    done = as_bob.post(
        url,
        {
            "token": token,
            "file_name": "people.csv",
            "wording": "Join our list",
            "name": "Nickname",
            "handles": "Contact",
        },
    )
    assert done.status_code == 200
    assert done.context["report"].added == 1
    assert done.context["report"].bad[0][0] == 3
