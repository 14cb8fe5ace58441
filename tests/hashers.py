from django.contrib.auth.hashers import Argon2PasswordHasher


class QuickArgon2PasswordHasher(Argon2PasswordHasher):
    """Argon2id with the smallest cost: the same code path, fast enough for tests."""

    time_cost = 1
    memory_cost = 64
    parallelism = 1
