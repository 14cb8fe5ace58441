from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from houseboat.core.commands import HouseboatCommand
from houseboat.core.crypto import EncryptionKeyError, load_keys
from houseboat.safety.rotation import FieldRotation, rotate_all

HOW_TO_ROTATE = (
    'To rotate: make a new key with `python3 -c "from cryptography.fernet import Fernet; '
    'print(Fernet.generate_key().decode())"`, put it on the first line of the key file '
    "(or first in HOUSEBOAT_ENCRYPTION_KEYS) with the old key on the next line, restart "
    "houseboat, and run `houseboat keys rotate`. When it reports nothing unreadable, the "
    "old key can be removed."
)


class Command(HouseboatCommand):
    help = gettext_lazy(
        "Re-encrypt stored secrets under the newest encryption key, so old keys can be retired."
    )

    def add_arguments(self, parser):
        parser.epilog = HOW_TO_ROTATE
        sub = parser.add_subparsers(dest="action", required=True, metavar="{rotate}")
        sub.add_parser(
            "rotate",
            help=_("Re-encrypt every stored secret under the first key."),
            description=HOW_TO_ROTATE,
        )

    def handle(self, *args, action: str, **options):
        try:
            key_count = len(load_keys())
            results = rotate_all()
        except EncryptionKeyError as exc:
            raise CommandError(str(exc)) from None
        for result in results:
            if result.total:
                self.stdout.write(describe(result))
        self.summarise(results, key_count)

    def summarise(self, results: list[FieldRotation], key_count: int) -> None:
        if not any(result.total for result in results):
            self.stdout.write(_("Nothing to re-encrypt: no encrypted values are stored."))
            return
        unreadable = [result for result in results if result.unreadable]
        if unreadable:
            names = "; ".join(
                f"{result.label} (ids {', '.join(map(str, result.unreadable))})"
                for result in unreadable
            )
            raise CommandError(
                _(
                    "Some values cannot be decrypted with any of the keys: %(names)s. Restore the key that encrypted them (as a second line is enough) and run this again. Keep the old keys until then; everything else was re-encrypted."
                )
                % {"names": names}
            )
        if any(result.changed_meanwhile for result in results):
            self.stdout.write(_("Some values changed while this ran: run it again to cover them."))
            return
        rotated = sum(result.rotated for result in results)
        self.stdout.write(
            self.style.SUCCESS(
                _("Done: %(rotated)s value(s) re-encrypted under the first key.")
                % {"rotated": rotated}
            )
        )
        if key_count > 1:
            self.stdout.write(
                _(
                    "Every stored value now opens with the first key alone: the older keys can be "
                    "removed once every houseboat process runs with the new key first."
                )
            )
        else:
            self.stdout.write(
                _("There is only one key, so there was nothing to move. %(how_to_rotate)s")
                % {"how_to_rotate": HOW_TO_ROTATE}
            )


def describe(result: FieldRotation) -> str:
    """Say in one line what happened to one field's values."""
    parts = [f"{result.rotated} re-encrypted", f"{result.current} already under the first key"]
    if result.changed_meanwhile:
        parts.append(f"{result.changed_meanwhile} changed meanwhile")
    if result.unreadable:
        parts.append(f"{len(result.unreadable)} unreadable")
    return f"{result.label}: {', '.join(parts)}."
