"""The project's own CSS says start and end, never left and right, so Arabic and Persian
pages mirror by themselves (issue 16, "Right-to-left done right").

A physical declaration is allowed only where the list below says why; vendored files
(any `vendor/` folder) are someone else's and are not read.
"""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2] / "houseboat"

# (file relative to houseboat/, declaration as written) -> why physical is right there.
ALLOWED: dict[tuple[str, str], str] = {}

PHYSICAL_PROPERTY = re.compile(
    r"^(?:left|right"
    r"|(?:margin|padding|border|scroll-margin|scroll-padding)-(?:left|right)(?:-\w+)?"
    r"|border-(?:top|bottom)-(?:left|right)-radius"
    r"|overscroll-behavior-x)$"
)
PHYSICAL_VALUE = {
    "float": {"left", "right"},
    "clear": {"left", "right"},
    "text-align": {"left", "right"},
    "text-align-last": {"left", "right"},
    "justify-content": {"left", "right"},
    "justify-items": {"left", "right"},
    "justify-self": {"left", "right"},
    "resize": {"horizontal"},
}
# Four-value shorthands list the sides clockwise from the top: physical whenever the
# second (right) and the fourth (left) differ.
FOUR_SIDED = {"margin", "padding", "inset", "border-width", "border-style", "border-color"}
DECLARATION = re.compile(r"([a-z-]+)\s*:\s*([^;{}]+)")


def own_css() -> list[Path]:
    return sorted(p for p in ROOT.rglob("*.css") if "vendor" not in p.relative_to(ROOT).parts)


def physical(prop: str, value: str) -> str:
    """Why a declaration is physical, or '' when it is logical or has no direction."""
    value = value.replace("!important", "").strip()
    words = value.split()
    if PHYSICAL_PROPERTY.match(prop):
        return f"{prop} is a physical side: use its -inline-start/-inline-end form"
    if value.lower() in PHYSICAL_VALUE.get(prop, ()):
        return f"{prop}: {value} is physical: use start/end (or inline)"
    if prop in FOUR_SIDED and len(words) == 4 and words[1] != words[3]:
        return f"{prop} with four values sets left and right apart: use -block and -inline"
    if prop == "border-radius" and "/" not in value and lopsided(words):
        return "border-radius differs left to right: use the logical corners"
    if prop in {"background-position", "background-position-x", "transform-origin"} and (
        {"left", "right"} & set(words)
    ):
        return f"{prop} names a physical side"
    if prop == "transform" and re.search(r"translatex?\(\s*-?[1-9.]", value.lower()):
        return "a horizontal translate moves the same way in both directions"
    if prop == "box-shadow" and words and re.match(r"-?[0-9.]*[1-9]", words[0]):
        return "a box-shadow offset sideways falls on the same side in both directions"
    return ""


def lopsided(words: list[str]) -> bool:
    """Whether border-radius values round the left and right corners differently."""
    if len(words) == 2:
        return words[0] != words[1]
    if len(words) == 3:  # top-left, top-right and bottom-left, bottom-right
        return len(set(words)) > 1
    if len(words) == 4:  # clockwise from the top left
        return words[0] != words[1] or words[2] != words[3]
    return False


def findings(css: str) -> list[tuple[str, str]]:
    """(declaration, why) for every physical declaration in a stylesheet."""
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    found = []
    for block in re.findall(r"\{([^{}]*)\}", css):
        for prop, value in DECLARATION.findall(block):
            if why := physical(prop, value):
                found.append((f"{prop}: {value.strip()}", why))
    return found


def test_the_checker_finds_physical_declarations():
    css = """
    .a { margin-left: 1rem; padding-right: 0; float: left; text-align: right; }
    .b { left: 0; border-left: 1px solid; border-top-right-radius: 3px; }
    .c { padding: .2rem 0 .8rem 1rem; transform: translateX(4px); box-shadow: 2px 0 4px #000; }
    /* .d { margin-right: 2rem } in a comment does not count */
    """
    props = [decl.split(":")[0] for decl, _why in findings(css)]
    assert props == [
        "margin-left",
        "padding-right",
        "float",
        "text-align",
        "left",
        "border-left",
        "border-top-right-radius",
        "padding",
        "transform",
        "box-shadow",
    ]


def test_the_checker_lets_logical_and_symmetric_declarations_through():
    css = """
    .a { margin-inline-start: 1rem; inset-inline-end: 0; text-align: start; float: inline-start; }
    .b { margin: 0 auto; padding: 1rem 1.25rem 4rem; border-radius: 1em; inset: 0; }
    .c { box-shadow: 0 2px 6px #000; transform: scaleX(-1); padding: 1px 2px 3px 2px; }
    """
    assert findings(css) == []


@pytest.mark.parametrize("path", own_css(), ids=lambda p: str(p.relative_to(ROOT)))
def test_our_css_uses_logical_properties(path):
    name = str(path.relative_to(ROOT))
    wrong = [
        f"{name}: {decl} ({why})"
        for decl, why in findings(path.read_text(encoding="utf-8"))
        if (name, decl) not in ALLOWED
    ]
    assert not wrong, "\n".join(wrong)


def test_every_allowed_physical_declaration_is_still_there():
    for (name, decl), why in ALLOWED.items():
        assert why, f"{name}: {decl} needs a reason"
        assert decl in [d for d, _ in findings((ROOT / name).read_text(encoding="utf-8"))]


def test_the_css_files_are_found():
    names = {str(p.relative_to(ROOT)) for p in own_css()}
    assert "core/static/houseboat/app.css" in names
    assert not any("vendor" in n for n in names)
