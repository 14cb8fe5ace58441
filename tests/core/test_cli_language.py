"""The command line speaks English unless HOUSEBOAT_LANGUAGE asks for another language."""

from django.utils import translation

from houseboat import cli
from tests.core.test_i18n_marked import CLOSE, OPEN, PSEUDO, build_pseudo_locale


def test_the_usage_is_english_by_default(monkeypatch, capsys):
    monkeypatch.delenv("HOUSEBOAT_LANGUAGE", raising=False)
    monkeypatch.setenv("LANG", "tr_TR.UTF-8")  # the server's locale is not the CLI's language
    cli.print_usage()
    out = capsys.readouterr().out
    assert "Create or list teams." in out and OPEN not in out


def test_the_usage_speaks_the_language_houseboat_language_names(monkeypatch, capsys, tmp_path):
    monkeypatch.setattr(cli, "LOCALE_DIR", build_pseudo_locale(tmp_path))
    monkeypatch.setenv("HOUSEBOAT_LANGUAGE", PSEUDO)
    cli.print_usage()
    out = capsys.readouterr().out
    assert f"{OPEN}Create or list teams.{CLOSE}" in out
    assert f"{OPEN}usage: houseboat" in out


def test_commands_speak_an_offered_language_and_ignore_others(db):
    try:
        cli.speak("fr")
        assert translation.get_language() == "fr"
        translation.activate("en")
        cli.speak("xx")
        assert translation.get_language() == "en"
    finally:
        translation.activate("en")


def test_every_command_help_and_message_is_in_the_catalogue_template():
    from houseboat.core.catalogues import POT, messages, parse_po

    template = {e.msgid for e in messages(parse_po(POT.read_text(encoding="utf-8")))}
    for text in cli.COMMANDS.values():
        assert text in template, text
    assert cli.USAGE in template
    assert "Create a person's account, optionally adding them to a team." in template
