"""The models and the migrations agree, so `houseboat migrate` on a new install warns of nothing."""

import io

from django.core.management import call_command


def test_every_model_change_has_its_migration(db):
    out = io.StringIO()
    try:
        call_command("makemigrations", "--check", "--dry-run", stdout=out, stderr=out)
    except SystemExit as exit_:
        raise AssertionError(f"Missing migrations:\n{out.getvalue()}") from exit_
