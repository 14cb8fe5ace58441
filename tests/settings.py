"""Settings for the test suite: the real settings, in a throwaway data directory."""

import os
import tempfile

os.environ.setdefault("HOUSEBOAT_DATA_DIR", tempfile.mkdtemp(prefix="houseboat-tests-"))

from houseboat.settings import *  # noqa: F403
from houseboat.settings import PASSWORD_HASHERS as PRODUCTION_PASSWORD_HASHERS

# Argon2 stays the hasher, with cheap parameters so hundreds of logins stay quick.
PASSWORD_HASHERS = ["tests.hashers.QuickArgon2PasswordHasher", *PRODUCTION_PASSWORD_HASHERS]
