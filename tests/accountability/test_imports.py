"""Reading demand files as people download them: preview first, every bad row named."""
# ruff: noqa: RUF001 -- the typographic apostrophe is what Mac Roman exports carry

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from houseboat.accountability import imports
from houseboat.accountability.constants import DemandKind, Response, TermKind
from houseboat.accountability.models import AuthorityResponse, Demand, Term
from tests.accountability.samples import (
    five_hundred_recommendations,
    houseboat_csv,
    uhri,
    upr_info_new,
    upr_info_old,
)


def test_an_old_upr_info_export_in_mac_roman_with_cr_line_ends_is_read():
    data = upr_info_old(
        [
            [
                "Côte d’Ivoire",
                "Garantir l’accès à un avocat",
                "France",
                "Accepted",
                "5",
                "Detention, Justice",
                "19",
                "2",
            ],
            [
                "Côte d’Ivoire",
                "Consider ratifying OP-CAT",
                "Brazil",
                "Noted",
                "2",
                "Torture",
                "19",
                "2",
            ],
        ]
    )
    assert b"\n" not in data
    parsed = imports.read(data)
    assert (parsed.layout, parsed.encoding) == (imports.UPR_INFO, "Mac Roman")
    first, second = parsed.rows
    assert first.text == "Garantir l’accès à un avocat"
    assert first.targets == ["Côte d’Ivoire"]
    assert (first.made_by, first.response, first.specificity) == ("France", Response.SUPPORTED, 5)
    assert first.themes == ["Detention", "Justice"]
    assert first.kind == DemandKind.RECOMMENDATION
    assert (second.line, second.response) == (3, Response.NOTED)


def test_a_newer_export_says_supported_and_noted():
    data = upr_info_new(
        [
            ["Port Verene", "Release journalists", "Norway", "Supported", "5", "Media", "46", "4"],
            ["Port Verene", "Abolish Article 41", "Chile", "Supported/Noted", "", "", "46", "4"],
            ["Port Verene", "Invite the rapporteur", "Peru", "Maybe", "", "", "46", "4"],
        ]
    )
    parsed = imports.read(data)
    assert parsed.encoding == "UTF-8"
    assert [r.response for r in parsed.rows] == [
        Response.SUPPORTED,
        Response.SUPPORTED_IN_PART,
        Response.NONE,
    ]
    assert [str(n) for n in parsed.notes] == [
        "line 4: the response Maybe is not one houseboat knows; stored without a response."
    ]


def test_the_uns_human_rights_index_export_is_read_with_its_references():
    data = uhri(
        [
            [
                "Ensure that journalists can work freely",
                "UPR",
                "A/HRC/55/9",
                "112.45",
                "Port Verene",
                "Freedom of opinion and expression",
                "Journalists; Media workers",
                "Supported",
                "2024",
            ],
            [
                "Adopt a law on torture",
                "CAT",
                "CAT/C/PV/CO/2",
                "12",
                "Port Verene",
                "Torture",
                "Persons deprived of their liberty",
                "",
                "2023",
            ],
        ]
    )
    parsed = imports.read(data)
    assert parsed.layout == imports.UHRI
    upr, cat = parsed.rows
    assert upr.ref == "A/HRC/55/9 para. 112.45"
    assert upr.groups == ["Journalists", "Media workers"]
    assert (upr.made_by, upr.response) == ("UPR", Response.SUPPORTED)
    assert (cat.ref, cat.response) == ("CAT/C/PV/CO/2 para. 12", "")


def test_houseboats_own_csv_reports_each_bad_row_with_its_line_and_keeps_the_rest():
    data = houseboat_csv(
        [
            ["A1", "Release the ten", "", "ours", "Ministry of Justice", "2026-12-31"],
            ["A2", "", "", "", "", ""],
            ["A3", "Repeal", "", "wish", "", ""],
            ["A4", "Visits", "Weekly\nfamily visits", "", "", "31/12/2026"],
            ["A5", "Inquiry", "", "court order", "", ""],
        ]
    )
    parsed = imports.read(data)
    assert [r.ref for r in parsed.rows] == ["A1", "A5"]
    assert parsed.rows[1].kind == DemandKind.COURT_ORDER
    assert [str(p) for p in parsed.problems] == [
        "line 3: it has neither a title nor a text.",
        "line 4: the kind wish is not one of ours, promise, recommendation, court_order.",
        "line 5: the deadline 31/12/2026 is not a date like 2026-12-31.",
    ]


def test_a_row_after_a_multi_line_field_keeps_its_true_line_number():
    data = houseboat_csv([["A1", "One", "two\nlines", "", "", ""], ["A2", "", "", "", "", ""]])
    assert [str(p) for p in imports.read(data).problems] == [
        "line 4: it has neither a title nor a text."
    ]


def test_a_row_with_too_many_columns_is_named():
    data = b"ref,title,text,kind,target,deadline\nA1,One,,,,,extra\n"
    assert [str(p) for p in imports.read(data).problems] == [
        "line 2: it has 7 columns, the header has 6."
    ]


def test_a_file_that_is_no_list_of_demands_says_what_was_expected():
    with pytest.raises(imports.ImportFileError, match="ref,title,text,kind,target,deadline"):
        imports.read(b"name,email\nAna,ana@example.org\n")
    with pytest.raises(imports.ImportFileError, match="The file is empty"):
        imports.read(b"  \n")


@pytest.mark.django_db
def test_500_recommendations_import_with_a_preview_and_the_bad_rows_reported(campaign_a, alice):
    data, bad_lines = five_hundred_recommendations()
    parsed = imports.read(data, campaign=campaign_a)
    assert len(parsed.rows) == 500 - len(bad_lines)
    assert {p.line for p in parsed.problems} == bad_lines
    assert all("the recommendation is empty" in str(p) for p in parsed.problems)
    counts = parsed.counts()
    assert sum(counts["response"].values()) == len(parsed.rows)
    assert counts["made_by"] == {"Norway": len(parsed.rows)}
    assert Demand.objects.count() == 0  # reading stores nothing
    stored = imports.store(parsed, campaign_a, by=alice)
    assert len(stored) == Demand.objects.count() == 493
    assert AuthorityResponse.objects.filter(review__isnull=True).count() == 493
    assert set(Term.objects.filter(kind=TermKind.THEME).values_list("name", flat=True)) == {
        "Freedom of expression",
        "Detention",
    }
    demand = Demand.objects.get(ref="UPR-46-L2")
    assert "São Tomé" in demand.text and demand.draft and demand.visibility == "team"
    again = imports.read(data, campaign=campaign_a)
    assert (len(again.rows), len(again.known)) == (0, 493)


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.binary(max_size=2000))
def test_any_bytes_give_rows_or_a_sentence_never_a_crash(data):
    try:
        parsed = imports.read(data)
    except imports.ImportFileError as error:
        assert str(error)
    else:
        assert all(p.line >= 2 for p in parsed.problems)


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=30),
            st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=60),
        ),
        max_size=20,
    )
)
def test_every_row_is_either_read_or_reported_with_its_line(pairs):
    rows = [[f"R{i}", title, text, "", "", ""] for i, (title, text) in enumerate(pairs)]
    parsed = imports.read(houseboat_csv(rows))
    assert len(parsed.rows) + len(parsed.problems) == len(pairs)
    assert [r.ref for r in parsed.rows] == [
        f"R{i}" for i, (title, text) in enumerate(pairs) if (title + text).strip()
    ]
    lines = sorted([r.line for r in parsed.rows] + [p.line for p in parsed.problems])
    assert lines == sorted(set(lines)) and all(line >= 2 for line in lines)
