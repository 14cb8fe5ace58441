"""Demand files shaped as their publishers write them (invented recommendations)."""

import csv
import io

UPR_INFO_HEADER = [
    "State under Review",
    "Recommendation",
    "Recommending State",
    "Response",
    "Action Category",
    "Issues",
    "Session",
    "Cycle",
]


def upr_info_old(rows: list[list[str]]) -> bytes:
    """An older UPR Info export: Mac Roman, lines ending in a lone CR, ";" between columns."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r")
    writer.writerow(UPR_INFO_HEADER)
    writer.writerows(rows)
    return out.getvalue().encode("mac_roman")


def upr_info_new(rows: list[list[str]]) -> bytes:
    """A newer export: UTF-8 with a byte-order mark, commas, CRLF (as Excel saves it)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(UPR_INFO_HEADER)
    writer.writerows(rows)
    return "\ufeff".encode() + out.getvalue().encode("utf-8")


UHRI_HEADER = [
    "Annotation",
    "Body",
    "Document symbol",
    "Paragraph",
    "Countries",
    "Themes",
    "Affected persons",
    "Position",
    "Year",
]


def uhri(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(UHRI_HEADER)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def houseboat_csv(rows: list[list[str]]) -> bytes:
    """houseboat's CSV as a spreadsheet saves it: CRLF, so a field with either is quoted."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["ref", "title", "text", "kind", "target", "deadline"])
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def five_hundred_recommendations() -> tuple[bytes, set[int]]:
    """500 UPR recommendations, 7 of them unreadable; return the file and the bad lines."""
    rows, bad = [], set()
    for n in range(500):
        line = n + 2
        text = f"Guarantee freedom of the press (recommendation {n}); São Tomé asks for follow-up"
        row = [
            "Port Verene",
            text,
            "Norway",
            "Supported" if n % 3 else "Noted",
            "4",
            "Freedom of expression, Detention",
            "46",
            "4",
        ]
        if n % 71 == 5:
            row[1] = ""  # an empty recommendation
            bad.add(line)
        rows.append(row)
    return upr_info_old(rows), bad
