"""The importers, one module each, listed here explicitly (no import-time discovery).

To add one: write a module with ``MANIFEST`` and ``read(path, problems, limits)``
(see ``base.py``), add it below, and give it tests with sample files built to the
format's documented shape, bad files included: a damaged file, the wrong format, an
empty file, a record over the size limit and, for ZIPs, a path-traversal entry and a
decompression bomb. Exports that come as a ZIP or as its unpacked folder read both
through ``tree.open_tree`` (and say ``"folders": True``); options a format needs
(a chat's date order) are declared in ``MANIFEST["options"]`` and reach ``read`` as
keyword arguments. Error messages name the file and the record, never a person.
"""

from importlib import import_module

from houseboat.listening.importers.base import Importer, ImportFileError

IMPORTERS: dict[str, str] = {
    "x-ndjson": "houseboat.listening.importers.x_ndjson",
    "x-archive": "houseboat.listening.importers.x_archive",
    "mastodon-outbox": "houseboat.listening.importers.mastodon_outbox",
    "telegram-json": "houseboat.listening.importers.telegram_json",
    "facebook-dyi": "houseboat.listening.importers.facebook_dyi",
    "whatsapp-txt": "houseboat.listening.importers.whatsapp_txt",
    "houseboat-export": "houseboat.listening.importers.houseboat_export",
}


def get_importer(name: str) -> Importer:
    """Return the importer for a format name, or say which formats exist."""
    module = IMPORTERS.get(name)
    if module is None:
        known = ", ".join(sorted(IMPORTERS))
        raise ImportFileError(f"houseboat has no importer called {name!r}. Formats: {known}.")
    return import_module(module)  # type: ignore[return-value]
