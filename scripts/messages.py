"""The steps of scripts/messages that are easier in Python than in bash.

snapshot         keep a copy of the catalogues before makemessages rewrites them
tidy LANG...     give new catalogues houseboat's header; undo rewrites that changed
                 nothing but the dates
check            fail on untranslated or fuzzy entries, broken placeholders, msgids
                 that differ from the template, and .mo files older than their .po
"""

import gettext
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402

from houseboat.core.catalogues import (  # noqa: E402
    LOCALE_DIR,
    POT,
    catalogue_path,
    messages,
    parse_po,
)

SNAPSHOT = Path(os.environ.get("HOUSEBOAT_DATA_DIR", tempfile.gettempdir())) / "po-snapshot"
DATES = re.compile(r'^"(POT-Creation-Date|PO-Revision-Date): .*\\n"$', re.MULTILINE)

HEADER_COMMENT = """\
# {name} translation of houseboat.
# MACHINE-DRAFTED: every entry of this catalogue was first drafted by a machine and
# needs a native speaker's review. A reviewer who has checked an entry puts the
# translator comment "# reviewed" on the line above it; the About translations page
# counts those. Glossary of key terms: houseboat/locale/GLOSSARY.md.
# Workflow: CONTRIBUTING.md, "Translations".
#
"""


def languages() -> list[str]:
    return [code for code, _ in settings.LANGUAGES if code != "en"]


def snapshot() -> None:
    shutil.rmtree(SNAPSHOT, ignore_errors=True)
    if LOCALE_DIR.exists():
        shutil.copytree(LOCALE_DIR, SNAPSHOT)


def set_field(text: str, name: str, value: str) -> str:
    line = f'"{name}: {value}\\n"'
    pattern = re.compile(rf'^"{re.escape(name)}: .*\\n"$', re.MULTILINE)
    if pattern.search(text):
        return pattern.sub(lambda _: line, text, count=1)
    # After the Content-Transfer-Encoding line, which every header has.
    return re.sub(
        r'^("Content-Transfer-Encoding: .*\\n")$',
        lambda m: m.group(1) + "\n" + line,
        text,
        count=1,
        flags=re.MULTILINE,
    )


def give_header(path: Path, language: str | None) -> None:
    text = path.read_text(encoding="utf-8")
    # msgmerge copies this one from the template makemessages wrote, every time.
    text = set_field(text, "Report-Msgid-Bugs-To", "the houseboat issue tracker")
    if language is not None and "X-Machine-Drafted" in text:
        path.write_text(text, encoding="utf-8")
        return
    _head, sep, rest = text.partition('msgid ""\n')
    name = dict(settings.LANGUAGES).get(language, "Template") if language else "Template"
    english = gettext_name(language) if language else "Template"
    comment = HEADER_COMMENT.format(name=f"{english} ({name})" if language else name)
    if language is None:
        comment = (
            "# The template of houseboat's catalogues, made by `bash scripts/messages make`.\n"
            "# Do not edit: it is rewritten from the marked strings in the code.\n#\n"
        )
    text = comment + sep + rest
    text = set_field(text, "Project-Id-Version", "houseboat")
    text = text.replace("charset=CHARSET", "charset=UTF-8")
    if language is not None:
        text = set_field(text, "Language", language)
        text = set_field(text, "Language-Team", f"{english} <translators of houseboat>")
        text = set_field(text, "Last-Translator", "machine draft, awaiting review")
        text = set_field(text, "X-Machine-Drafted", "yes")
        text = set_field(text, "X-Reviewed-By", "")
        created = re.search(r'^"POT-Creation-Date: (.*)\\n"$', text, re.MULTILINE)
        if created:  # msgfmt warns about the placeholder date makemessages leaves
            text = set_field(text, "PO-Revision-Date", created.group(1))
    path.write_text(text, encoding="utf-8")


def widen_plurals(path: Path) -> None:
    """Give empty plural entries one msgstr[i] per plural form of the language.

    makemessages writes two, whatever the language; Arabic has six, Malay one.
    """
    text = path.read_text(encoding="utf-8")
    found = re.search(r"nplurals=(\d+)", text)
    if not found:
        return
    empty = "".join(f'msgstr[{i}] ""\n' for i in range(int(found.group(1))))
    text = re.sub(r'(?:^msgstr\[\d+\] ""\n)+', lambda _: empty, text + "\n", flags=re.MULTILINE)
    path.write_text(text[:-1], encoding="utf-8")


