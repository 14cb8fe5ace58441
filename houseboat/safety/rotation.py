"""Re-encrypt every stored secret under the primary key, so old keys can be retired.

The keys live outside the database (see houseboat.core.crypto); the first one
encrypts and all of them decrypt. After a new key is put first, this moves
every value of every ``EncryptedJSONField`` onto it. Values already under the
primary key are left alone, so running it twice changes nothing the second time.
Each value is written back only if it is still the one that was read, so a
secret saved by the web server meanwhile is never overwritten with an older one.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from cryptography.fernet import Fernet, InvalidToken
from django.apps import apps
from django.db import models, transaction
from django.db.models.functions import Cast

from houseboat.core import crypto
from houseboat.core.crypto import EncryptedJSONField

BATCH = 500
CIPHERTEXT = "houseboat_ciphertext"  # the raw column, read past the field's decryption


@dataclass
class FieldRotation:
    """What happened to the values of one encrypted field."""

    label: str
    rotated: int = 0
    current: int = 0
    changed_meanwhile: int = 0
    unreadable: list[object] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.rotated + self.current + self.changed_meanwhile + len(self.unreadable)


def encrypted_fields() -> list[tuple[type[models.Model], EncryptedJSONField]]:
    """Return every model field, in every installed app, that stores encrypted values."""
    return [
        (model, model_field)
        for model in apps.get_models()
        if not model._meta.proxy  # a proxy shares its table with the model it stands for
        for model_field in model._meta.concrete_fields
        if isinstance(model_field, EncryptedJSONField)
    ]


def rotate_all() -> list[FieldRotation]:
    """Re-encrypt every stored value under the primary key; return what happened per field."""
    primary = Fernet(crypto.load_keys()[0])
    return [rotate_field(model, model_field, primary) for model, model_field in encrypted_fields()]


def rotate_field(
    model: type[models.Model], model_field: EncryptedJSONField, primary: Fernet
) -> FieldRotation:
    """Re-encrypt one field's values in batches, each batch in its own transaction."""
    result = FieldRotation(f"{model._meta.label}.{model_field.name}")
    rows = model._base_manager.exclude(**{f"{model_field.attname}__isnull": True})
    # Primary keys first: updating a table while a cursor walks it is unsafe on SQLite.
    keys = list(rows.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(keys), BATCH):
        with transaction.atomic(using=rows.db):
            _rotate_batch(rows, model_field, keys[start : start + BATCH], primary, result)
    return result


def _rotate_batch(
    rows: models.QuerySet,
    model_field: EncryptedJSONField,
    keys: list[object],
    primary: Fernet,
    result: FieldRotation,
) -> None:
    raw = rows.filter(pk__in=keys).order_by().annotate(**{CIPHERTEXT: _ciphertext(model_field)})
    for pk, token in raw.values_list("pk", CIPHERTEXT):
        if not token:
            continue  # an empty column holds no secret
        if _is_under(primary, token):
            result.current += 1
            continue
        try:
            rotated = crypto.rotate(token)
        except InvalidToken:
            result.unreadable.append(pk)
            continue
        written = raw.filter(pk=pk, **{CIPHERTEXT: token}).update(
            **{model_field.attname: models.Value(rotated, output_field=models.TextField())}
        )
        if written:
            result.rotated += 1
        else:
            result.changed_meanwhile += 1


def _ciphertext(model_field: EncryptedJSONField) -> Cast:
    # A plain text column read as text: the field's own decryption is not applied.
    return Cast(model_field.attname, output_field=models.TextField())


def _is_under(key: Fernet, token: str) -> bool:
    try:
        key.decrypt(token.encode("ascii"))
    except InvalidToken:
        return False
    return True