def gettext_name(language: str) -> str:
    from django.utils.translation import get_language_info

    return get_language_info(language)["name"]


def undo_date_only_changes(path: Path) -> None:
    before = SNAPSHOT / path.relative_to(LOCALE_DIR)
    if not before.exists():
        return
    old, new = before.read_text(encoding="utf-8"), path.read_text(encoding="utf-8")
    if old != new and DATES.sub("", old) == DATES.sub("", new):
        path.write_text(old, encoding="utf-8")


def tidy(langs: list[str]) -> None:
    give_header(POT, None)
    undo_date_only_changes(POT)
    for language in langs:
        path = catalogue_path(language)
        give_header(path, language)
        widen_plurals(path)
        undo_date_only_changes(path)
    count = len(messages(parse_po(POT.read_text(encoding="utf-8"))))
    print(f"{POT.relative_to(ROOT)}: {count} messages; catalogues: {' '.join(langs)}")


def msgfmt(path: Path, out: Path) -> tuple[str, str]:
    """Compile as compilemessages does, checking formats and headers; return (ok, text)."""
    done = subprocess.run(  # noqa: S603
        ["msgfmt", "--check", "--statistics", "-o", str(out), str(path)],  # noqa: S607
        capture_output=True,
        text=True,
        check=False,
    )
    return ("ok" if done.returncode == 0 else "broken"), done.stderr.strip()


def catalog(path: Path) -> tuple[dict, str]:
    with path.open("rb") as fh:
        translations = gettext.GNUTranslations(fh)
    return translations._catalog, translations._info.get("plural-forms", "")


def check_one(language: str, template: set, scratch: Path) -> list[str]:
    path = catalogue_path(language)
    if not path.exists():
        return [f"{language}: no catalogue at {path.relative_to(ROOT)}"]
    problems = []
    entries = messages(parse_po(path.read_text(encoding="utf-8")))
    keys = {e.key for e in entries}
    if keys != template:
        problems.append(
            f"{language}: {len(template - keys)} msgids of the template missing, "
            f"{len(keys - template)} not in the template (run: bash scripts/messages make)"
        )
    untranslated = sum(not any(e.msgstr) or not all(e.msgstr) for e in entries)
    fuzzy = sum("fuzzy" in e.flags for e in entries)
    if untranslated or fuzzy:
        problems.append(f"{language}: {untranslated} untranslated, {fuzzy} fuzzy")
    fresh = scratch / f"{language}.mo"
    state, said = msgfmt(path, fresh)
    if state != "ok":
        problems.append(f"{language}: msgfmt --check failed:\n{said}")
    else:
        shipped = path.with_suffix(".mo")
        if not shipped.exists() or catalog(shipped) != catalog(fresh):
            problems.append(
                f"{language}: {shipped.relative_to(ROOT)} does not match its .po "
                "(run: bash scripts/messages compile)"
            )
    print(f"{language}: {len(entries)} messages, {said or 'not compiled'}")
    return problems


def check() -> int:
    if not POT.exists():
        print(f"no template at {POT.relative_to(ROOT)}: run bash scripts/messages make")
        return 1
    template = {e.key for e in messages(parse_po(POT.read_text(encoding="utf-8")))}
    problems = []
    with tempfile.TemporaryDirectory() as scratch:
        for language in languages():
            problems += check_one(language, template, Path(scratch))
    if problems:
        print("\nCatalogues are not ready:\n  " + "\n  ".join(problems))
        return 1
    print(f"\nAll {len(languages())} catalogues are complete, well-formed and compiled.")
    return 0


if __name__ == "__main__":
    step, *rest = sys.argv[1:] or ["help"]
    if step == "snapshot":
        snapshot()
    elif step == "tidy":
        tidy(rest or languages())
    elif step == "check":
        raise SystemExit(check())
    else:
        raise SystemExit(__doc__)
